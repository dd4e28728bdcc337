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
  void publish(std::shared_ptr<const RuntimeConfig> next) {
    current_.store(std::move(next));
    generation_.fetch_add(1, std::memory_order_release);
  }
  // Bumped by every publish; lets a worker keep its own copy and re-read only after a change
  // (loading the atomic shared_ptr takes a lock that all workers would contend on).
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::shared_ptr<const RuntimeConfig>> current_;
  std::atomic<uint64_t> generation_{0};
};

class Dispatcher : public http::RequestHandler {
 public:
  Dispatcher(WorkerServices services, const ConfigSource& source);
  std::unique_ptr<http::Exchange> start(http::Request request, http::ResponseSink& sink) override;
  WorkerServices& services() { return services_; }

 private:
  WorkerServices services_;
  const ConfigSource& source_;
  std::shared_ptr<const RuntimeConfig> cached_;
  uint64_t cached_generation_ = ~uint64_t{0};
};

}  // namespace sluice::runtime
