#pragma once
// The deadlines of native calls that wait for a response, kept in lines instead of a timer per
// call. A call joins the line for its wait (the shorter of its first-byte and idle timeouts) when
// its request has left, and leaves when it ends: two pointer updates, where a libevent timer of
// its own costs an event_add and an event_del (together about 500 instructions, a tenth of what
// the client does per request). Every member of a line waits as long and members join in the
// order they started waiting, so the first of a line is always the first due; one timer, set for
// the earliest first member, serves every line. A member whose wait is over is taken out of its
// line and told; it checks its deadlines and sets its own timer for what is left (a response
// slower than the wait, which is rare and long).
//
// Bounded: at most kMaxLines wait lengths (a worker has a handful); join() refuses beyond (and
// when the timer could not be made), and the call keeps its own timer. Loop thread only. A
// member must leave before it is destroyed; the lines must outlive their members.

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

struct event;
struct event_base;

namespace sluice::upstream {

class WaitLines {
  struct Line;

 public:
  using Clock = std::chrono::steady_clock;

  class Member {
   public:
    bool waiting() const { return line_ != nullptr; }
    // When its wait is over (while waiting()).
    Clock::time_point wait_until() const { return until_; }

   protected:
    ~Member() = default;
    // The wait is over; the member is out of its line. It may destroy itself, join again, or
    // make others leave or join.
    virtual void on_wait_over() = 0;

   private:
    friend class WaitLines;
    Line* line_ = nullptr;
    Member* earlier_ = nullptr;
    Member* later_ = nullptr;
    Clock::time_point until_;
  };

  static constexpr size_t kMaxLines = 16;

  explicit WaitLines(event_base* base);
  ~WaitLines();
  WaitLines(const WaitLines&) = delete;
  WaitLines& operator=(const WaitLines&) = delete;

  // Puts a member that is not waiting in the line for `wait`, due at since + wait. False (and
  // nothing done) when that would make more than kMaxLines lines.
  bool join(Member& member, std::chrono::milliseconds wait, Clock::time_point since);
  // Takes a waiting member out of its line (nothing else: the timer may go off early once).
  void leave(Member& member);

 private:
  struct Line {
    std::chrono::milliseconds wait;
    Member* first = nullptr;
    Member* last = nullptr;
  };

  static void on_timer(int fd, short what, void* arg);
  void arm(Clock::time_point due);

  std::vector<std::unique_ptr<Line>> lines_;  // never removed, so members' pointers hold
  event* timer_ = nullptr;
  bool armed_ = false;
  Clock::time_point armed_for_;
};

}  // namespace sluice::upstream
