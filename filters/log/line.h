#pragma once
// log: the access-log line, built from the request's metadata. Pure functions with no host
// calls, so the exact output is testable without a running chain. The filter formats one line
// per request, so the path is written for cost: the caller asks the host for every key in one
// call (meta_get_many) and hands its answers over as they are, the line is written through a
// pointer into a reused buffer sized beforehand, and the timestamp's calendar part is only
// recomputed when the second changes.

#include <sluice/filter.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::filters::log {

// The metadata keys the line reads; MetaValues holds their values by this index.
enum MetaKey : uint8_t {
  kRequestId,
  kRequestChain,
  kRequestMethod,
  kRequestPath,
  kRouteModel,
  kRouteDeployment,
  kRouteProvider,
  kRouteProviderModel,
  kUpstreamAttempts,
  kResponseStatus,
  kRequestAborted,
  kRequestBytes,
  kResponseBytes,
  kTimingTotalUs,
  kTimingUpstreamUs,
  kTimingTtftUs,
  kUsagePromptTokens,
  kUsageCompletionTokens,
  kUsageTotalTokens,
  kRequestApi,         // set for client APIs other than OpenAI's only
  kRequestClientPath,  // likewise: the path the client sent
  kMetaKeyCount
};

inline constexpr std::array<std::string_view, kMetaKeyCount> kMetaKeys = {
    "request.id",          "request.chain",           "request.method",     "request.path",
    "route.model",         "route.deployment",        "route.provider",     "route.provider_model",
    "upstream.attempts",   "response.status",         "request.aborted",    "request.bytes",
    "response.bytes",      "timing.total_us",         "timing.upstream_us", "timing.ttft_us",
    "usage.prompt_tokens", "usage.completion_tokens", "usage.total_tokens", "request.api",
    "request.client_path"};

// Each key's value as meta_get_many gives it: {NULL, 0} when the key is not set (an empty value
// has a non-NULL ptr). The bytes must outlive format_line.
using MetaValues = std::array<sluice_str, kMetaKeyCount>;

struct LineFacts {
  std::chrono::system_clock::time_point start;  // when the request reached the filter
  bool aborted = false;                         // on_complete's flag, when request.aborted is unset
};

// "2026-11-21T21:18:14.123Z", remembering the text of the last second it formatted: a line costs
// a calendar conversion only when the second changed. One per thread (not thread-safe).
class TimestampFormatter {
 public:
  static constexpr size_t kSize = 24;
  // Writes exactly kSize characters.
  void format(std::chrono::system_clock::time_point time, char* out);

 private:
  int64_t second_ = INT64_MIN;  // the second prefix_ holds; none yet
  char prefix_[20] = {};        // "2026-11-21T21:18:14." (strftime's terminator lands on the '.')
};

// What format_line reuses from line to line: one per thread (not thread-safe).
struct LineScratch {
  // The line is written into it. It keeps the size of the longest line's room from line to line,
  // so a line costs no allocation; trim() gives back what an exceptionally long line took.
  std::string text;
  TimestampFormatter clock;

  static constexpr size_t kKeepBytes = 64 * 1024;
  void trim() {
    if (text.capacity() > kKeepBytes) std::string().swap(text);
  }
};

// One JSON object on one line, ending with '\n'. Fields, in this order: ts, request_id, chain,
// method, path, model, deployment, provider, provider_model, attempts, status, aborted,
// request_bytes, response_bytes, latency_ms, upstream_latency_ms, ttft_ms, prompt_tokens,
// completion_tokens, total_tokens. Counts are JSON numbers, latencies are milliseconds with
// microsecond precision, absent values (or counts that are not decimal) are null. Strings are
// escaped exactly as common::append_json_string does. The view borrows scratch.text.
std::string_view format_line(const MetaValues& meta, const LineFacts& facts, LineScratch& scratch);

// The same as a string, with a fresh scratch (tests).
std::string format_line(const MetaValues& meta, const LineFacts& facts);

// "2026-11-21T21:18:14.123Z".
std::string rfc3339_ms(std::chrono::system_clock::time_point time);

}  // namespace sluice::filters::log
