#pragma once
// Finding the bytes a JSON string treats specially -- '"', '\\' and the control bytes below
// 0x20 -- sixteen bytes at a time with SSE2, eight at a time without it, one at a time only for
// the last few. The quick reader looks for where a string ends with it, the writer for what
// needs escaping. Reads nothing outside the range it is given.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::providers::support {

// The special bytes as a table: one load for each byte looked at one at a time.
inline constexpr std::array<bool, 256> kJsonSpecial = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

inline bool is_json_special(unsigned char c) {
  return kJsonSpecial[c];
}

namespace scan_detail {

#if defined(__SSE2__)
// One bit per special byte of the sixteen at `at`.
inline unsigned special_mask(const char* at) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  const __m128i control_max = _mm_set1_epi8(0x1F);
  const __m128i controls = _mm_cmpeq_epi8(_mm_max_epu8(bytes, control_max), control_max);
  const __m128i quotes = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
  const __m128i backslashes = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'));
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(controls, _mm_or_si128(quotes, backslashes))));
}
#endif

// The high bit of each special byte of the eight at `at` (little-endian order). The lowest set
// bit is always a real one; borrows can only raise false ones above it.
inline uint64_t special_flags(const char* at) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  uint64_t word;
  std::memcpy(&word, at, 8);
  const uint64_t quotes = word ^ (kOnes * '"');
  const uint64_t backslashes = word ^ (kOnes * '\\');
  const uint64_t flags = ((word - kOnes * 0x20) & ~word) | ((quotes - kOnes) & ~quotes) |
                         ((backslashes - kOnes) & ~backslashes);
  return flags & (kOnes * 0x80);
}

}  // namespace scan_detail

// The offset of the first special byte of text[from, length), or `length`. The last block is
// read overlapping the one before (its bytes already known plain) rather than byte by byte.
inline size_t next_json_special(const char* text, size_t from, size_t length) {
  size_t i = from;
#if defined(__SSE2__)
  if (length - i >= 16) {
    for (; i + 16 <= length; i += 16) {
      if (const unsigned mask = scan_detail::special_mask(text + i); mask != 0) {
        return i + static_cast<size_t>(std::countr_zero(mask));
      }
    }
    if (i == length) return length;
    const size_t last = length - 16;
    const unsigned mask = scan_detail::special_mask(text + last) >> (i - last);
    return mask == 0 ? length : i + static_cast<size_t>(std::countr_zero(mask));
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    if (length - i >= 8) {
      for (; i + 8 <= length; i += 8) {
        if (const uint64_t flags = scan_detail::special_flags(text + i); flags != 0) {
          return i + static_cast<size_t>(std::countr_zero(flags) / 8);
        }
      }
      if (i == length) return length;
      const size_t last = length - 8;
      const uint64_t flags = scan_detail::special_flags(text + last) >> ((i - last) * 8);
      return flags == 0 ? length : i + static_cast<size_t>(std::countr_zero(flags) / 8);
    }
  }
  while (i < length && !is_json_special(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

// Writes the escape rapidjson writes for a special byte (one is_json_special accepts) to `out`
// (room for 6): the short forms for \b \t \n \f \r, \" and \\, else \u00XX with upper-case
// hex digits. Returns its length. The writers of both ways of writing JSON (JsonWriter, core/apis'
// JsonOut) escape with it, so their text stays byte for byte rapidjson's.
inline size_t write_json_escape(unsigned char c, char* out) {
  char letter = 0;
  switch (c) {
    case '"':
      letter = '"';
      break;
    case '\\':
      letter = '\\';
      break;
    case '\b':
      letter = 'b';
      break;
    case '\t':
      letter = 't';
      break;
    case '\n':
      letter = 'n';
      break;
    case '\f':
      letter = 'f';
      break;
    case '\r':
      letter = 'r';
      break;
    default:
      break;
  }
  out[0] = '\\';
  if (letter != 0) {
    out[1] = letter;
    return 2;
  }
  constexpr char kHex[] = "0123456789ABCDEF";
  out[1] = 'u';
  out[2] = '0';
  out[3] = '0';
  out[4] = kHex[c >> 4];
  out[5] = kHex[c & 0xF];
  return 6;
}

}  // namespace sluice::providers::support
