#pragma once
// ASCII case for HTTP text (field names, tokens, schemes): never the C locale's, which could map
// other bytes. Shared by the server, both upstream clients and the host API.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::http {

constexpr char lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// text[0, n) lower-cased where it stands. Every header name of every request and response
// passes here, so it takes eight bytes at a time: a byte gets 0x20 where it is an ASCII
// 'A'..'Z' (the additions cannot carry into the next byte, as the high bits are masked off
// first). Eight bytes or more end with one more word over the last eight, which lowers some of
// them twice (harmless: each word is read before it is written).
inline void lower_ascii_in_place(char* text, size_t n) {
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) text[i] = lower_ascii(text[i]);
    return;
  }
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = kOnes * 0x80;
  const auto lower_word = [text](size_t at) {
    uint64_t word;
    std::memcpy(&word, text + at, 8);
    const uint64_t low_bits = word & (kOnes * 0x7F);
    const uint64_t from_a = low_bits + kOnes * (0x80 - 'A');       // high bit: byte >= 'A'
    const uint64_t after_z = low_bits + kOnes * (0x80 - 'Z' - 1);  // high bit: byte > 'Z'
    const uint64_t upper = from_a & ~after_z & ~word & kHighBits;
    word |= upper >> 2;
    std::memcpy(text + at, &word, 8);
  };
  for (size_t at = 0; at + 8 <= n; at += 8) lower_word(at);
  if (n % 8 != 0) lower_word(n - 8);
}

inline std::string lower_ascii(std::string_view text) {
  std::string out(text);
  lower_ascii_in_place(out.data(), out.size());
  return out;
}

constexpr bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

}  // namespace sluice::http
