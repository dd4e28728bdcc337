#pragma once
// The metrics the chain runtime records, declared in one place.

#include "core/observability/metrics.h"

namespace sluice::runtime {

struct RuntimeMetrics {
  metrics::Family* requests;           // sluice_requests_total{chain,status}
  metrics::Family* request_seconds;    // sluice_request_duration_seconds{chain}
  metrics::Family* filter_failures;    // sluice_filter_failures_total{chain,filter}
  metrics::Family* upstream_attempts;  // sluice_upstream_attempts_total{chain,result}

  static const RuntimeMetrics& get();
};

}  // namespace sluice::runtime
