// The request parser's fast path (see plain_request_head.h).

#include "core/http/plain_request_head.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "core/http/ascii_case.h"
#include "core/http/field_value.h"
#include "core/http/token.h"

namespace sluice::http {
namespace {

// RFC 3986 path and query characters: unreserved, sub-delims, ':', '@', '/', '?' and '%'. A
// fragment ('#') and every other byte take the llhttp path.
constexpr std::array<bool, 256> kTargetChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("-._~!$&'()*+,;=:@/?%"))
    table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// The method at the start of `line` when it is a common one followed by a space; empty else.
std::string_view common_method(const char* line, size_t size) {
  static constexpr std::string_view kMethods[] = {"GET",   "POST", "PUT",    "DELETE",
                                                  "PATCH", "HEAD", "OPTIONS"};
  for (std::string_view method : kMethods) {
    if (size > method.size() && line[method.size()] == ' ' &&
        std::memcmp(line, method.data(), method.size()) == 0) {
      return method;
    }
  }
  return {};
}

bool is_field_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 0x20 && byte < 0x7F) || byte == '\t';
}

// Every byte is visible ASCII, a space or a tab. Eight bytes at a time: a word with no byte
// below 0x20 or from 0x7F up is fine as it is; only a word with one is looked at byte by byte.
bool is_field_text(const char* text, size_t size) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, text + i, 8);
    const uint64_t below_space = (word - kOnes * 0x20) & ~word;
    const uint64_t from_del = (word + kOnes) | word;
    if (((below_space | from_del) & kHighs) == 0) continue;
    for (size_t j = i; j < i + 8; ++j) {
      if (!is_field_byte(text[j])) return false;
    }
  }
  for (; i < size; ++i) {
    if (!is_field_byte(text[i])) return false;
  }
  return true;
}

bool is_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The framing fields the fast path reads itself. False for what it leaves to llhttp: any
// Transfer-Encoding, and a second Content-Length or one that is not plain digits (llhttp refuses
// a tab after the digits, so a tab anywhere in it goes there too).
bool note_framing(const Header& field, std::string_view raw_value, PlainHead& head) {
  if (field.name.size() == 17 && field.name == "transfer-encoding") return false;
  if (field.name.size() != 14 || field.name != "content-length") return true;
  if (raw_value.find('\t') != std::string_view::npos) return false;
  // Fifteen digits at most: far beyond any body limit, and never near overflow.
  if (head.has_content_length || field.value.size() > 15 || !is_digits(field.value)) return false;
  head.has_content_length = true;
  uint64_t length = 0;
  for (char c : field.value) length = length * 10 + static_cast<uint64_t>(c - '0');
  head.content_length = length;
  return true;
}

}  // namespace

bool read_plain_head(std::string_view data, const ServerLimits& limits, Request& request,
                     PlainHead& head) {
  const char* const begin = data.data();
  const char* const end = begin + std::min<size_t>(data.size(), limits.max_header_bytes);
  const std::string_view method = common_method(begin, static_cast<size_t>(end - begin));
  if (method.empty()) return false;

  // The request line's target and version: "<method> /<target chars> HTTP/1.<0|1>\r\n".
  const char* const target = begin + method.size() + 1;
  const char* p = target;
  while (p < end && kTargetChars[static_cast<unsigned char>(*p)]) ++p;
  const auto target_size = static_cast<size_t>(p - target);
  if (target_size == 0 || *target != '/' || target_size > limits.max_url_bytes) return false;
  if (end - p < 11 || std::memcmp(p, " HTTP/1.", 8) != 0 || (p[8] != '0' && p[8] != '1') ||
      p[9] != '\r' || p[10] != '\n') {
    return false;
  }
  head.version_minor = static_cast<uint8_t>(p[8] - '0');
  p += 11;
  request.target = std::string(target, target_size);

  // Field lines up to the empty one.
  uint32_t fields = 0;
  while (true) {
    if (end - p < 2) return false;
    if (p[0] == '\r') {
      if (p[1] != '\n') return false;
      p += 2;
      break;
    }
    const auto* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<size_t>(end - p)));
    if (cr == nullptr || cr + 1 == end || cr[1] != '\n') return false;
    const char* name_end = p;
    while (name_end < cr && is_token_char(*name_end)) ++name_end;
    // No name (a line starting with a space is obsolete folding), or no colon right after it.
    if (name_end == p || name_end == cr || *name_end != ':') return false;
    const char* const value = name_end + 1;
    if (!is_field_text(value, static_cast<size_t>(cr - value))) return false;
    if (++fields > limits.max_header_count) return false;
    // Built by the string constructors: assign() goes through the library's general replace.
    const std::string_view raw_value(value, static_cast<size_t>(cr - value));
    const std::string_view trimmed = trim_ows(raw_value);
    Header& field = request.headers.emplace_back(std::string(p, name_end),
                                                 std::string(trimmed.data(), trimmed.size()));
    lower_ascii_in_place(field.name.data(), field.name.size());
    if (!note_framing(field, raw_value, head)) return false;
    p = cr + 2;
  }
  head.bytes = static_cast<size_t>(p - begin);
  head.method = method;
  return true;
}

}  // namespace sluice::http
