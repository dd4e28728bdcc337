#pragma once
// SigV4 checking for fake-llm's Bedrock routes, on when fake-llm runs with
// --aws-credentials ACCESS_KEY_ID:SECRET. Every Bedrock request must then carry a valid
// AWS4-HMAC-SHA256 signature for service "bedrock" made with that key pair (any region), over
// exactly the bytes received; otherwise it is answered 403 as AWS answers it:
// UnrecognizedClientException for a missing signature or another access key,
// InvalidSignatureException for a signature that does not match.

#include <string>
#include <string_view>

#include "core/http/message.h"
#include "tools/fake-llm/api_error.h"
#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

struct AwsKeyPair {
  std::string access_key_id;
  std::string secret_access_key;
  bool enabled() const { return !access_key_id.empty(); }
};

// Parses "ACCESS_KEY_ID:SECRET" (both non-empty). False when malformed.
bool parse_aws_key_pair(std::string_view text, AwsKeyPair* out);

// True when the request is signed by `keys` (or checking is off). Else false with *error: status
// 403, AWS's message, and the exception name in error->code.
bool bedrock_signature_ok(const sluice::http::Request& request, const AwsKeyPair& keys,
                          ApiError* error);

// The 403 answer for a failed check: {"message"} with x-amzn-errortype error.code.
void bedrock_signature_error(Plan* plan, const ApiError& error, std::string_view request_id);

}  // namespace fake_llm
