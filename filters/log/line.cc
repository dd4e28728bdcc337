// log: formatting the access-log line (see line.h).

#include "filters/log/line.h"

#include <charconv>
#include <cstring>
#include <ctime>
#include <utility>

#include "filters/common/json_text.h"

namespace sluice::filters::log {
namespace {

void put_string(std::string& out, const std::optional<std::string_view>& value) {
  if (value) {
    common::append_json_string(out, *value);
  } else {
    out += "null";
  }
}

// The digits of a metadata value that is a decimal count (as the host and filters write them),
// without leading zeros, so that they are the number's JSON text; empty when it is not one.
std::string_view count_digits(const std::optional<std::string_view>& text) {
  if (!text || text->empty() || text->size() > 19) return {};
  for (char c : *text) {
    if (c < '0' || c > '9') return {};
  }
  std::string_view digits = *text;
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);  // "007" is 7
  return digits;
}

void put_count(std::string& out, std::string_view digits) {
  if (digits.empty()) {
    out += "null";
  } else {
    out += digits;
  }
}

// Microseconds (the digits of a count) as milliseconds with three decimals: "12345" -> 12.345,
// "5" -> 0.005. Done on the text, which has no leading zeros, so no division is needed.
void put_millis(std::string& out, std::string_view micros) {
  const size_t n = micros.size();
  if (n == 0) {
    out += "null";
  } else if (n > 3) {
    out.append(micros.substr(0, n - 3)).append(".").append(micros.substr(n - 3));
  } else {
    out.append("0.").append(3 - n, '0').append(micros);
  }
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
  std::string& out = scratch.text;
  out.clear();  // keeps its capacity: a line costs no allocation
  char timestamp[TimestampFormatter::kSize];
  scratch.clock.format(facts.start, timestamp);
  out.append("{\"ts\":\"").append(timestamp, sizeof(timestamp)).append("\"");
  static constexpr std::pair<std::string_view, MetaKey> kStrings[] = {
      {",\"request_id\":", kRequestId},   {",\"chain\":", kRequestChain},
      {",\"method\":", kRequestMethod},   {",\"path\":", kRequestPath},
      {",\"model\":", kRouteModel},       {",\"deployment\":", kRouteDeployment},
      {",\"provider\":", kRouteProvider}, {",\"provider_model\":", kRouteProviderModel}};
  for (const auto& [key, index] : kStrings) {
    out += key;
    put_string(out, meta[index]);
  }
  out += ",\"attempts\":";
  put_count(out, count_digits(meta[kUpstreamAttempts]));
  out += ",\"status\":";
  put_count(out, count_digits(meta[kResponseStatus]));
  const std::optional<std::string_view>& aborted = meta[kRequestAborted];
  out += (aborted ? *aborted == "1" : facts.aborted) ? ",\"aborted\":true" : ",\"aborted\":false";
  out += ",\"request_bytes\":";
  put_count(out, count_digits(meta[kRequestBytes]));
  out += ",\"response_bytes\":";
  put_count(out, count_digits(meta[kResponseBytes]));
  out += ",\"latency_ms\":";
  std::string_view total = count_digits(meta[kTimingTotalUs]);
  char measured[20];
  if (total.empty()) {
    // Cannot fail: 20 digits hold any uint64_t.
    char* end = std::to_chars(measured, measured + sizeof(measured), facts.measured_total_us).ptr;
    total = std::string_view(measured, static_cast<size_t>(end - measured));
  }
  put_millis(out, total);
  out += ",\"upstream_latency_ms\":";
  put_millis(out, count_digits(meta[kTimingUpstreamUs]));
  out += ",\"ttft_ms\":";
  put_millis(out, count_digits(meta[kTimingTtftUs]));
  static constexpr std::pair<std::string_view, MetaKey> kTokens[] = {
      {",\"prompt_tokens\":", kUsagePromptTokens},
      {",\"completion_tokens\":", kUsageCompletionTokens},
      {",\"total_tokens\":", kUsageTotalTokens}};
  for (const auto& [key, index] : kTokens) {
    out += key;
    put_count(out, count_digits(meta[index]));
  }
  out += "}\n";
  return out;
}

std::string format_line(const MetaValues& meta, const LineFacts& facts) {
  LineScratch scratch;
  return std::string(format_line(meta, facts, scratch));
}

}  // namespace sluice::filters::log
