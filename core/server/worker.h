#pragma once
// Worker: one thread, one event loop, its own listeners (SO_REUSEPORT) and its own Dispatcher.
// Workers share nothing on the hot path; the only cross-thread calls are the command queue
// (post) used for drain and stop, and the atomics read by the admin endpoints. So the loop is
// made without libevent's lock (no mutex round trip in every event_add/del/active): posting
// wakes it through an eventfd, which any thread may write.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/http/listener.h"
#include "core/runtime/dispatcher.h"
#include "core/upstream/transport_router.h"

struct event_base;
struct event;

namespace sluice::server {

class Worker {
 public:
  // Fails (nullptr, *error) when the worker's upstream client cannot be set up.
  static std::unique_ptr<Worker> create(size_t index, const runtime::ConfigSource& source,
                                        std::string* error);
  explicit Worker(size_t index);  // only a loop; create() adds the upstream client and handler
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Binds one listener per entry (on the calling thread, so bind errors surface before any thread
  // starts). False with *error on failure.
  bool listen(const std::vector<http::ListenerOptions>& listeners, std::string* error);
  // Bound port of listener i (useful with port 0).
  uint16_t port(size_t i) const;
  // Runs the loop on the worker's own thread. With busy_poll > 0, after a turn that read from a
  // socket (http/io_activity.h) the thread keeps polling without blocking, yielding the CPU
  // between polls, until busy_poll has passed without such a read; then it blocks as usual.
  void start(std::chrono::microseconds busy_poll = {});

  // Thread-safe. Stops accepting; idle connections close now, in-flight requests finish, and the
  // loop exits once no connection is left.
  void drain();
  // Thread-safe. Closes every connection at once and exits the loop.
  void force_stop();
  void join();
  bool finished() const { return finished_.load(); }
  size_t open_connections() const { return open_connections_.load(); }

 private:
  void post(std::function<void()> command);
  static void on_command(evutil_socket_t, short, void* self);
  static void on_tick(evutil_socket_t, short, void* self);
  void tick();
  void run_busy_polling(std::chrono::microseconds window);
  bool loop_ended(int loop_result) const;

  size_t index_;
  event_base* loop_ = nullptr;
  std::unique_ptr<upstream::TransportRouter> upstream_;  // before dispatcher_: it must outlive it
  std::unique_ptr<runtime::Dispatcher> dispatcher_;
  std::vector<std::unique_ptr<http::Listener>> listeners_;
  int command_fd_ = -1;  // eventfd: written by post, read by on_command
  event* command_event_ = nullptr;
  event* tick_event_ = nullptr;
  std::mutex commands_mutex_;
  std::vector<std::function<void()>> commands_;
  bool draining_ = false;
  std::atomic<bool> finished_{false};
  std::atomic<size_t> open_connections_{0};
  std::thread thread_;
};

}  // namespace sluice::server
