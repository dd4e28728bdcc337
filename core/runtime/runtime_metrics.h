#pragma once
// The metrics the chain runtime records, declared in one place, and the per-chain series
// resolved once so the hot path never looks a series up by its labels.

#include <array>
#include <atomic>
#include <string>

#include "core/observability/metrics.h"

namespace sluice::runtime {

struct RuntimeMetrics {
  metrics::Family* requests;           // sluice_requests_total{chain,status}
  metrics::Family* request_seconds;    // sluice_request_duration_seconds{chain}
  metrics::Family* filter_failures;    // sluice_filter_failures_total{chain,filter}
  metrics::Family* upstream_attempts;  // sluice_upstream_attempts_total{chain,result}

  static const RuntimeMetrics& get();
};

// One chain's request counters and latency histogram. Thread-safe.
class ChainStats {
 public:
  explicit ChainStats(std::string chain);
  // status 0 counts a client abort (label "client_abort").
  void count_request(int status);
  // status 0 counts an attempt that got no HTTP answer (label "failed").
  void count_attempt(int status);
  metrics::Histogram* const duration;

 private:
  std::string chain_;
  std::array<std::atomic<metrics::Counter*>, 600> by_status_{};  // resolved on first use
  std::array<std::atomic<metrics::Counter*>, 600> attempts_by_status_{};
};

}  // namespace sluice::runtime
