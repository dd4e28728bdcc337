// Web identity and container credential fetches: see aws_fetch.h.

#include "providers/auth/aws_fetch.h"

#include "providers/auth/environment.h"
#include "providers/auth/iso8601.h"
#include "providers/auth/url_rules.h"
#include "providers/auth/xml_text.h"
#include "providers/support/json.h"
#include "providers/support/text.h"

namespace sluice::providers::auth {
namespace {

constexpr size_t kMaxTokenFileBytes = 64 * 1024;
constexpr size_t kMaxQuotedBytes = 512;  // of a provider's error text

// Whether `value` can go into an HTTP header as it is: visible ASCII only, so no header
// injection and nothing a signer would have to fold.
bool header_safe(std::string_view value) {
  for (unsigned char c : value) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return !value.empty();
}

// Checks fetched credentials and their expiry text; false with *error naming the field.
bool accept(std::string_view source, aws::Credentials credentials, std::string_view expiration,
            int64_t now, AwsFetched* out, std::string* error) {
  if (!header_safe(credentials.access_key_id) || !header_safe(credentials.secret_access_key) ||
      !header_safe(credentials.session_token)) {
    *error = std::string(source) + " answer lacks a usable access key id, secret key or token";
    return false;
  }
  const std::optional<int64_t> expires_at = parse_iso8601(support::trim(expiration));
  if (!expires_at) {
    *error = std::string(source) + " answer has no readable Expiration";
    return false;
  }
  if (*expires_at <= now) {
    *error = std::string(source) + " answer has credentials that expired at " +
             format_iso8601(*expires_at);
    return false;
  }
  out->credentials = std::move(credentials);
  out->expires_at = *expires_at;
  return true;
}

// A token file's contents without surrounding whitespace; false with *error.
bool read_token_file(const std::string& path, std::string* token, std::string* error) {
  std::string contents;
  if (!read_small_file(path, kMaxTokenFileBytes, &contents, error)) return false;
  *token = std::string(support::trim(contents));
  if (token->empty()) {
    *error = "'" + path + "' is empty";
    return false;
  }
  return true;
}

}  // namespace

bool read_sts_answer(long status, std::string_view body, std::string_view redact, int64_t now,
                     AwsFetched* out, std::string* error) {
  if (status < 200 || status > 299) {
    // <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
    const std::optional<std::string> code = xml_text(body, "Code");
    const std::optional<std::string> message = xml_text(body, "Message");
    *error = "STS answered HTTP " + std::to_string(status);
    if (code) *error += ": " + support::clean_text(*code, redact, 64);
    if (message) *error += ": " + support::clean_text(*message, redact, kMaxQuotedBytes);
    return false;
  }
  const std::optional<std::string_view> result = xml_inner(body, "AssumeRoleWithWebIdentityResult");
  const std::optional<std::string_view> credentials =
      result ? xml_inner(*result, "Credentials") : std::nullopt;
  if (!credentials) {
    *error = "STS answer is not an AssumeRoleWithWebIdentityResponse with Credentials";
    return false;
  }
  aws::Credentials read;
  read.access_key_id = xml_text(*credentials, "AccessKeyId").value_or("");
  read.secret_access_key = xml_text(*credentials, "SecretAccessKey").value_or("");
  read.session_token = xml_text(*credentials, "SessionToken").value_or("");
  const std::string expiration = xml_text(*credentials, "Expiration").value_or("");
  return accept("STS", std::move(read), expiration, now, out, error);
}

bool read_container_answer(long status, std::string_view body, std::string_view redact, int64_t now,
                           AwsFetched* out, std::string* error) {
  if (status < 200 || status > 299) {
    *error = "container credentials endpoint answered HTTP " + std::to_string(status);
    const std::string_view text = support::trim(body);
    if (!text.empty()) *error += ": " + support::clean_text(text, redact, kMaxQuotedBytes);
    return false;
  }
  rapidjson::Document document;
  if (!support::parse_json(body, &document) || !document.IsObject()) {
    *error = "container credentials answer is not a JSON object";
    return false;
  }
  auto member = [&](std::string_view name) {
    std::string_view value;
    return support::find_string(document, name, &value) ? std::string(value) : std::string();
  };
  aws::Credentials read;
  read.access_key_id = member("AccessKeyId");
  read.secret_access_key = member("SecretAccessKey");
  read.session_token = member("Token");
  return accept("container credentials", std::move(read), member("Expiration"), now, out, error);
}

Attempt fetch_web_identity(const WebIdentityLink& link, const HttpTimeouts& timeouts, int64_t now,
                           const std::atomic<bool>& cancel, AwsFetched* out) {
  Attempt attempt;
  std::string token;
  if (!read_token_file(link.token_file, &token, &attempt.message)) {
    attempt.message = "web identity token: " + attempt.message;
    return attempt;
  }
  const std::string session =
      link.session_name.empty() ? "sluice-" + std::to_string(now) : link.session_name;
  HttpRequest request;
  request.method = "POST";  // the token stays out of URLs and so out of any log of them
  request.url = link.sts_url + "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                     {"Accept", "application/xml"}};
  request.body =
      "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + form_encode(link.role_arn) +
      "&RoleSessionName=" + form_encode(session) + "&WebIdentityToken=" + form_encode(token);
  const HttpResponse response = http_fetch(request, timeouts, cancel);
  if (response.status == 0) {
    attempt.message = "STS AssumeRoleWithWebIdentity failed: " + response.error;
    return attempt;
  }
  std::string error;
  if (!read_sts_answer(response.status, response.body, token, now, out, &error)) {
    attempt.message = "web identity for role " + link.role_arn + ": " + error;
    return attempt;
  }
  attempt.ok = true;
  attempt.expires_at = out->expires_at;
  attempt.message = "web identity credentials for role " + link.role_arn;
  return attempt;
}

Attempt fetch_container(const ContainerLink& link, const HttpTimeouts& timeouts, int64_t now,
                        const std::atomic<bool>& cancel, AwsFetched* out) {
  Attempt attempt;
  std::string token = link.token;
  if (!link.token_file.empty() && !read_token_file(link.token_file, &token, &attempt.message)) {
    attempt.message = "container authorization token: " + attempt.message;
    return attempt;
  }
  if (!token.empty() && token.find_first_of("\r\n") != std::string::npos) {
    attempt.message = "container authorization token holds a line break";
    return attempt;
  }
  HttpRequest request;
  request.url = link.url;
  request.headers = {{"Accept", "application/json"}};
  if (!token.empty()) request.headers.emplace_back("Authorization", token);
  const HttpResponse response = http_fetch(request, timeouts, cancel);
  if (response.status == 0) {
    attempt.message = "container credentials failed: " + response.error;
    return attempt;
  }
  if (!read_container_answer(response.status, response.body, token, now, out, &attempt.message)) {
    return attempt;
  }
  attempt.ok = true;
  attempt.expires_at = out->expires_at;
  attempt.message = "container credentials from " + link.url;
  return attempt;
}

}  // namespace sluice::providers::auth
