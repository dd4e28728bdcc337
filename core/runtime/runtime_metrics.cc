// Declarations of the runtime's metrics in the global registry.

#include "core/runtime/runtime_metrics.h"

namespace sluice::runtime {

const RuntimeMetrics& RuntimeMetrics::get() {
  static const RuntimeMetrics instance = [] {
    auto& r = metrics::global();
    RuntimeMetrics m{};
    m.requests = r.family(metrics::Kind::counter, "sluice_requests_total",
                          "Requests answered, by chain and HTTP status (client_abort when the "
                          "client left first).",
                          {"chain", "status"});
    m.request_seconds = r.family(metrics::Kind::histogram, "sluice_request_duration_seconds",
                                 "Time from a complete request to its last response byte.",
                                 {"chain"}, metrics::latency_buckets_seconds());
    m.filter_failures = r.family(metrics::Kind::counter, "sluice_filter_failures_total",
                                 "Filter hooks that failed (returned FAIL, threw, or could not "
                                 "create their per-request state).",
                                 {"chain", "filter"});
    m.upstream_attempts =
        r.family(metrics::Kind::counter, "sluice_upstream_attempts_total",
                 "Upstream attempts by outcome (the HTTP status, or failed).", {"chain", "result"});
    return m;
  }();
  return instance;
}

ChainStats::ChainStats(std::string chain)
    : duration(RuntimeMetrics::get().request_seconds->histogram({chain})),
      chain_(std::move(chain)) {}

namespace {

// The series for `status` in `family`, resolved once per status. Racing workers resolve the same
// series (the registry returns one object per labels).
metrics::Counter* by_status(std::array<std::atomic<metrics::Counter*>, 600>& cache,
                            metrics::Family* family, const std::string& chain, int status,
                            const char* no_status_label) {
  size_t slot = status >= 100 && status < 600 ? static_cast<size_t>(status) : 0;
  metrics::Counter* counter = cache[slot].load(std::memory_order_acquire);
  if (!counter) {
    std::string label = slot ? std::to_string(slot) : no_status_label;
    counter = family->counter({chain, label});
    cache[slot].store(counter, std::memory_order_release);
  }
  return counter;
}

}  // namespace

void ChainStats::count_request(int status) {
  by_status(by_status_, RuntimeMetrics::get().requests, chain_, status, "client_abort")->inc();
}

void ChainStats::count_attempt(int status) {
  by_status(attempts_by_status_, RuntimeMetrics::get().upstream_attempts, chain_, status, "failed")
      ->inc();
}

}  // namespace sluice::runtime
