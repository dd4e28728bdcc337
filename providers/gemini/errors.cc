// Google's error answers ({"error":{"code","message","status"}}; Vertex may wrap it in an
// array) -> the client's Failure: the status from Google's status name, the message kept but
// bounded, made valid UTF-8 and without the deployment's key.

#include <algorithm>
#include <cstdint>

#include "providers/gemini/translate.h"

namespace sluice::providers::gemini {
namespace {

// Longest provider text carried into a message.
constexpr size_t kMaxMessage = 4096;
// Longest slice of a body that is not Google's error shape carried into a message.
constexpr size_t kMaxBodyExcerpt = 512;

struct StatusName {
  std::string_view name;
  int http_status;
};

// google.rpc.Code names and the HTTP status Google documents for each.
constexpr StatusName kStatusNames[] = {{"INVALID_ARGUMENT", 400},
                                       {"FAILED_PRECONDITION", 400},
                                       {"OUT_OF_RANGE", 400},
                                       {"UNAUTHENTICATED", 401},
                                       {"PERMISSION_DENIED", 403},
                                       {"NOT_FOUND", 404},
                                       {"ABORTED", 409},
                                       {"ALREADY_EXISTS", 409},
                                       {"RESOURCE_EXHAUSTED", 429},
                                       {"CANCELLED", 499},
                                       {"INTERNAL", 500},
                                       {"UNKNOWN", 500},
                                       {"DATA_LOSS", 500},
                                       {"UNIMPLEMENTED", 501},
                                       {"UNAVAILABLE", 503},
                                       {"DEADLINE_EXCEEDED", 504}};

int status_for_name(std::string_view name) {
  for (const StatusName& entry : kStatusNames) {
    if (entry.name == name) return entry.http_status;
  }
  return 0;
}

std::string_view error_type_for(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

// `text` without `secret`, at most `limit` bytes (never cutting a character), invalid UTF-8
// replaced by U+FFFD: provider text is copied out, so nothing in it is trusted.
std::string clean_text(std::string_view text, std::string_view secret, size_t limit) {
  std::string redacted(text);
  if (secret.size() >= 4) {  // shorter is too short to tell from ordinary text
    for (size_t at = redacted.find(secret); at != std::string::npos;
         at = redacted.find(secret, at + 10)) {
      redacted.replace(at, secret.size(), "[redacted]");
    }
  }
  std::string out;
  out.reserve(std::min(redacted.size(), limit));
  for (size_t i = 0; i < redacted.size();) {
    const size_t length = utf8_sequence_length(redacted, i);
    const std::string_view piece = length == 0 ? std::string_view("\xEF\xBF\xBD")
                                               : std::string_view(redacted).substr(i, length);
    if (out.size() + piece.size() > limit) break;
    out += piece;
    i += length == 0 ? 1 : length;
  }
  return out;
}

std::string_view trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

}  // namespace

Failure failure_from_error_object(Flavour flavour, int status, const rapidjson::Value& error,
                                  std::string_view secret) {
  Failure failure;
  std::string_view name;
  find_string(error, "status", &name);
  int mapped = status_for_name(name);
  if (mapped == 0 && status >= 400 && status <= 599) mapped = status;
  if (const rapidjson::Value* code = find(error, "code"); mapped == 0 && code != nullptr &&
                                                          code->IsInt() && code->GetInt() >= 400 &&
                                                          code->GetInt() <= 599) {
    mapped = code->GetInt();
  }
  failure.status = mapped != 0 ? mapped : 502;
  failure.type = error_type_for(failure.status);
  failure.code = name.empty() ? "upstream_error" : clean_text(name, secret, 64);
  std::string_view message;
  if (find_string(error, "message", &message) && !message.empty()) {
    failure.message = clean_text(message, secret, kMaxMessage);
  } else {
    failure.message = std::string(provider_label(flavour)) + " answered with an error" +
                      (name.empty() ? std::string() : " (" + failure.code + ")");
  }
  return failure;
}

Failure translate_google_error(Flavour flavour, int status, std::string_view body,
                               std::string_view secret) {
  rapidjson::Document document;
  if (parse_json(body, &document)) {
    // Vertex answers some errors as [{"error":{...}}].
    const rapidjson::Value* root = &document;
    if (document.IsArray() && !document.Empty()) root = &document[0];
    if (const rapidjson::Value* error = find(*root, "error");
        error != nullptr && error->IsObject()) {
      return failure_from_error_object(flavour, status, *error, secret);
    }
  }
  Failure failure;
  failure.status = status >= 400 && status <= 599 ? status : 502;
  failure.type = error_type_for(failure.status);
  failure.code = "upstream_error";
  failure.message =
      std::string(provider_label(flavour)) + " answered HTTP " + std::to_string(status);
  if (const std::string excerpt = clean_text(trim(body), secret, kMaxBodyExcerpt);
      !excerpt.empty()) {
    failure.message += ": " + excerpt;
  }
  return failure;
}

}  // namespace sluice::providers::gemini
