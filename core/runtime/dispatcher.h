#pragma once
// Dispatcher: a worker's RequestHandler. It takes the configuration current when a request
// arrives (so a reload never changes a request mid-flight), picks the chain, settles the request
// id and hands the request to a RequestStream.
//
// ConfigSource is the one place a new configuration is published; it is read by every worker.

#include <atomic>
#include <memory>

#include "core/http/exchange.h"
#include "core/runtime/chain.h"
#include "core/runtime/request_stream.h"

namespace sluice::runtime {

class ConfigSource {
 public:
  std::shared_ptr<const RuntimeConfig> current() const { return current_.load(); }
  void publish(std::shared_ptr<const RuntimeConfig> next) { current_.store(std::move(next)); }

 private:
  std::atomic<std::shared_ptr<const RuntimeConfig>> current_;
};

class Dispatcher : public http::RequestHandler {
 public:
  Dispatcher(WorkerServices services, const ConfigSource& source);
  std::unique_ptr<http::Exchange> start(http::Request request, http::ResponseSink& sink) override;
  WorkerServices& services() { return services_; }

 private:
  WorkerServices services_;
  const ConfigSource& source_;
};

}  // namespace sluice::runtime
