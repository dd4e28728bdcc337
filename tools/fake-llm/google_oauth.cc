// The token endpoint, the token store and the Vertex AI bearer check.

#include "tools/fake-llm/google_oauth.h"

#include "tools/fake-llm/json_out.h"
#include "tools/fake-llm/routes.h"

namespace fake_llm {
namespace {

constexpr std::string_view kJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::string_view kHowToAuthenticate =
    " Expected OAuth 2 access token, login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.";

bool token_fail(ApiError* error, std::string_view code, std::string description) {
  error->status = 400;
  error->code = std::string(code);
  error->message = std::move(description);
  return false;
}

bool unauthenticated(ApiError* error, std::string_view reason, std::string_view problem) {
  error->status = 401;
  error->code = std::string(reason);
  error->message = std::string(problem) + std::string(kHowToAuthenticate);
  return false;
}

}  // namespace

std::string AccessTokens::issue(Random& random, int64_t now_s) {
  std::string token = random.id("ya29.fake-", 64);
  const std::lock_guard<std::mutex> lock(mutex_);
  if (order_.size() >= kMaxTokens) {
    expiry_.erase(order_.front());
    order_.pop_front();
  }
  expiry_[token] = now_s + kAccessTokenSeconds;
  order_.push_back(token);
  return token;
}

AccessTokens::Check AccessTokens::check(std::string_view token, int64_t now_s) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto it = expiry_.find(std::string(token));
  if (it == expiry_.end()) return Check::unknown;
  return now_s < it->second ? Check::valid : Check::expired;
}

bool parse_token_request(const sluice::http::Request& request, TokenRequest* out, ApiError* error) {
  if (!query_param(request.body, "grant_type", &out->grant_type)) out->grant_type.clear();
  if (out->grant_type != kJwtBearer) {
    return token_fail(error, "unsupported_grant_type",
                      "Invalid grant_type: " + out->grant_type.substr(0, 200));
  }
  if (!query_param(request.body, "assertion", &out->assertion) || out->assertion.empty()) {
    return token_fail(error, "invalid_request", "Missing required parameter: assertion");
  }
  out->audiences.emplace_back(kGoogleTokenUrl);
  if (const std::string* host = sluice::http::find_header(request.headers, "host")) {
    out->audiences.push_back("http://" + *host + request.path);
    out->audiences.push_back("https://" + *host + request.path);
  }
  return true;
}

void google_oauth_error(Plan* plan, int status, std::string_view code,
                        std::string_view description) {
  plan->head.status = status;
  plan->head.headers.push_back({"content-type", "application/json; charset=utf-8"});
  plan->head.headers.push_back({"cache-control", "no-cache, no-store, max-age=0, must-revalidate"});
  plan->stream = false;
  std::string body;
  JsonOut json(body);
  json.begin_object();
  json.key("error").string(code);
  json.key("error_description").string(description);
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void google_token_answer(const TokenRequest& request, GoogleOAuth& oauth, Random& random,
                         int64_t now_s, Plan* plan) {
  OAuthError error;
  if (!verify_service_account_jwt(request.assertion, oauth.key.get(), request.audiences, now_s,
                                  &error)) {
    google_oauth_error(plan, 400, error.error, error.description);
    return;
  }
  plan->head.status = 200;
  plan->head.headers.push_back({"content-type", "application/json; charset=utf-8"});
  plan->head.headers.push_back({"cache-control", "no-cache, no-store, max-age=0, must-revalidate"});
  plan->stream = false;
  std::string body;
  JsonOut json(body);
  json.begin_object();
  json.key("access_token").string(oauth.tokens.issue(random, now_s));
  json.key("expires_in").integer(kAccessTokenSeconds);
  json.key("token_type").string("Bearer");
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

bool check_vertex_bearer(const sluice::http::Headers& headers, const AccessTokens& tokens,
                         int64_t now_s, ApiError* error) {
  const std::string* authorization = sluice::http::find_header(headers, "authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization == nullptr || authorization->size() <= kBearer.size() ||
      authorization->compare(0, kBearer.size(), kBearer) != 0) {
    return unauthenticated(error, "CREDENTIALS_MISSING",
                           "Request is missing required authentication credential.");
  }
  const std::string_view token = std::string_view(*authorization).substr(kBearer.size());
  switch (tokens.check(token, now_s)) {
    case AccessTokens::Check::valid:
      return true;
    case AccessTokens::Check::expired:
      return unauthenticated(error, "ACCESS_TOKEN_EXPIRED",
                             "Request had invalid authentication credentials.");
    case AccessTokens::Check::unknown:
      break;
  }
  return unauthenticated(error, "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                         "Request had invalid authentication credentials.");
}

}  // namespace fake_llm
