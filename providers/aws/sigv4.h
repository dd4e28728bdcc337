#pragma once
// AWS Signature Version 4 (header-based, AWS4-HMAC-SHA256) with OpenSSL's SHA-256 and HMAC, for
// services other than S3: the request path is normalised and each segment URI-encoded once more
// (so a Bedrock model id sent as "a%3A0" is signed as "a%253A0"), the query sorted, header values
// trimmed with inner whitespace folded, and the payload hash taken over exactly the body sent.
//
// Nothing here reads the clock or the environment: the time comes in as a parameter. Results
// hold the secret-derived signature only; no function logs or copies the secret key. Pure
// functions; safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term credentials
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One request as the signer sees it.
struct SigningInput {
  std::string_view method;              // "POST"
  std::string_view target;              // path and optional query as sent: "/model/a%3A0/converse"
  const HeaderList* headers = nullptr;  // exactly the headers to sign, host and x-amz-date included
  std::string_view body;
  std::string_view region;    // "us-east-1"
  std::string_view service;   // "bedrock"
  std::string_view amz_date;  // "20150830T123600Z", the x-amz-date value
};

// The intermediate texts and the result, so tests can compare every step.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "content-type;host;x-amz-date"
  std::string signature;       // lower-case hex
  std::string authorization;   // the Authorization header value
};

// Signs `input` as it is. Header names may be in any case; repeated names are joined with ','
// in their order.
Signature compute_signature(const SigningInput& input, const Credentials& credentials);

// "YYYYMMDDTHHMMSSZ" for a Unix time in seconds.
std::string amz_date(int64_t unix_seconds);

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

// Signs an outgoing request to `url` (http(s)://host[:port]/path[?query]) sent with `*headers`
// and `body` at `unix_seconds`: appends x-amz-date, x-amz-security-token (session credentials)
// and authorization to *headers. Every header already in *headers is signed, as is the host
// (from the URL, the port kept only when it is not the scheme's default), which the HTTP client
// must send as Host unchanged. Authorization, x-amz-date and x-amz-security-token headers
// already in *headers (from an earlier signature) are replaced. False with *error when the URL
// cannot be parsed.
bool sign_request(std::string_view method, std::string_view url, std::string_view body,
                  std::string_view region, std::string_view service, const Credentials& credentials,
                  int64_t unix_seconds, HeaderList* headers, std::string* error);

// The outcome of checking a received request's signature.
enum class VerifyResult {
  ok,
  missing,             // no Authorization header, or not AWS4-HMAC-SHA256
  malformed,           // an Authorization header that cannot be parsed, or unsigned host/date
  unknown_access_key,  // signed with an access key id the verifier does not know
  mismatch,            // the signature does not match the request
};

// Recomputes the signature of a received request (`headers` as received, any case) and compares
// it with the one in its Authorization header in constant time. `credentials` is the one key
// pair the verifier accepts; the region and service come from the request's credential scope,
// and must be `service` when that is not empty. *detail says what failed, without secrets.
VerifyResult verify_request(std::string_view method, std::string_view target,
                            const HeaderList& headers, std::string_view body,
                            const Credentials& credentials, std::string_view service,
                            std::string* detail);

}  // namespace sluice::aws
