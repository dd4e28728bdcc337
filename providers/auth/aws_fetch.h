#pragma once
// The two AWS credential links that need I/O, one fetch each, for AwsCredentialSource's
// background thread: web identity (IRSA) through STS AssumeRoleWithWebIdentity, and container
// credentials (ECS task roles, EKS Pod Identity). Token files are re-read on every fetch, since
// the platform rotates them. Messages name endpoints, roles and files, never a token or key.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "providers/auth/http_fetch.h"
#include "providers/auth/refresh_loop.h"
#include "providers/aws/sigv4.h"

namespace sluice::providers::auth {

// Session credentials and when they stop working (Unix seconds).
struct AwsFetched {
  aws::Credentials credentials;
  int64_t expires_at = 0;
};

struct WebIdentityLink {
  std::string sts_url;  // "https://sts.us-east-1.amazonaws.com" (POSTed to at "/")
  std::string role_arn;
  std::string session_name;  // empty: "sluice-<unix seconds>"
  std::string token_file;
};

struct ContainerLink {
  std::string url;         // the full credentials URL
  std::string token_file;  // read each time; wins over `token`
  std::string token;       // the Authorization header value, when no file is given
};

// One fetch at `now`; on success *out is set and the Attempt says what was fetched.
Attempt fetch_web_identity(const WebIdentityLink& link, const HttpTimeouts& timeouts, int64_t now,
                           const std::atomic<bool>& cancel, AwsFetched* out);
Attempt fetch_container(const ContainerLink& link, const HttpTimeouts& timeouts, int64_t now,
                        const std::atomic<bool>& cancel, AwsFetched* out);

// The answers read: true with *out set, else false with *error (no secret in it). `redact` is
// removed from any provider text copied into *error. Credentials expiring at or before `now`
// are refused.
bool read_sts_answer(long status, std::string_view body, std::string_view redact, int64_t now,
                     AwsFetched* out, std::string* error);
bool read_container_answer(long status, std::string_view body, std::string_view redact, int64_t now,
                           AwsFetched* out, std::string* error);

}  // namespace sluice::providers::auth
