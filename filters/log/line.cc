// log: formatting the access-log line (see line.h).

#include "filters/log/line.h"

#include <array>
#include <charconv>
#include <cstring>
#include <ctime>

#include "filters/common/json_text.h"

namespace sluice::filters::log {
namespace {

// The line is written through a pointer into room made for it beforehand (see format_line), so
// no append checks capacity. Fixed text is copied with its size known at compile time.
template <size_t N>
char* put(char* at, const char (&text)[N]) {
  std::memcpy(at, text, N - 1);
  return at + N - 1;
}

// Counts are short (at most 19 digits): a byte loop costs less than a library call.
char* put_digits(char* at, std::string_view digits) {
  for (char c : digits) *at++ = c;
  return at;
}

// The bytes a JSON string holds as they are (common::is_plain_json_byte), as a table: one load
// per byte where escaping is decided byte by byte.
constexpr auto kPlainByte = [] {
  std::array<bool, 256> plain{};
  for (size_t c = 0; c < 256; ++c) plain[c] = common::is_plain_json_byte(static_cast<uint8_t>(c));
  return plain;
}();

uint64_t load8(const char* bytes) {
  uint64_t word;
  std::memcpy(&word, bytes, sizeof(word));
  return word;
}

// Whether text (at least eight bytes) needs no escaping, eight bytes at a time (the last eight
// overlapping the ones before).
bool all_plain(const char* text, size_t n) {
  for (size_t i = 0; i + 8 < n; i += 8) {
    if (!common::plain_json_word(load8(text + i))) return false;
  }
  return common::plain_json_word(load8(text + n - 8));
}

// The escaping path of put_json_string: runs of plain bytes copied as they are, the rest escaped
// one by one.
char* put_escaped(char* at, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* bytes = text.data();
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    for (; i + 8 <= n && common::plain_json_word(load8(bytes + i)); i += 8, at += 8) {
      std::memcpy(at, bytes + i, 8);
    }
    while (i < n && kPlainByte[static_cast<uint8_t>(bytes[i])]) *at++ = bytes[i++];
    if (i == n) break;
    const auto c = static_cast<uint8_t>(bytes[i]);
    if (c >= 0x80) {
      const size_t length = common::utf8_sequence_length(text, i);
      if (length == 0) {
        at = put(at, "\xEF\xBF\xBD");
        ++i;
      } else {
        std::memcpy(at, bytes + i, length);
        at += length;
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        at = put(at, "\\\"");
        break;
      case '\\':
        at = put(at, "\\\\");
        break;
      case '\n':
        at = put(at, "\\n");
        break;
      case '\r':
        at = put(at, "\\r");
        break;
      case '\t':
        at = put(at, "\\t");
        break;
      default:  // the other control characters and DEL
        at = put(at, "\\u00");
        *at++ = kHex[c >> 4];
        *at++ = kHex[c & 0xF];
    }
    ++i;
  }
  return at;
}

// common::append_json_string's output, byte for byte, at `at`. Most values need no escaping, so
// that is checked first, a word at a time, and such a value is copied whole; any other goes
// through put_escaped. Writes at most 6 * text.size() + 2 bytes (a
// byte escaped as \u00XX is six; a stray UTF-8 byte becomes three).
char* put_json_string(char* at, std::string_view text) {
  const char* bytes = text.data();
  const size_t n = text.size();
  *at++ = '"';
  if (n >= 8) {
    if (all_plain(bytes, n)) {
      std::memcpy(at, bytes, n);
      at += n;
    } else {
      at = put_escaped(at, text);
    }
  } else if (n >= 4) {
    // The first and last four bytes (overlapping) checked as one word.
    uint32_t head, tail;
    std::memcpy(&head, bytes, 4);
    std::memcpy(&tail, bytes + n - 4, 4);
    if (common::plain_json_word(head | uint64_t{tail} << 32)) {
      std::memcpy(at, &head, 4);
      std::memcpy(at + n - 4, &tail, 4);
      at += n;
    } else {
      at = put_escaped(at, text);
    }
  } else {
    at = put_escaped(at, text);
  }
  *at++ = '"';
  return at;
}

char* put_string(char* at, sluice_str value) {
  return value.ptr ? put_json_string(at, std::string_view(value.ptr, value.len)) : put(at, "null");
}

// The digits of a metadata value that is a decimal count (as the host and filters write them),
// without leading zeros, so that they are the number's JSON text; empty when it is not one.
std::string_view count_digits(sluice_str text) {
  if (!text.ptr || text.len == 0 || text.len > 19) return {};
  size_t first = 0;
  while (first + 1 < text.len && text.ptr[first] == '0') ++first;  // "007" is 7
  for (size_t i = first; i < text.len; ++i) {
    if (static_cast<uint8_t>(text.ptr[i] - '0') > 9) return {};
  }
  return std::string_view(text.ptr + first, text.len - first);
}

// count_digits(text), or null when that is empty, checked and copied in one pass.
char* put_count(char* at, sluice_str text) {
  char* const start = at;
  if (text.ptr && text.len > 0 && text.len <= 19) {
    size_t i = 0;
    while (i + 1 < text.len && text.ptr[i] == '0') ++i;
    while (i < text.len && static_cast<uint8_t>(text.ptr[i] - '0') <= 9) *at++ = text.ptr[i++];
    if (i == text.len) return at;
  }
  return put(start, "null");  // over any digits copied before a byte that is not one
}

// Microseconds (the digits of a count) as milliseconds with three decimals: "12345" -> 12.345,
// "5" -> 0.005. Done on the text, which has no leading zeros, so no division is needed.
char* put_millis(char* at, std::string_view micros) {
  const size_t n = micros.size();
  if (n == 0) return put(at, "null");
  if (n > 3) {
    at = put_digits(at, micros.substr(0, n - 3));
    *at++ = '.';
    return put_digits(at, micros.substr(n - 3));
  }
  at = put(at, "0.");
  for (size_t i = n; i < 3; ++i) *at++ = '0';
  return put_digits(at, micros);
}

// The room a line takes besides its strings: the field names and punctuation (under 400 bytes),
// eight counts of at most 19 digits, three latencies of at most 21 characters, the timestamp.
constexpr size_t kFixedRoom = 1024;
constexpr MetaKey kStringKeys[] = {kRequestId,     kRequestChain,      kRequestMethod,
                                   kRequestPath,   kRouteModel,        kRouteDeployment,
                                   kRouteProvider, kRouteProviderModel};

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
  // Room for the longest line these values can make, so nothing below checks for room; the
  // buffer keeps its size from line to line, so after the first lines this allocates nothing.
  size_t room = kFixedRoom;
  for (MetaKey key : kStringKeys) {
    room += 6 * meta[key].len + 2;
  }
  if (scratch.text.size() < room) scratch.text.resize(room);
  char* const begin = scratch.text.data();
  char* at = put(begin, "{\"ts\":\"");
  scratch.clock.format(facts.start, at);
  at += TimestampFormatter::kSize;
  at = put(at, "\",\"request_id\":");
  at = put_string(at, meta[kRequestId]);
  at = put(at, ",\"chain\":");
  at = put_string(at, meta[kRequestChain]);
  at = put(at, ",\"method\":");
  at = put_string(at, meta[kRequestMethod]);
  at = put(at, ",\"path\":");
  at = put_string(at, meta[kRequestPath]);
  at = put(at, ",\"model\":");
  at = put_string(at, meta[kRouteModel]);
  at = put(at, ",\"deployment\":");
  at = put_string(at, meta[kRouteDeployment]);
  at = put(at, ",\"provider\":");
  at = put_string(at, meta[kRouteProvider]);
  at = put(at, ",\"provider_model\":");
  at = put_string(at, meta[kRouteProviderModel]);
  at = put(at, ",\"attempts\":");
  at = put_count(at, meta[kUpstreamAttempts]);
  at = put(at, ",\"status\":");
  at = put_count(at, meta[kResponseStatus]);
  const sluice_str aborted = meta[kRequestAborted];
  at = (aborted.ptr ? aborted.len == 1 && aborted.ptr[0] == '1' : facts.aborted)
           ? put(at, ",\"aborted\":true")
           : put(at, ",\"aborted\":false");
  at = put(at, ",\"request_bytes\":");
  at = put_count(at, meta[kRequestBytes]);
  at = put(at, ",\"response_bytes\":");
  at = put_count(at, meta[kResponseBytes]);
  at = put(at, ",\"latency_ms\":");
  std::string_view total = count_digits(meta[kTimingTotalUs]);
  char measured[20];
  if (total.empty()) {
    // Cannot fail: 20 digits hold any uint64_t.
    char* end = std::to_chars(measured, measured + sizeof(measured), facts.measured_total_us).ptr;
    total = std::string_view(measured, static_cast<size_t>(end - measured));
  }
  at = put_millis(at, total);
  at = put(at, ",\"upstream_latency_ms\":");
  at = put_millis(at, count_digits(meta[kTimingUpstreamUs]));
  at = put(at, ",\"ttft_ms\":");
  at = put_millis(at, count_digits(meta[kTimingTtftUs]));
  at = put(at, ",\"prompt_tokens\":");
  at = put_count(at, meta[kUsagePromptTokens]);
  at = put(at, ",\"completion_tokens\":");
  at = put_count(at, meta[kUsageCompletionTokens]);
  at = put(at, ",\"total_tokens\":");
  at = put_count(at, meta[kUsageTotalTokens]);
  at = put(at, "}\n");
  return std::string_view(begin, static_cast<size_t>(at - begin));
}

std::string format_line(const MetaValues& meta, const LineFacts& facts) {
  LineScratch scratch;
  return std::string(format_line(meta, facts, scratch));
}

}  // namespace sluice::filters::log
