// SigV4 verification of Bedrock requests with sluice's own signer (providers/aws/sigv4.h).

#include "tools/fake-llm/bedrock_auth.h"

#include "providers/aws/sigv4.h"
#include "tools/fake-llm/json_out.h"

namespace fake_llm {
namespace {

constexpr std::string_view kUnrecognized = "The security token included in the request is invalid.";
constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

bool refuse(ApiError* error, std::string_view type, std::string_view message) {
  error->status = 403;
  error->code = std::string(type);
  error->message = std::string(message);
  return false;
}

}  // namespace

bool parse_aws_key_pair(std::string_view text, AwsKeyPair* out) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  out->access_key_id = std::string(text.substr(0, colon));
  out->secret_access_key = std::string(text.substr(colon + 1));
  return true;
}

bool bedrock_signature_ok(const sluice::http::Request& request, const AwsKeyPair& keys,
                          ApiError* error) {
  if (!keys.enabled()) return true;
  sluice::aws::HeaderList headers;
  headers.reserve(request.headers.size());
  for (const auto& header : request.headers) headers.emplace_back(header.name, header.value);
  const sluice::aws::Credentials credentials{keys.access_key_id, keys.secret_access_key, ""};
  std::string detail;
  switch (sluice::aws::verify_request(request.method, request.target, headers, request.body,
                                      credentials, "bedrock", &detail)) {
    case sluice::aws::VerifyResult::ok:
      return true;
    case sluice::aws::VerifyResult::missing:
      return refuse(error, "UnrecognizedClientException", kUnrecognized);
    case sluice::aws::VerifyResult::unknown_access_key:
      return refuse(error, "UnrecognizedClientException", kUnrecognized);
    case sluice::aws::VerifyResult::malformed:
      // AWS words these more variously; the detail helps whoever debugs a signer here.
      return refuse(error, "InvalidSignatureException",
                    std::string(kMismatch) + " (" + detail + ")");
    case sluice::aws::VerifyResult::mismatch:
      return refuse(error, "InvalidSignatureException", kMismatch);
  }
  return refuse(error, "InvalidSignatureException", kMismatch);
}

void bedrock_signature_error(Plan* plan, const ApiError& error, std::string_view request_id) {
  plan->head.status = error.status;
  plan->head.headers.push_back({"content-type", "application/json"});
  plan->head.headers.push_back({"x-amzn-requestid", std::string(request_id)});
  plan->head.headers.push_back({"x-amzn-errortype", error.code});
  plan->stream = false;
  std::string body;
  JsonOut json(body);
  json.begin_object().key("message").string(error.message).end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

}  // namespace fake_llm
