#pragma once
// LoopClock: the steady clock read once per event callback of a worker's loop. A proxied request
// read the time about ten times (its arrival, the upstream call's start, each read, the answer's
// first byte, completion, the timers re-armed on the way), most of them within the same few
// microseconds of one callback; a reading costs 35-50 ns on the virtual machines sluice is
// measured on. As nginx's cached time does per loop iteration, now() inside a callback that holds
// a Scope gives the time of its first reading there; fresh() reads the clock again where a
// measurement must not include the callback's own work before it (the upstream call's start, the
// first byte sent, completion). Outside every Scope, now() reads the clock, so a callback without
// a Scope is only slower, never wrong. Per thread: each worker has its own loop.

#include <chrono>

namespace sluice::http {

class LoopClock {
 public:
  using Clock = std::chrono::steady_clock;

  static Clock::time_point now() {
    if (depth_ == 0) return Clock::now();
    if (!cached_) return fresh();
    return at_;
  }

  // Reads the clock; inside a Scope, later now() calls give this reading.
  static Clock::time_point fresh() {
    const Clock::time_point at = Clock::now();
    if (depth_ != 0) {
      at_ = at;
      cached_ = true;
    }
    return at;
  }

  // Held for the length of one event callback. Nested Scopes share the outermost one's reading.
  class Scope {
   public:
    Scope() { ++depth_; }
    ~Scope() {
      if (--depth_ == 0) cached_ = false;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };

 private:
  static inline thread_local unsigned depth_ = 0;
  static inline thread_local bool cached_ = false;
  static inline thread_local Clock::time_point at_{};
};

}  // namespace sluice::http
