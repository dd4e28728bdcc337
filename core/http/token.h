#pragma once
// RFC 9110 token syntax (method names, header field names), shared by everything that sends or
// checks HTTP: a table, because it runs for every byte of every header name.

#include <array>
#include <cstdint>
#include <cstring>
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

// Whether a header value holds CR, LF or NUL, which must never be sent (header injection). It
// runs for every header a filter sets, so it looks at eight bytes at a time.
inline bool has_cr_lf_or_nul(std::string_view value) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  // A high bit for each zero byte (exact when the word has any: a spill only follows a zero).
  const auto zero_bytes = [](uint64_t word) { return (word - kOnes) & ~word & kHighs; };
  size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, value.data() + i, 8);
    if ((zero_bytes(word) | zero_bytes(word ^ (kOnes * '\r')) |
         zero_bytes(word ^ (kOnes * '\n'))) != 0) {
      return true;
    }
  }
  for (; i < value.size(); ++i) {
    if (value[i] == '\r' || value[i] == '\n' || value[i] == '\0') return true;
  }
  return false;
}

}  // namespace sluice::http
