// log: formatting the access-log line (see line.h).

#include "filters/log/line.h"

#include <array>
#include <charconv>
#include <cstring>
#include <ctime>

#include "filters/common/json_text.h"

namespace sluice::filters::log {
namespace {

// Room for everything but the strings' text: the keys and punctuation (about 300 bytes), the
// timestamp, and the numbers (a count has at most 19 digits, a latency at most 21 characters).
constexpr size_t kFixedBytes = 1024;
// The most one byte of a string can become: a control character is written as \u00XX.
constexpr size_t kEscapedBytesPerByte = 6;

// The writers below take the position and return the one after what they wrote: a char* kept in
// a local (not reached through a reference) stays in a register, as stores through char* could
// otherwise change it.

// Copies a literal without its terminator; the length is a constant, so no memcpy call.
template <size_t N>
inline char* put(char* p, const char (&text)[N]) {
  std::memcpy(p, text, N - 1);
  return p + N - 1;
}

inline char* put(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

constexpr uint64_t kOnes = 0x0101010101010101;
constexpr uint64_t kHigh = 0x8080808080808080;

// Whether one of the 8 bytes of x needs more than a copy in a JSON string: a control character,
// '"', '\\', DEL, or a byte of a multi-byte (or invalid) UTF-8 sequence. Exact as a yes/no: the
// borrows of the zero-byte tests only spill above a byte that already matched.
inline bool needs_escaping(uint64_t x) {
  const auto has_zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t below_space = (x - kOnes * 0x20) & ~x;
  const uint64_t del_or_high = (x + kOnes) | x;  // 0x7F becomes 0x80; 0x80 and above are set
  return ((below_space | del_or_high | has_zero_byte(x ^ (kOnes * '"')) |
           has_zero_byte(x ^ (kOnes * '\\'))) &
          kHigh) != 0;
}

// Whether one of the 8 bytes of x is not a decimal digit: every high nibble must be 3, and stay 3
// when 6 is added (0x3A..0x3F become 0x40..; no carry crosses a byte once the nibbles are 3).
inline bool has_non_digit(uint64_t x) {
  constexpr uint64_t kHighNibbles = kOnes * 0xF0;
  return (x & kHighNibbles) != kOnes * 0x30 || ((x + kOnes * 6) & kHighNibbles) != kOnes * 0x30;
}

// Whether bad(word) is false for every byte of s[0, n), 8 bytes at a time without reading outside
// the text: the last word overlaps the one before, a text under 8 bytes is read as two
// overlapping 4-byte halves (or, under 4, its first, middle and last byte, the other lanes set to
// `pad`, a byte that passes). The metadata values are mostly short: this avoids a loop per byte.
template <class Bad>
inline bool none_bad(const char* s, size_t n, Bad bad, uint8_t pad) {
  uint64_t word;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&word, s + i, 8);
      if (bad(word)) return false;
    }
    std::memcpy(&word, s + n - 8, 8);
    return !bad(word);
  }
  if (n >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, s, 4);
    std::memcpy(&tail, s + n - 4, 4);
    word = uint64_t{head} << 32 | tail;
  } else {
    word = kOnes * pad;
    if (n > 0) {
      const auto byte = [s](size_t i) { return uint64_t{static_cast<unsigned char>(s[i])}; };
      word = (word & ~uint64_t{0xFFFFFF}) | byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
    }
  }
  return !bad(word);
}

// Copies s[0, n) with the same overlapping loads and stores: no memcpy call for a short text.
inline char* copy_text(char* p, const char* s, size_t n) {
  if (n > 16) {
    std::memcpy(p, s, n);
  } else if (n >= 8) {
    uint64_t head, tail;
    std::memcpy(&head, s, 8);
    std::memcpy(&tail, s + n - 8, 8);
    std::memcpy(p, &head, 8);
    std::memcpy(p + n - 8, &tail, 8);
  } else if (n >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, s, 4);
    std::memcpy(&tail, s + n - 4, 4);
    std::memcpy(p, &head, 4);
    std::memcpy(p + n - 4, &tail, 4);
  } else if (n > 0) {
    p[0] = s[0];
    p[n / 2] = s[n / 2];
    p[n - 1] = s[n - 1];
  }
  return p + n;
}

// The bytes a JSON string holds as they are.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

// One byte (or one UTF-8 sequence) of text at i, exactly as common::append_json_string writes
// it; returns the index after it. The slow path, for what the runs below do not copy.
size_t put_json_char(char*& out, std::string_view text, size_t i) {
  static constexpr char kHex[] = "0123456789abcdef";
  char* p = out;
  const auto c = static_cast<uint8_t>(text[i]);
  size_t next = i + 1;
  if (c >= 0x80) {
    size_t length = common::utf8_sequence_length(text, i);
    if (length == 0) {
      p = put(p, "\xEF\xBF\xBD");
    } else {
      p = put(p, text.substr(i, length));
      next = i + length;
    }
  } else {
    switch (c) {
      case '"':
        p = put(p, "\\\"");
        break;
      case '\\':
        p = put(p, "\\\\");
        break;
      case '\n':
        p = put(p, "\\n");
        break;
      case '\r':
        p = put(p, "\\r");
        break;
      case '\t':
        p = put(p, "\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          p = put(p, "\\u00");
          *p++ = kHex[c >> 4];
          *p++ = kHex[c & 0xF];
        } else {
          *p++ = static_cast<char>(c);
        }
    }
  }
  out = p;
  return next;
}

// A text with something to escape: runs of 8 bytes that need nothing are copied at once, the
// rest byte by byte. Out of line, so that the common case below needs few registers.
[[gnu::noinline]] char* put_escaped(char* p, std::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  while (n - i >= 8) {
    uint64_t block;
    std::memcpy(&block, text.data() + i, 8);
    if (needs_escaping(block)) {
      char* q = p;
      i = put_json_char(q, text, i);
      p = q;
    } else {
      std::memcpy(p, &block, 8);
      p += 8;
      i += 8;
    }
  }
  while (i < n) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (kPlain[c]) {
      *p++ = static_cast<char>(c);
      ++i;
    } else {
      char* q = p;
      i = put_json_char(q, text, i);
      p = q;
    }
  }
  return p;
}

// A JSON string literal; usually nothing needs escaping and the text is copied at once.
char* put_json_string(char* p, std::string_view text) {
  *p++ = '"';
  p = none_bad(text.data(), text.size(), needs_escaping, ' ')
          ? copy_text(p, text.data(), text.size())
          : put_escaped(p, text);
  *p++ = '"';
  return p;
}

inline char* put_string(char* p, const std::optional<std::string_view>& value) {
  return value ? put_json_string(p, *value) : put(p, "null");
}

// The digits of a metadata value that is a decimal count (as the host and filters write them),
// without leading zeros, so that they are the number's JSON text; empty when it is not one.
inline std::string_view count_digits(const std::optional<std::string_view>& text) {
  if (!text || text->empty() || text->size() > 19) return {};
  const char* digits = text->data();
  size_t n = text->size();
  if (!none_bad(digits, n, has_non_digit, '0')) return {};
  while (n > 1 && *digits == '0') {  // "007" is 7, "000" is 0
    ++digits;
    --n;
  }
  return std::string_view(digits, n);
}

inline char* put_count(char* p, std::string_view digits) {
  return digits.empty() ? put(p, "null") : copy_text(p, digits.data(), digits.size());
}

// Microseconds (the digits of a count) as milliseconds with three decimals: "12345" -> 12.345,
// "5" -> 0.005. Done on the text, which has no leading zeros, so no division is needed.
char* put_millis(char* p, std::string_view micros) {
  if (micros.empty()) return put(p, "null");
  const size_t n = micros.size();
  if (n > 3) {
    p = copy_text(p, micros.data(), n - 3);
    *p++ = '.';
    return copy_text(p, micros.data() + n - 3, 3);
  }
  p = put(p, "0.000");
  copy_text(p - n, micros.data(), n);  // the fraction's last digits
  return p;
}

}  // namespace

void TimestampFormatter::format(std::chrono::system_clock::time_point time, char* out) {
  using namespace std::chrono;
  const int64_t ms = floor<milliseconds>(time.time_since_epoch()).count();
  int64_t second = ms / 1000;
  int64_t milli = ms % 1000;
  if (milli < 0) {  // before 1970: the second below, as a calendar counts
    milli += 1000;
    --second;
  }
  if (second != second_) {
    std::time_t seconds = static_cast<std::time_t>(second);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    // A system_clock time is within years 1677..2262, so this is always 19 characters.
    std::strftime(prefix_, sizeof(prefix_), "%Y-%m-%dT%H:%M:%S", &utc);
    prefix_[19] = '.';
    second_ = second;
  }
  std::memcpy(out, prefix_, sizeof(prefix_));
  out[20] = static_cast<char>('0' + milli / 100);
  out[21] = static_cast<char>('0' + milli / 10 % 10);
  out[22] = static_cast<char>('0' + milli % 10);
  out[23] = 'Z';
}

std::string rfc3339_ms(std::chrono::system_clock::time_point time) {
  std::string out(TimestampFormatter::kSize, '\0');
  TimestampFormatter().format(time, out.data());
  return out;
}

std::string_view format_line(const MetaValues& meta, const LineFacts& facts, LineScratch& scratch) {
  // Enough room for the longest line these values can make, so nothing below checks for room.
  size_t bound = kFixedBytes;
  for (MetaKey key : {kRequestId, kRequestChain, kRequestMethod, kRequestPath, kRouteModel,
                      kRouteDeployment, kRouteProvider, kRouteProviderModel}) {
    if (meta[key]) bound += meta[key]->size() * kEscapedBytesPerByte;
  }
  if (scratch.text.size() < bound) scratch.text.resize(bound);
  char* const begin = scratch.text.data();
  char* p = begin;

  p = put(p, "{\"ts\":\"");
  scratch.clock.format(facts.start, p);
  p += TimestampFormatter::kSize;
  p = put(p, "\",\"request_id\":");
  p = put_string(p, meta[kRequestId]);
  p = put(p, ",\"chain\":");
  p = put_string(p, meta[kRequestChain]);
  p = put(p, ",\"method\":");
  p = put_string(p, meta[kRequestMethod]);
  p = put(p, ",\"path\":");
  p = put_string(p, meta[kRequestPath]);
  p = put(p, ",\"model\":");
  p = put_string(p, meta[kRouteModel]);
  p = put(p, ",\"deployment\":");
  p = put_string(p, meta[kRouteDeployment]);
  p = put(p, ",\"provider\":");
  p = put_string(p, meta[kRouteProvider]);
  p = put(p, ",\"provider_model\":");
  p = put_string(p, meta[kRouteProviderModel]);
  p = put(p, ",\"attempts\":");
  p = put_count(p, count_digits(meta[kUpstreamAttempts]));
  p = put(p, ",\"status\":");
  p = put_count(p, count_digits(meta[kResponseStatus]));
  p = put(p, ",\"aborted\":");
  const std::optional<std::string_view>& aborted = meta[kRequestAborted];
  if (aborted ? *aborted == "1" : facts.aborted) {
    p = put(p, "true");
  } else {
    p = put(p, "false");
  }
  p = put(p, ",\"request_bytes\":");
  p = put_count(p, count_digits(meta[kRequestBytes]));
  p = put(p, ",\"response_bytes\":");
  p = put_count(p, count_digits(meta[kResponseBytes]));
  p = put(p, ",\"latency_ms\":");
  std::string_view total = count_digits(meta[kTimingTotalUs]);
  char measured[20];
  if (total.empty()) {
    // Cannot fail: 20 digits hold any uint64_t.
    char* end = std::to_chars(measured, measured + sizeof(measured), facts.measured_total_us).ptr;
    total = std::string_view(measured, static_cast<size_t>(end - measured));
  }
  p = put_millis(p, total);
  p = put(p, ",\"upstream_latency_ms\":");
  p = put_millis(p, count_digits(meta[kTimingUpstreamUs]));
  p = put(p, ",\"ttft_ms\":");
  p = put_millis(p, count_digits(meta[kTimingTtftUs]));
  p = put(p, ",\"prompt_tokens\":");
  p = put_count(p, count_digits(meta[kUsagePromptTokens]));
  p = put(p, ",\"completion_tokens\":");
  p = put_count(p, count_digits(meta[kUsageCompletionTokens]));
  p = put(p, ",\"total_tokens\":");
  p = put_count(p, count_digits(meta[kUsageTotalTokens]));
  p = put(p, "}\n");
  return std::string_view(begin, static_cast<size_t>(p - begin));
}

std::string format_line(const MetaValues& meta, const LineFacts& facts) {
  LineScratch scratch;
  return std::string(format_line(meta, facts, scratch));
}

}  // namespace sluice::filters::log
