// Worker: the per-thread event loop and its listeners.

#include "core/server/worker.h"

#include <event2/event.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "core/http/io_activity.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace sluice::server {
namespace {

metrics::Family* open_connections_family() {
  static metrics::Family* family = metrics::global().family(
      metrics::Kind::gauge, "sluice_open_connections",
      "Client connections open on each worker (sampled every 250 ms).", {"worker"});
  return family;
}

}  // namespace

std::unique_ptr<Worker> Worker::create(size_t index, const runtime::ConfigSource& source,
                                       std::string* error) {
  auto worker = std::make_unique<Worker>(index);
  if (!worker->command_event_) {
    *error = "cannot create worker " + std::to_string(index) + "'s event loop";
    return nullptr;
  }
  auto curl = upstream::CurlTransport::create(worker->loop_, {}, error);
  if (!curl) return nullptr;
  auto native = upstream::NativeTransport::create(worker->loop_, {}, error);
  if (!native) return nullptr;
  worker->upstream_ = std::make_unique<upstream::TransportRouter>(
      std::move(native), std::move(curl), upstream::ProxyEnvironment::read());
  runtime::WorkerServices services;
  services.loop = worker->loop_;
  services.upstream = worker->upstream_.get();
  worker->dispatcher_ = std::make_unique<runtime::Dispatcher>(services, source);
  return worker;
}

Worker::Worker(size_t index) : index_(index) {
  // Only this worker's thread touches the loop (see worker.h), so it needs no lock.
  event_config* config = event_config_new();
  if (config) event_config_set_flag(config, EVENT_BASE_FLAG_NOLOCK);
  loop_ = config ? event_base_new_with_config(config) : nullptr;
  if (config) event_config_free(config);
  command_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (!loop_ || command_fd_ < 0) return;  // create() reports it
  command_event_ = event_new(loop_, command_fd_, EV_READ | EV_PERSIST, &Worker::on_command, this);
  event_add(command_event_, nullptr);
  tick_event_ = event_new(loop_, -1, EV_PERSIST, &Worker::on_tick, this);
  timeval every = {0, 250 * 1000};
  event_add(tick_event_, &every);
}

Worker::~Worker() {
  if (thread_.joinable()) {
    force_stop();
    thread_.join();
  }
  listeners_.clear();  // aborts what is left, before the dispatcher goes
  if (tick_event_) event_free(tick_event_);
  if (command_event_) event_free(command_event_);
  dispatcher_.reset();
  upstream_.reset();  // after every request that could hold a call, before the loop
  if (loop_) event_base_free(loop_);
  if (command_fd_ >= 0) close(command_fd_);
}

bool Worker::listen(const std::vector<http::ListenerOptions>& listeners, std::string* error) {
  for (const auto& options : listeners) {
    auto listener = http::Listener::create(
        loop_, options, [this]() -> http::RequestHandler& { return *dispatcher_; }, error);
    if (!listener) return false;
    listeners_.push_back(std::move(listener));
  }
  return true;
}

uint16_t Worker::port(size_t i) const {
  return i < listeners_.size() ? listeners_[i]->port() : 0;
}

void Worker::start(std::chrono::microseconds busy_poll) {
  thread_ = std::thread([this, busy_poll] {
    if (busy_poll.count() > 0) {
      run_busy_polling(busy_poll);
    } else {
      event_base_loop(loop_, EVLOOP_NO_EXIT_ON_EMPTY);
    }
    finished_.store(true);
  });
}

// Blocks for the next event as the plain loop does; once a turn has read from a socket, polls
// without blocking until `window` has passed since the last turn that did. A reply is then
// picked up by a running thread instead of one the kernel must wake (~100 us on a VM). Turns that
// only ran timers or commands (the 250 ms tick, drain) do not start a window, so an idle worker
// sleeps. sched_yield between idle polls hands the CPU to any other runnable thread (the peer
// this worker waits for may be one), so under full load spinning costs little throughput.
void Worker::run_busy_polling(std::chrono::microseconds window) {
  using Clock = std::chrono::steady_clock;
  while (true) {
    uint64_t before = http::io_activity::count();
    if (loop_ended(event_base_loop(loop_, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY))) return;
    if (http::io_activity::count() == before) continue;
    auto last_io = Clock::now();
    while (true) {
      before = http::io_activity::count();
      if (loop_ended(event_base_loop(loop_, EVLOOP_NONBLOCK | EVLOOP_NO_EXIT_ON_EMPTY))) return;
      if (http::io_activity::count() != before) {
        last_io = Clock::now();
        continue;
      }
      if (Clock::now() - last_io >= window) break;
      sched_yield();
    }
  }
}

// Whether the loop call that returned `loop_result` ended the loop for good: an error, or
// event_base_loopexit (drain, force_stop) / event_base_loopbreak during it. The next
// event_base_loop call clears those flags, so they are read right after each call. A loopbreak
// from another thread between two calls would be lost; nothing here does that (commands are
// posted to the loop and run on it).
bool Worker::loop_ended(int loop_result) const {
  return loop_result < 0 || event_base_got_exit(loop_) != 0 || event_base_got_break(loop_) != 0;
}

void Worker::post(std::function<void()> command) {
  {
    std::lock_guard<std::mutex> lock(commands_mutex_);
    commands_.push_back(std::move(command));
  }
  // Adds one to the eventfd's counter; it cannot overflow in practice (2^64 - 2 posts unread).
  const uint64_t one = 1;
  ssize_t written;
  do {
    written = write(command_fd_, &one, sizeof(one));
  } while (written < 0 && errno == EINTR);
}

void Worker::on_command(evutil_socket_t, short, void* self) {
  auto* worker = static_cast<Worker*>(self);
  uint64_t posted = 0;
  while (read(worker->command_fd_, &posted, sizeof(posted)) < 0 && errno == EINTR) {
  }
  std::vector<std::function<void()>> commands;
  {
    std::lock_guard<std::mutex> lock(worker->commands_mutex_);
    commands.swap(worker->commands_);
  }
  for (auto& command : commands) command();
}

void Worker::on_tick(evutil_socket_t, short, void* self) {
  static_cast<Worker*>(self)->tick();
}

void Worker::tick() {
  size_t open = 0;
  for (const auto& listener : listeners_) open += listener->connection_count();
  open_connections_.store(open);
  std::string label = std::to_string(index_);
  if (auto* gauge = open_connections_family()->gauge({label})) {
    gauge->set(static_cast<int64_t>(open));
  }
  if (draining_) {
    for (auto& listener : listeners_) listener->close_idle_connections();
    if (open == 0) event_base_loopexit(loop_, nullptr);
  }
}

void Worker::drain() {
  post([this] {
    draining_ = true;
    for (auto& listener : listeners_) listener->drain();
    timeval soon = {0, 20 * 1000};
    event_add(tick_event_, &soon);  // check more often while draining
    tick();
  });
}

void Worker::force_stop() {
  post([this] {
    for (auto& listener : listeners_) listener->close_all_connections();
    event_base_loopexit(loop_, nullptr);
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::server
