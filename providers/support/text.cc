// Provider text made safe to hand to a client, and OpenAI's error type for a status.

#include "providers/support/text.h"

#include <algorithm>

#include "providers/support/json.h"

namespace sluice::providers::support {

std::string clean_text(std::string_view text, std::string_view secret, size_t limit) {
  std::string redacted(text);
  if (secret.size() >= 4) {
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

std::string_view openai_error_type(int status) {
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

}  // namespace sluice::providers::support
