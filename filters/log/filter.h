#pragma once
// log: the per-request part. It notes when the request reached it (the line's wall-clock time)
// and, in on_complete, builds the access-log line from the request's metadata and queues it for
// the writer thread. Durations are the host's timing.* metadata: every host this filter loads on
// publishes them (ABI 1.2 and later), so it reads no steady clock of its own. Place it
// first in the chain: a filter's on_complete runs only if the request reached that filter. Placed
// after the router it runs per upstream attempt: then only the attempt that ends the request
// writes a line, requests answered before routing are not logged, and a warning says so once.
//
// Metadata read: request.id, request.chain, request.method, request.path, request.aborted,
// request.bytes, response.status, response.bytes, upstream.attempts, timing.total_us,
// timing.upstream_us, timing.ttft_us, route.model, route.deployment, route.provider,
// route.provider_model, usage.prompt_tokens, usage.completion_tokens, usage.total_tokens.
// Written: none.

#include <sluice/filter.hpp>

#include <chrono>

#include "filters/log/config.h"

namespace sluice::filters::log {

class Filter : public sluice::Filter {
 public:
  Filter(const Config& config, Stream stream)
      : sluice::Filter(stream), config_(config), start_(std::chrono::system_clock::now()) {}
  void on_complete(bool aborted) override;

 private:
  const Config& config_;
  std::chrono::system_clock::time_point start_;
};

}  // namespace sluice::filters::log
