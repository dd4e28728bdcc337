// Google service-account OAuth tokens: see google_token_source.h.

#include "providers/auth/google_token_source.h"

#include <strings.h>

#include "providers/auth/jwt.h"
#include "providers/auth/url_rules.h"
#include "providers/support/json.h"
#include "providers/support/text.h"

namespace sluice::providers::auth {
namespace {

constexpr size_t kMaxQuotedBytes = 512;

struct Minter {
  ServiceAccount account;
  std::shared_ptr<const RsaSigner> signer;
  std::string scope;
  HttpTimeouts timeouts;
};

Attempt mint(const Minter& minter, int64_t now, const std::atomic<bool>& cancel, std::string* token,
             int64_t* expires_at) {
  Attempt attempt;
  JwtClaims claims;
  claims.issuer = minter.account.client_email;
  claims.scope = minter.scope;
  claims.audience = minter.account.token_uri;
  claims.issued_at = now;
  claims.key_id = minter.account.private_key_id;
  std::string assertion;
  if (!make_jwt(claims, *minter.signer, &assertion)) {
    attempt.message = "cannot sign the OAuth assertion for " + minter.account.client_email;
    return attempt;
  }
  HttpRequest request;
  request.method = "POST";
  request.url = minter.account.token_uri;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = "grant_type=" + form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
                 "&assertion=" + form_encode(assertion);
  const HttpResponse response = http_fetch(request, minter.timeouts, cancel);
  if (response.status == 0) {
    attempt.message = "Google token request failed: " + response.error;
    return attempt;
  }
  std::string error;
  if (!read_token_answer(response.status, response.body, assertion, now, token, expires_at,
                         &error)) {
    attempt.message = "Google token for " + minter.account.client_email + ": " + error;
    return attempt;
  }
  attempt.ok = true;
  attempt.expires_at = *expires_at;
  attempt.message = "Google access token for " + minter.account.client_email;
  return attempt;
}

bool header_safe(std::string_view value) {
  for (unsigned char c : value) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return !value.empty();
}

}  // namespace

bool read_token_answer(long status, std::string_view body, std::string_view redact, int64_t now,
                       std::string* token, int64_t* expires_at, std::string* error) {
  rapidjson::Document document;
  const bool json = support::parse_json(body, &document) && document.IsObject();
  if (status < 200 || status > 299) {
    *error = "token endpoint answered HTTP " + std::to_string(status);
    std::string_view code, description;
    if (json && support::find_string(document, "error", &code)) {
      *error += ": " + support::clean_text(code, redact, 64);
      if (support::find_string(document, "error_description", &description)) {
        *error += ": " + support::clean_text(description, redact, kMaxQuotedBytes);
      }
    } else if (const std::string_view text = support::trim(body); !text.empty()) {
      *error += ": " + support::clean_text(text, redact, kMaxQuotedBytes);
    }
    return false;
  }
  if (!json) {
    *error = "token endpoint answer is not a JSON object";
    return false;
  }
  std::string_view access_token, token_type;
  if (!support::find_string(document, "access_token", &access_token) ||
      !header_safe(access_token)) {
    *error = "token endpoint answer has no usable access_token";
    return false;
  }
  if (support::find_string(document, "token_type", &token_type) &&
      (token_type.size() != 6 || strncasecmp(token_type.data(), "bearer", 6) != 0)) {
    *error = "token endpoint answered token_type \"" + support::clean_text(token_type, "", 32) +
             "\", not Bearer";
    return false;
  }
  const rapidjson::Value* expires_in = support::find(document, "expires_in");
  if (expires_in == nullptr || !expires_in->IsInt64() || expires_in->GetInt64() <= 0 ||
      expires_in->GetInt64() > 366 * 86400) {
    *error = "token endpoint answer has no usable expires_in";
    return false;
  }
  *token = std::string(access_token);
  *expires_at = now + expires_in->GetInt64();
  return true;
}

std::unique_ptr<GoogleTokenSource> GoogleTokenSource::create(GoogleSourceOptions options,
                                                             std::string* error) {
  std::string setting = options.credentials;
  if (setting.empty()) {
    setting = lookup(options.environment, "GOOGLE_APPLICATION_CREDENTIALS");
    if (setting.empty()) {
      *error =
          "no Google credentials: set vertex_credentials (a service account key file or its "
          "JSON), or GOOGLE_APPLICATION_CREDENTIALS where sluice runs";
      return nullptr;
    }
  }
  auto minter = std::make_shared<Minter>();
  if (!load_service_account(setting, &minter->account, error)) return nullptr;
  if (!options.token_uri.empty()) minter->account.token_uri = options.token_uri;
  std::string key_error;
  minter->signer = RsaSigner::from_pem(minter->account.private_key_pem, &key_error);
  if (!minter->signer) {  // checked by load_service_account already; kept for the invariant
    *error = "service account \"private_key\" " + key_error;
    return nullptr;
  }
  minter->scope = options.scope;
  minter->timeouts = options.timeouts;

  auto source = std::make_unique<GoogleTokenSource>(Key());
  source->description_ = "service account " + minter->account.client_email + ", token endpoint " +
                         minter->account.token_uri;
  if (options.events) options.events("Google credentials: " + source->description_);
  const Clock clock = options.clock ? options.clock : system_clock();
  RefreshLoop::Fetch fetch = [source = source.get(), minter,
                              clock](const std::atomic<bool>& cancel) {
    std::string token;
    int64_t expires_at = 0;
    Attempt attempt = mint(*minter, clock(), cancel, &token, &expires_at);
    if (attempt.ok) source->latest_.set(std::move(token), expires_at);
    return attempt;
  };
  source->loop_ = std::make_unique<RefreshLoop>(std::move(fetch), clock, options.refresh,
                                                std::move(options.events));
  return source;
}

GoogleTokenSource::~GoogleTokenSource() {
  loop_.reset();  // joins the thread, whose fetch writes latest_, before latest_ goes
}

std::optional<std::string> GoogleTokenSource::current(int64_t now) {
  loop_->poke(now);
  return latest_.get(now);
}

RefreshStatus GoogleTokenSource::status() const {
  return loop_->status();
}

bool GoogleTokenSource::wait_for_attempts(uint64_t attempts, std::chrono::milliseconds timeout) {
  return loop_->wait_for_attempts(attempts, timeout);
}

}  // namespace sluice::providers::auth
