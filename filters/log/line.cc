// log: formatting the access-log line (see line.h).

#include "filters/log/line.h"

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

char* put_string(char* at, sluice_str value) {
  return value.ptr ? common::write_json_string(at, std::string_view(value.ptr, value.len))
                   : put(at, "null");
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
constexpr MetaKey kStringKeys[] = {
    kRequestId,       kRequestChain,  kRequestMethod,      kRequestPath, kRouteModel,
    kRouteDeployment, kRouteProvider, kRouteProviderModel, kRequestApi,  kRequestClientPath};

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
    room += common::json_string_bound(meta[key].len);
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
  // A request in another client API (Anthropic's, Bedrock's) is logged with the path it came on
  // and the API's name; the chain saw OpenAI's path.
  at = put_string(at, meta[kRequestClientPath].ptr ? meta[kRequestClientPath] : meta[kRequestPath]);
  if (meta[kRequestApi].ptr) {
    at = put(at, ",\"api\":");
    at = put_string(at, meta[kRequestApi]);
  }
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
  at = put_millis(at, count_digits(meta[kTimingTotalUs]));
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
