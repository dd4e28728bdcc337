#pragma once
// RFC 9110 token syntax (method names, header field names), shared by everything that sends or
// checks HTTP: a table, because it runs for every byte of every header name.

#include <array>
#include <string_view>

namespace sluice::http {

inline constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

constexpr bool is_token_char(char c) {
  return kTokenChars[static_cast<unsigned char>(c)];
}

constexpr bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// Whether a header value holds CR, LF or NUL, which must never be sent (header injection). One
// pass: find_first_of over a three-byte set costs a memchr per byte of the value.
constexpr bool has_cr_lf_or_nul(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

}  // namespace sluice::http
