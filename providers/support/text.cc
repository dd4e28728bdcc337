// Provider text made safe to hand to a client, and OpenAI's error type for a status.

#include "providers/support/text.h"

#include <algorithm>

#include "providers/support/json.h"

namespace sluice::providers::support {

void redact(std::string& text, std::string_view secret) {
  if (secret.size() < 4) return;
  constexpr std::string_view kMark = "[redacted]";
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), kMark);
    at += kMark.size();
  }
}

std::string_view bounded(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  // Back up over continuation bytes to the start of the sequence that would be cut.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string clean_text(std::string_view text, std::string_view secret, size_t limit) {
  std::string redacted(text);
  redact(redacted, secret);
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

bool has_control_bytes(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace sluice::providers::support
