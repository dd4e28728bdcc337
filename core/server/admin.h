#pragma once
// The admin endpoints, served on their own listener (default 127.0.0.1:9901):
//   GET /health/liveliness (and /health/liveness)  200 while the process runs
//   GET /health/readiness                           200 ready, 503 while starting or draining
//   GET /metrics                                     Prometheus text format
//   GET /config_dump                                 effective config as JSON, secrets masked
// Runs on the control thread's loop; answers synchronously.

#include <atomic>

#include "core/http/exchange.h"
#include "core/runtime/dispatcher.h"

namespace sluice::server {

class AdminHandler : public http::RequestHandler {
 public:
  AdminHandler(const runtime::ConfigSource& source, const std::atomic<bool>& ready)
      : source_(source), ready_(ready) {}
  std::unique_ptr<http::Exchange> start(http::Request request, http::ResponseSink& sink) override;

 private:
  const runtime::ConfigSource& source_;
  const std::atomic<bool>& ready_;
};

}  // namespace sluice::server
