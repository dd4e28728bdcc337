// RefreshLoop: see refresh_loop.h.

#include "providers/auth/refresh_loop.h"

#include <algorithm>
#include <ctime>
#include <system_error>

#include "providers/auth/iso8601.h"

namespace sluice::providers::auth {

Clock system_clock() {
  return [] { return static_cast<int64_t>(std::time(nullptr)); };
}

RefreshLoop::RefreshLoop(Fetch fetch, Clock clock, RefreshPolicy policy, EventSink events)
    : fetch_(std::move(fetch)),
      clock_(clock ? std::move(clock) : system_clock()),
      policy_(policy),
      events_(std::move(events)) {}

RefreshLoop::~RefreshLoop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  finished_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RefreshLoop::start() {
  std::call_once(start_once_, [this] {
    try {
      thread_ = std::thread(&RefreshLoop::run, this);
    } catch (const std::system_error& error) {  // out of threads: say so rather than throw
      std::lock_guard lock(mutex_);
      status_.message = std::string("cannot start the refresh thread: ") + error.what();
    }
  });
}

void RefreshLoop::poke(int64_t now) {
  start();
  if (now < next_attempt_.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_one();
}

RefreshStatus RefreshLoop::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

bool RefreshLoop::wait_for_attempts(uint64_t attempts, std::chrono::milliseconds timeout) {
  start();
  std::unique_lock lock(mutex_);
  return finished_.wait_for(lock, timeout, [&] { return status_.attempts >= attempts || stop_; }) &&
         status_.attempts >= attempts;
}

int64_t RefreshLoop::next_refresh(int64_t now, int64_t expires_at) const {
  if (expires_at == kNeverExpires) return kNeverExpires;
  // The earlier of "refresh_before_expiry before the end" and "refresh_percent of the way", the
  // former only when it is still ahead (short lifetimes, as in tests, use the share alone).
  const int64_t lifetime = expires_at - now;
  int64_t at = now + lifetime / 100 * policy_.refresh_percent +
               lifetime % 100 * policy_.refresh_percent / 100;
  if (expires_at - policy_.refresh_before_expiry > now) {
    at = std::min(at, expires_at - policy_.refresh_before_expiry);
  }
  return std::max(at, now + 1);  // never a busy loop, whatever the lifetime
}

void RefreshLoop::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    const int64_t now = clock_();
    const int64_t due = status_.next_attempt;
    if (now < due) {
      poked_ = false;
      // Woken early by a poke, by the destructor, or at least once a minute so a wall clock
      // that jumped (a suspended host) is noticed.
      const int64_t seconds = std::min<int64_t>(due - now, 60);
      wake_.wait_for(lock, std::chrono::seconds(seconds), [&] { return stop_ || poked_; });
      continue;
    }
    next_attempt_.store(kNeverExpires, std::memory_order_relaxed);  // pokes are useless now
    lock.unlock();
    Attempt attempt = fetch_(stop_);
    lock.lock();
    if (stop_) break;
    const int64_t after = clock_();
    ++status_.attempts;
    status_.message = attempt.message;
    std::string event;
    if (attempt.ok) {
      status_.failures = 0;
      status_.valid_until = attempt.expires_at;
      status_.next_attempt = next_refresh(after, attempt.expires_at);
      event = attempt.message;
      if (attempt.expires_at != kNeverExpires) {
        event += ", valid until " + format_iso8601(attempt.expires_at) + ", refresh due at " +
                 format_iso8601(status_.next_attempt);
      }
    } else {
      ++status_.failures;
      const uint64_t doublings = std::min<uint64_t>(status_.failures - 1, 20);
      const int64_t delay = std::min(policy_.first_retry << doublings, policy_.max_retry);
      status_.next_attempt = after + delay;
      event = attempt.message + "; retrying in " + std::to_string(delay) + " s";
      if (status_.valid_until > after) {
        event += "; the last good value stays in use until " + format_iso8601(status_.valid_until);
      }
    }
    next_attempt_.store(status_.next_attempt, std::memory_order_relaxed);
    finished_.notify_all();
    if (events_) {
      lock.unlock();  // the sink may take its time, or ask for the status
      events_(event);
      lock.lock();
    }
  }
}

}  // namespace sluice::providers::auth
