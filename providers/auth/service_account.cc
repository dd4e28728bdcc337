// Service account keys: see service_account.h.

#include "providers/auth/service_account.h"

#include "providers/auth/environment.h"
#include "providers/auth/jwt.h"
#include "providers/auth/url_rules.h"
#include "providers/support/json.h"
#include "providers/support/text.h"

namespace sluice::providers::auth {
namespace {

constexpr size_t kMaxKeyFileBytes = 64 * 1024;

}  // namespace

bool parse_service_account(std::string_view json, ServiceAccount* out, std::string* error) {
  rapidjson::Document document;
  if (!support::parse_json(json, &document) || !document.IsObject()) {
    *error = "is not a JSON object";
    return false;
  }
  auto member = [&](std::string_view name, std::string* value) {
    std::string_view text;
    if (!support::find_string(document, name, &text)) return false;
    *value = std::string(text);
    return true;
  };
  std::string type;
  if (!member("type", &type)) {
    *error = "has no \"type\" (a service account key has \"service_account\")";
    return false;
  }
  if (type != "service_account") {
    *error = "has type \"" + support::clean_text(type, "", 64) +
             "\"; only \"service_account\" keys are supported";
    return false;
  }
  if (!member("client_email", &out->client_email) || out->client_email.empty()) {
    *error = "has no \"client_email\"";
    return false;
  }
  if (!member("private_key", &out->private_key_pem) || out->private_key_pem.empty()) {
    *error = "has no \"private_key\"";
    return false;
  }
  std::string key_error;
  if (!RsaSigner::from_pem(out->private_key_pem, &key_error)) {
    *error = "\"private_key\" " + key_error;
    return false;
  }
  member("private_key_id", &out->private_key_id);
  if (!member("token_uri", &out->token_uri) || out->token_uri.empty()) {
    out->token_uri = kGoogleTokenUri;
  }
  if (!allowed_token_url(out->token_uri)) {
    *error = "\"token_uri\" must be an https URL (http only to a loopback address)";
    return false;
  }
  return true;
}

bool load_service_account(std::string_view setting, ServiceAccount* out, std::string* error) {
  const std::string_view trimmed = support::trim(setting);
  if (trimmed.starts_with('{')) {
    if (parse_service_account(trimmed, out, error)) return true;
    *error = "the service account JSON " + *error;
    return false;
  }
  const std::string path(trimmed);
  std::string contents;
  if (!read_small_file(path, kMaxKeyFileBytes, &contents, error)) {
    *error = "service account key file " + *error;
    return false;
  }
  if (parse_service_account(contents, out, error)) return true;
  *error = "service account key file '" + path + "' " + *error;
  return false;
}

}  // namespace sluice::providers::auth
