// The JSON writer's string escaping: runs of bytes that need no escape are found eight bytes at
// a time and copied whole.

#include "providers/support/json_writer.h"

#include <cstdint>

namespace sluice::providers::support {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// Whether any byte of `word` is a control character, '"' or '\' (exact for "any": the borrow of
// a subtraction can only mark bytes above one that already matches).
bool needs_escape(uint64_t word) {
  const uint64_t below_space = (word - kOnes * 0x20) & ~word;
  const uint64_t quote = word ^ (kOnes * '"');
  const uint64_t backslash = word ^ (kOnes * '\\');
  const uint64_t zero_quote = (quote - kOnes) & ~quote;
  const uint64_t zero_backslash = (backslash - kOnes) & ~backslash;
  return ((below_space | zero_quote | zero_backslash) & kHighBits) != 0;
}

bool needs_escape(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
}

// The escape rapidjson writes for a byte that needs one: the short forms for \b \t \n \f \r, \"
// and \\, else \u00XX with upper-case hex digits.
size_t write_escape(char c, char* out) {
  char letter = 0;
  switch (c) {
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
    case '"':
      letter = '"';
      break;
    case '\\':
      letter = '\\';
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
  const auto byte = static_cast<unsigned char>(c);
  out[1] = 'u';
  out[2] = '0';
  out[3] = '0';
  out[4] = kHex[byte >> 4];
  out[5] = kHex[byte & 0xF];
  return 6;
}

// The length of the run at the start of [text, end) that needs no escape.
size_t clean_run(const char* text, const char* end) {
  const char* p = text;
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    if (needs_escape(word)) break;
    p += 8;
  }
  while (p < end && !needs_escape(*p)) ++p;
  return static_cast<size_t>(p - text);
}

}  // namespace

void JsonWriter::write_quoted(const char* text, size_t length) {
  const char* end = text + length;
  // Room for the text as it is and its quotes, so that nothing below checks for room; each
  // escape makes room for the rest anew.
  os_->Reserve(length + 2);
  os_->PutUnsafe('"');
  while (text < end) {
    const size_t run = clean_run(text, end);
    std::memcpy(os_->PushUnsafe(run), text, run);
    text += run;
    if (text == end) break;
    char escape[6];
    const size_t size = write_escape(*text++, escape);
    os_->Reserve(size + static_cast<size_t>(end - text) + 1);
    std::memcpy(os_->PushUnsafe(size), escape, size);
  }
  os_->PutUnsafe('"');
}

}  // namespace sluice::providers::support
