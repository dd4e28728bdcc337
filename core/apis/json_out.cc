// JsonOut's writing: strings scanned eight bytes at a time for the few bytes JSON escapes, and
// numbers through rapidjson's own conversions, so the text matches its Writer's exactly.

#include "core/apis/json_out.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include <rapidjson/internal/dtoa.h>
#include <rapidjson/internal/itoa.h>

namespace sluice::apis {
namespace {

constexpr size_t kFirstCapacity = 256;

// What rapidjson's Writer writes after a backslash for each byte below 0x80 that it escapes
// ('u' for \u00XX); 0 for the bytes it writes as they are.
constexpr char escape_letter(unsigned char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\b':
      return 'b';
    case '\t':
      return 't';
    case '\n':
      return 'n';
    case '\f':
      return 'f';
    case '\r':
      return 'r';
    default:
      return c < 0x20 ? 'u' : 0;
  }
}

// The bytes JSON escapes, as a table: one load per byte where a word at a time cannot go.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// Flags (the high bit of each byte) the bytes of `word` that need escaping: below 0x20, a quote
// or a backslash. The lowest flag is always a real one; false flags only ever sit above it.
uint64_t escape_flags(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  const uint64_t quotes = word ^ (kOnes * '"');
  const uint64_t backslashes = word ^ (kOnes * '\\');
  const uint64_t flags = ((word - kOnes * 0x20) & ~word) | ((quotes - kOnes) & ~quotes) |
                         ((backslashes - kOnes) & ~backslashes);
  return flags & (kOnes * 0x80);
}

// The offset of the first byte at or after `from` that needs escaping, or `length`: eight
// bytes at a time, the last eight of the string overlapping the ones already looked at.
size_t next_to_escape(const char* text, size_t from, size_t length) {
  if constexpr (std::endian::native == std::endian::little) {
    if (length - from >= 8) {
      uint64_t word;
      size_t i = from;
      for (; i + 8 <= length; i += 8) {
        std::memcpy(&word, text + i, 8);
        if (const uint64_t hits = escape_flags(word); hits != 0) {
          return i + static_cast<size_t>(std::countr_zero(hits) / 8);
        }
      }
      if (i == length) return length;
      const size_t last = length - 8;  // bytes before i were clean: skip their flags
      std::memcpy(&word, text + last, 8);
      const uint64_t hits = escape_flags(word) >> ((i - last) * 8);
      return hits == 0 ? length : i + static_cast<size_t>(std::countr_zero(hits) / 8);
    }
  }
  size_t i = from;
  while (i < length && !kNeedsEscape[static_cast<unsigned char>(text[i])]) ++i;
  return i;
}

}  // namespace

void JsonOut::grow(size_t bytes) {
  // Past what the caller reserved, doubling.
  target_->resize(
      std::max({used_ + bytes, target_->size() * 2, target_->capacity(), kFirstCapacity}));
}

bool JsonOut::literal(const char* text, size_t length) {
  separate();
  std::memcpy(room(length), text, length);
  used_ += length;
  need_comma_ = true;
  return true;
}

bool JsonOut::open(char bracket) {
  separate();
  *room(1) = bracket;
  ++used_;
  need_comma_ = false;
  return true;
}

bool JsonOut::close(char bracket) {
  *room(1) = bracket;
  ++used_;
  need_comma_ = true;
  return true;
}

bool JsonOut::Int(int i) {
  separate();
  char* start = room(12);
  used_ += static_cast<size_t>(rapidjson::internal::i32toa(i, start) - start);
  need_comma_ = true;
  return true;
}

bool JsonOut::Uint(unsigned u) {
  separate();
  char* start = room(11);
  used_ += static_cast<size_t>(rapidjson::internal::u32toa(u, start) - start);
  need_comma_ = true;
  return true;
}

bool JsonOut::Int64(int64_t i) {
  separate();
  char* start = room(21);
  used_ += static_cast<size_t>(rapidjson::internal::i64toa(i, start) - start);
  need_comma_ = true;
  return true;
}

bool JsonOut::Uint64(uint64_t u) {
  separate();
  char* start = room(21);
  used_ += static_cast<size_t>(rapidjson::internal::u64toa(u, start) - start);
  need_comma_ = true;
  return true;
}

bool JsonOut::Double(double d) {
  if (!std::isfinite(d)) return false;
  separate();
  char* start = room(25);  // rapidjson's own bound for dtoa
  used_ += static_cast<size_t>(rapidjson::internal::dtoa(d, start) - start);
  need_comma_ = true;
  return true;
}

bool JsonOut::String(const char* text, rapidjson::SizeType length, bool) {
  separate();
  quoted(text, length);
  need_comma_ = true;
  return true;
}

bool JsonOut::Key(const char* text, rapidjson::SizeType length, bool) {
  separate();
  quoted(text, length);
  *room(1) = ':';
  ++used_;
  need_comma_ = false;
  return true;
}

void JsonOut::quoted(const char* text, size_t length) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  char* at = room(length + 2);  // enough unless something needs escaping
  *at = '"';
  ++used_;
  size_t done = 0;
  while (true) {
    const size_t next = next_to_escape(text, done, length);
    const size_t run = next - done;
    char* to = room(run + 1);
    if (run > 0) std::memcpy(to, text + done, run);
    used_ += run;
    if (next == length) break;
    const auto c = static_cast<unsigned char>(text[next]);
    const char letter = escape_letter(c);
    at = room(6 + (length - next));
    at[0] = '\\';
    at[1] = letter;
    if (letter == 'u') {
      at[2] = '0';
      at[3] = '0';
      at[4] = kHex[c >> 4];
      at[5] = kHex[c & 0xF];
      used_ += 6;
    } else {
      used_ += 2;
    }
    done = next + 1;
  }
  *room(1) = '"';
  ++used_;
}

}  // namespace sluice::apis
