#pragma once
// Internal to core/observability: UTF-8 well-formedness as the Unicode standard defines it
// (Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).

#include <cstddef>

namespace sluice::observability_internal {

// Length (2..4) of the well-formed multi-byte sequence starting at p[0], where p[0] >= 0x80 and
// n bytes are available; 0 when p[0] does not start one (the caller replaces that byte).
inline size_t utf8_sequence_length(const unsigned char* p, size_t n) {
  const unsigned char b0 = p[0];
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < n && p[i] >= lo && p[i] <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2) ? 3 : 0;
  if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (b0 == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (b0 == 0xF0) return cont(1, 0x90, 0xBF) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

inline constexpr char kReplacementCharacter[] = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace sluice::observability_internal
