// Cohere's error answers ({"id","message"}, or {"message"}) -> the client's Failure: the HTTP
// status kept (Cohere documents 400, 401, 402, 404, 429, 499 and 500), the message kept but
// bounded, made valid UTF-8 and without the deployment's key.

#include <algorithm>
#include <cstdint>

#include "providers/cohere/translate.h"

namespace sluice::providers::cohere {
namespace {

constexpr size_t kMaxMessage = 4096;     // longest provider message carried
constexpr size_t kMaxBodyExcerpt = 512;  // longest slice of a body in another shape

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

// `text` without `secret`, at most `limit` bytes, invalid UTF-8 replaced by U+FFFD.
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

Failure translate_cohere_error(int status, std::string_view body, std::string_view secret) {
  Failure failure;
  failure.status = status >= 400 && status <= 599 ? status : 502;
  failure.type = error_type_for(failure.status);
  failure.code = "upstream_error";
  rapidjson::Document document;
  std::string_view message;
  if (parse_json(body, &document) && find_string(document, "message", &message) &&
      !message.empty()) {
    failure.message = clean_text(message, secret, kMaxMessage);
    return failure;
  }
  failure.message = "cohere answered HTTP " + std::to_string(status);
  if (const std::string excerpt = clean_text(trim(body), secret, kMaxBodyExcerpt);
      !excerpt.empty()) {
    failure.message += ": " + excerpt;
  }
  return failure;
}

}  // namespace sluice::providers::cohere
