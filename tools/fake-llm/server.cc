// Worker threads, listeners and orderly shutdown.

#include "tools/fake-llm/server.h"

#include <event2/event.h>
#include <event2/thread.h>

#include <algorithm>
#include <mutex>

#include "core/http/listener.h"
#include "tools/fake-llm/handler.h"

namespace fake_llm {

struct FakeServer::Worker {
  event_base* base = nullptr;
  event* stop_event = nullptr;
  std::unique_ptr<FakeHandler> handler;
  std::unique_ptr<sluice::http::Listener> listener;
  std::thread thread;

  ~Worker() {
    listener.reset();  // aborts what is still in flight before the loop goes away
    handler.reset();
    if (stop_event != nullptr) event_free(stop_event);
    if (base != nullptr) event_base_free(base);
  }
};

FakeServer::FakeServer(ServerOptions options) : options_(std::move(options)) {
  shared_.embedding_dim = options_.embedding_dim;
  shared_.verbose = options_.verbose;
  shared_.aws_keys = options_.aws_keys;
  shared_.anthropic_key = options_.anthropic_key;
  shared_.azure_key = options_.azure_key;
  shared_.gemini_key = options_.gemini_key;
  if (options_.log_requests) shared_.log = std::make_unique<RequestLog>();
}

FakeServer::~FakeServer() {
  stop();
}

void FakeServer::stop_cb(int, short, void* arg) {
  auto* worker = static_cast<Worker*>(arg);
  worker->listener.reset();  // closes every connection: in-flight exchanges get on_abort()
  event_base_loopbreak(worker->base);
}

bool FakeServer::start(std::string* error) {
  if (running_) return true;
  if (!options_.google_public_key_pem.empty() && !shared_.google.key) {
    std::string key_error;
    shared_.google.key = load_rsa_public_key(options_.google_public_key_pem, &key_error);
    if (!shared_.google.key) {
      *error = "--google-public-key: " + key_error;
      return false;
    }
  }
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { evthread_use_pthreads(); });

  const unsigned count = options_.workers == 0 ? 1 : std::min(options_.workers, kMaxWorkers);
  uint16_t port = options_.port;
  const uint64_t seed = fresh_seed();
  for (unsigned i = 0; i < count; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->base = event_base_new();
    if (worker->base == nullptr) {
      *error = "event_base_new failed";
      workers_.clear();
      return false;
    }
    worker->stop_event = event_new(worker->base, -1, 0, &FakeServer::stop_cb, worker.get());
    worker->handler = std::make_unique<FakeHandler>(worker->base, shared_, seed + i * 7919);
    sluice::http::ListenerOptions listen;
    listen.address = options_.host;
    listen.port = port;  // the first worker's port for the others (SO_REUSEPORT)
    listen.limits = options_.limits;
    FakeHandler* handler = worker->handler.get();
    worker->listener = sluice::http::Listener::create(
        worker->base, listen, [handler]() -> sluice::http::RequestHandler& { return *handler; },
        error);
    if (!worker->listener) {
      workers_.clear();
      return false;
    }
    port = worker->listener->port();
    workers_.push_back(std::move(worker));
  }
  shared_.port.store(port);
  for (auto& worker : workers_) {
    event_base* base = worker->base;
    worker->thread = std::thread([base] { event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY); });
  }
  running_ = true;
  return true;
}

void FakeServer::stop() {
  if (!running_) {
    workers_.clear();
    return;
  }
  running_ = false;
  for (auto& worker : workers_) event_active(worker->stop_event, EV_TIMEOUT, 0);
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  workers_.clear();
}

}  // namespace fake_llm
