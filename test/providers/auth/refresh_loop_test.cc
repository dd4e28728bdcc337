// RefreshLoop and Latest<T> with a scripted fetch and a fake clock: when fetches happen, the
// back-off after failures, and the last good value kept until it expires.

#include "providers/auth/refresh_loop.h"

#include <gtest/gtest.h>

#include <deque>

#include "test/providers/auth/test_server.h"

namespace sluice::providers::auth {
namespace {

using testing::EventLog;
using testing::FakeClock;

// A fetch whose outcomes the test scripts: each call takes the next one (lifetime in seconds
// from now, or a failure when <= 0).
struct ScriptedFetch {
  std::mutex mutex;
  std::deque<int64_t> lifetimes;
  int calls = 0;
  FakeClock* clock = nullptr;
  Latest<int>* latest = nullptr;

  bool held = false;  // while true, fetches wait: what the caller sees meanwhile is certain
  std::condition_variable released;

  void hold() {
    std::lock_guard lock(mutex);
    held = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      held = false;
    }
    released.notify_all();
  }

  RefreshLoop::Fetch fetch() {
    return [this](const std::atomic<bool>&) {
      std::unique_lock lock(mutex);
      released.wait(lock, [this] { return !held; });
      ++calls;
      Attempt attempt;
      const int64_t lifetime = lifetimes.empty() ? 0 : lifetimes.front();
      if (!lifetimes.empty()) lifetimes.pop_front();
      if (lifetime <= 0) {
        attempt.message = "scripted failure";
        return attempt;
      }
      attempt.ok = true;
      attempt.expires_at = clock->now + lifetime;
      attempt.message = "value " + std::to_string(calls);
      latest->set(calls, attempt.expires_at);
      return attempt;
    };
  }
};

class RefreshLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    script.clock = &clock;
    script.latest = &latest;
  }
  std::unique_ptr<RefreshLoop> make(RefreshPolicy policy = {}) {
    return std::make_unique<RefreshLoop>(script.fetch(), clock.clock(), policy, events.sink());
  }
  std::optional<int> current(RefreshLoop& loop) {
    loop.poke(clock.now);
    return latest.get(clock.now);
  }

  FakeClock clock;
  EventLog events;
  Latest<int> latest;
  ScriptedFetch script;
};

TEST_F(RefreshLoopTest, NothingBeforeTheFirstPokeThenOneFetch) {
  script.lifetimes = {1000};
  auto loop = make();
  EXPECT_EQ(loop->status().attempts, 0u);
  script.hold();
  EXPECT_FALSE(current(*loop).has_value());  // starts the thread; never waits for it
  script.release();
  ASSERT_TRUE(loop->wait_for_attempts(1, std::chrono::seconds(10)));
  EXPECT_EQ(current(*loop), 1);
  const RefreshStatus status = loop->status();
  EXPECT_EQ(status.failures, 0u);
  EXPECT_EQ(status.valid_until, clock.now + 1000);
  EXPECT_EQ(status.next_attempt, clock.now + 700);  // min(5 min before, 80 %)
}

TEST_F(RefreshLoopTest, RefreshesAtEightyPercentOrFiveMinutesBeforeExpiry) {
  script.lifetimes = {3600, 100, 100};
  auto loop = make();
  current(*loop);
  ASSERT_TRUE(loop->wait_for_attempts(1, std::chrono::seconds(10)));
  const int64_t start = clock.now;
  EXPECT_EQ(loop->status().next_attempt, start + 2880);  // 80 % of an hour comes first
  clock.now = start + 2879;
  EXPECT_EQ(current(*loop), 1);
  EXPECT_EQ(loop->status().attempts, 1u);  // not due yet: no fetch
  clock.now = start + 2880;
  EXPECT_TRUE(current(*loop).has_value());  // the old value or already the new one, never none
  ASSERT_TRUE(loop->wait_for_attempts(2, std::chrono::seconds(10)));
  EXPECT_EQ(current(*loop), 2);
  // A short lifetime: five minutes before expiry is already past, so 80 % decides.
  EXPECT_EQ(loop->status().next_attempt, start + 2880 + 80);
}

TEST_F(RefreshLoopTest, FailuresBackOffAndKeepTheLastGoodValueUntilItExpires) {
  script.lifetimes = {100, 0, 0, 0, 100};
  auto loop = make();
  current(*loop);
  ASSERT_TRUE(loop->wait_for_attempts(1, std::chrono::seconds(10)));
  const int64_t start = clock.now;
  clock.now = start + 80;
  EXPECT_EQ(current(*loop), 1);
  ASSERT_TRUE(loop->wait_for_attempts(2, std::chrono::seconds(10)));
  RefreshStatus status = loop->status();
  EXPECT_EQ(status.failures, 1u);
  EXPECT_EQ(status.next_attempt, start + 81);  // 1 s
  EXPECT_EQ(status.message, "scripted failure");
  clock.now = start + 81;
  EXPECT_EQ(current(*loop), 1);
  ASSERT_TRUE(loop->wait_for_attempts(3, std::chrono::seconds(10)));
  EXPECT_EQ(loop->status().next_attempt, start + 83);  // 2 s
  clock.now = start + 83;
  EXPECT_EQ(current(*loop), 1);
  ASSERT_TRUE(loop->wait_for_attempts(4, std::chrono::seconds(10)));
  EXPECT_EQ(loop->status().next_attempt, start + 87);  // 4 s
  EXPECT_EQ(loop->status().failures, 3u);
  clock.now = start + 86;
  EXPECT_EQ(current(*loop), 1);  // still valid, retry not due
  clock.now = start + 100;
  script.hold();
  EXPECT_FALSE(current(*loop).has_value());  // expired: nothing rather than a dead value
  script.release();
  ASSERT_TRUE(loop->wait_for_attempts(5, std::chrono::seconds(10)));
  EXPECT_EQ(current(*loop), 5);
  EXPECT_EQ(loop->status().failures, 0u);
  const std::string log = events.all();
  EXPECT_NE(log.find("scripted failure; retrying in 4 s; the last good value stays in use until"),
            std::string::npos)
      << log;
}

TEST_F(RefreshLoopTest, BackOffIsCapped) {
  RefreshPolicy policy;
  policy.first_retry = 10;
  policy.max_retry = 25;
  auto loop = make(policy);
  current(*loop);
  ASSERT_TRUE(loop->wait_for_attempts(1, std::chrono::seconds(10)));
  EXPECT_EQ(loop->status().next_attempt, clock.now + 10);
  for (uint64_t attempt = 2; attempt <= 4; ++attempt) {
    clock.now = loop->status().next_attempt;
    current(*loop);
    ASSERT_TRUE(loop->wait_for_attempts(attempt, std::chrono::seconds(10)));
  }
  EXPECT_EQ(loop->status().next_attempt, clock.now + 25);
  EXPECT_FALSE(current(*loop).has_value());
}

TEST_F(RefreshLoopTest, DestroyingWhileWaitingReturnsPromptly) {
  script.lifetimes = {1000};
  auto loop = make();
  current(*loop);
  ASSERT_TRUE(loop->wait_for_attempts(1, std::chrono::seconds(10)));
  loop.reset();  // the thread sleeps until the refresh is due; the destructor wakes and joins it
  SUCCEED();
}

TEST_F(RefreshLoopTest, DestroyingBeforeAnyUseStartsNothing) {
  auto loop = make();
  loop.reset();
  EXPECT_EQ(script.calls, 0);
}

TEST(Latest, HandsOutTheValueOnlyBeforeItsExpiry) {
  Latest<std::string> latest;
  EXPECT_FALSE(latest.get(0).has_value());
  latest.set("a", 10);
  EXPECT_EQ(latest.get(9), "a");
  EXPECT_FALSE(latest.get(10).has_value());
}

}  // namespace
}  // namespace sluice::providers::auth
