#pragma once
// The fake's own Google OAuth token endpoint and the access tokens it issues, for Vertex AI:
// POST [prefix]/token with the jwt-bearer grant (form body grant_type=urn:ietf:params:oauth:
// grant-type:jwt-bearer&assertion=<JWT>) answers {"access_token","expires_in":3600,
// "token_type":"Bearer"} once the JWT verifies (google_oauth_jwt.h); Vertex AI routes accept
// `Authorization: Bearer <token>` only for a token issued here and not yet expired.
//
// GoogleOAuth is shared by every worker: the key is fixed before they start, and the token store
// locks internally. Tokens are kept at most kMaxTokens (oldest dropped first).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/http/message.h"
#include "tools/fake-llm/api_error.h"
#include "tools/fake-llm/google_oauth_jwt.h"
#include "tools/fake-llm/ids.h"
#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

inline constexpr int64_t kAccessTokenSeconds = 3600;
inline constexpr size_t kMaxTokens = 100000;
// Google's own token URL, accepted as the JWT audience besides the fake's own URL.
inline constexpr std::string_view kGoogleTokenUrl = "https://oauth2.googleapis.com/token";

// Issued access tokens and their expiry (Unix seconds).
class AccessTokens {
 public:
  enum class Check { valid, unknown, expired };
  // A new token valid for kAccessTokenSeconds from `now_s`.
  std::string issue(Random& random, int64_t now_s);
  Check check(std::string_view token, int64_t now_s) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> expiry_;
  std::deque<std::string> order_;  // issue order, for the bound
};

struct GoogleOAuth {
  PublicKey key;  // null: JWT signatures are not checked
  AccessTokens tokens;
};

// The token request as read from the form body, with the audiences its JWT may name.
struct TokenRequest {
  std::string grant_type;
  std::string assertion;
  std::vector<std::string> audiences;
};

// Reads the form body. False with *error (400; code = the OAuth error, message = its
// description) for a missing or unsupported grant_type or a missing assertion.
bool parse_token_request(const sluice::http::Request& request, TokenRequest* out, ApiError* error);

// Verifies the JWT and answers with a new token, or with Google's OAuth error.
void google_token_answer(const TokenRequest& request, GoogleOAuth& oauth, Random& random,
                         int64_t now_s, Plan* plan);

// Google's OAuth error body {"error":<code>,"error_description":<description>}.
void google_oauth_error(Plan* plan, int status, std::string_view code,
                        std::string_view description);

// The Vertex AI bearer check: false with *error (401 UNAUTHENTICATED; code = the ErrorInfo
// reason) when the token is missing, unknown or expired.
bool check_vertex_bearer(const sluice::http::Headers& headers, const AccessTokens& tokens,
                         int64_t now_s, ApiError* error);

}  // namespace fake_llm
