#pragma once
// RefreshLoop: the background thread behind every credential source. It calls a fetch function
// when the value is missing or due for refresh, retries failures with exponential back-off, and
// sleeps in between; callers on worker threads only poke it (never block on it). The value itself
// lives in the source (see Latest<T>), so this file knows nothing about what is fetched.
//
// Thread safety: every public member may be called from any thread. The thread starts on the
// first poke() and is stopped and joined by the destructor; a fetch in progress is cancelled
// through the flag it receives.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sluice::providers::auth {

// Unix seconds. Sources take one so tests can move time without sleeping.
using Clock = std::function<int64_t()>;
Clock system_clock();

// Receives one line per event worth reporting (which link of a chain was chosen, a failure and
// when it will be retried, a refresh). Called from the background thread; never given a secret.
using EventSink = std::function<void(const std::string&)>;

inline constexpr int64_t kNeverExpires = std::numeric_limits<int64_t>::max();

// When to refresh and how to retry.
struct RefreshPolicy {
  int64_t refresh_before_expiry = 300;  // seconds: refresh at most this close to expiry ...
  int refresh_percent = 80;             // ... and at the latest at this share of the lifetime
  int64_t first_retry = 1;              // seconds after the first failure, then doubling ...
  int64_t max_retry = 60;               // ... up to this
};

// What one fetch achieved. `message` is for the event sink and the status; never a secret.
struct Attempt {
  bool ok = false;
  int64_t expires_at = 0;  // for ok: unix seconds, or kNeverExpires
  std::string message;     // for ok: what was fetched ("web identity credentials"); else why not
};

// A snapshot of a source's state, safe to show anywhere.
struct RefreshStatus {
  uint64_t attempts = 0;    // fetches finished
  uint64_t failures = 0;    // consecutive failures since the last success
  int64_t valid_until = 0;  // expiry of the last good value (0: none yet)
  int64_t next_attempt = 0;
  std::string message;  // the last attempt's message
};

class RefreshLoop {
 public:
  // Fetches once; `cancel` turns true when the loop is being destroyed.
  using Fetch = std::function<Attempt(const std::atomic<bool>& cancel)>;

  RefreshLoop(Fetch fetch, Clock clock, RefreshPolicy policy, EventSink events);
  ~RefreshLoop();
  RefreshLoop(const RefreshLoop&) = delete;
  RefreshLoop& operator=(const RefreshLoop&) = delete;

  // Starts the thread if needed, and wakes it when a fetch is due at `now`. Cheap: an atomic load
  // when nothing is due.
  void poke(int64_t now);

  RefreshStatus status() const;

  // Blocks until at least `attempts` fetches have finished or `timeout` passed; true in the
  // first case. For the control thread and tests, never a worker. Starts the thread.
  bool wait_for_attempts(uint64_t attempts, std::chrono::milliseconds timeout);

 private:
  void start();  // the thread, once
  void run();
  int64_t next_refresh(int64_t now, int64_t expires_at) const;

  const Fetch fetch_;
  const Clock clock_;
  const RefreshPolicy policy_;
  const EventSink events_;

  std::once_flag start_once_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> next_attempt_{0};  // kNeverExpires while a fetch runs or none is due
  mutable std::mutex mutex_;
  std::condition_variable wake_;      // the thread waits on it
  std::condition_variable finished_;  // wait_for_attempts waits on it
  bool poked_ = false;
  RefreshStatus status_;
  std::thread thread_;  // last: joined before the rest is destroyed
};

// The latest value and its expiry, copied in and out under a mutex.
template <typename T>
class Latest {
 public:
  void set(T value, int64_t expires_at) {
    std::lock_guard lock(mutex_);
    value_ = std::move(value);
    expires_at_ = expires_at;
  }
  // The value while now < its expiry, else nullopt.
  std::optional<T> get(int64_t now) const {
    std::lock_guard lock(mutex_);
    if (!value_ || now >= expires_at_) return std::nullopt;
    return value_;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<T> value_;
  int64_t expires_at_ = 0;
};

}  // namespace sluice::providers::auth
