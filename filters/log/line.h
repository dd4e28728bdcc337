#pragma once
// log: the access-log line, built from the request's metadata. Pure functions with no host
// calls, so the exact output is testable without a running chain.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::filters::log {

// Looks up one metadata key of the request; nullopt when it is not set.
using MetaLookup = std::function<std::optional<std::string_view>(std::string_view key)>;

struct LineFacts {
  std::chrono::system_clock::time_point start;  // when the request reached the filter
  bool aborted = false;                         // on_complete's flag, when request.aborted is unset
  uint64_t measured_total_us = 0;  // the filter's own measure, when timing.total_us is unset
};

// One JSON object on one line, ending with '\n'. Fields, in this order: ts, request_id, chain,
// method, path, model, deployment, provider, provider_model, attempts, status, aborted,
// request_bytes, response_bytes, latency_ms, upstream_latency_ms, ttft_ms, prompt_tokens,
// completion_tokens, total_tokens. Counts are JSON numbers, latencies are milliseconds with
// microsecond precision, absent values are null.
std::string format_line(const MetaLookup& meta, const LineFacts& facts);

// "2026-11-21T21:18:14.123Z".
std::string rfc3339_ms(std::chrono::system_clock::time_point time);

}  // namespace sluice::filters::log
