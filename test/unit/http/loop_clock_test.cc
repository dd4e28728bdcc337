// LoopClock: one reading per callback Scope, a fresh one on request, the real clock outside.

#include "core/http/loop_clock.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::http {
namespace {

using namespace std::chrono_literals;

TEST(LoopClockTest, OutsideEveryScopeEachCallReadsTheClock) {
  const auto first = LoopClock::now();
  std::this_thread::sleep_for(1ms);
  EXPECT_GE(LoopClock::now() - first, 1ms);
}

TEST(LoopClockTest, InsideAScopeTheFirstReadingServesTheRest) {
  LoopClock::Scope scope;
  const auto first = LoopClock::now();
  std::this_thread::sleep_for(1ms);
  EXPECT_EQ(LoopClock::now(), first);
}

TEST(LoopClockTest, FreshReadsAgainAndIsWhatLaterCallsGive) {
  LoopClock::Scope scope;
  const auto first = LoopClock::now();
  std::this_thread::sleep_for(1ms);
  const auto again = LoopClock::fresh();
  EXPECT_GE(again - first, 1ms);
  EXPECT_EQ(LoopClock::now(), again);
}

TEST(LoopClockTest, NestedScopesShareTheOutermostReadingUntilItEnds) {
  std::chrono::steady_clock::time_point first;
  {
    LoopClock::Scope outer;
    first = LoopClock::now();
    {
      LoopClock::Scope inner;
      std::this_thread::sleep_for(1ms);
      EXPECT_EQ(LoopClock::now(), first);
    }
    // The inner scope's end does not drop the outer one's reading.
    EXPECT_EQ(LoopClock::now(), first);
  }
  // Nor does a later scope start from it.
  std::this_thread::sleep_for(1ms);
  LoopClock::Scope next;
  EXPECT_GE(LoopClock::now() - first, 2ms);
}

TEST(LoopClockTest, EachThreadHasItsOwnReading) {
  LoopClock::Scope scope;
  const auto here = LoopClock::now();
  std::this_thread::sleep_for(1ms);
  std::chrono::steady_clock::time_point there;
  std::thread([&there] { there = LoopClock::now(); }).join();  // no scope on that thread
  EXPECT_GE(there - here, 1ms);
  EXPECT_EQ(LoopClock::now(), here);
}

}  // namespace
}  // namespace sluice::http
