// The wait lines of the native client (native_wait_lines.h): order, leaving, re-entrancy, bound.

#include "core/upstream/native_wait_lines.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "test/unit/upstream/upstream_test_support.h"

namespace sluice::upstream::test {
namespace {

using std::chrono::milliseconds;
using Clock = WaitLines::Clock;

class Waiter final : public WaitLines::Member {
 public:
  Waiter(std::string name, std::vector<std::string>* told) : name_(std::move(name)), told_(told) {}
  std::function<void()> hook;

 private:
  void on_wait_over() override {
    told_->push_back(name_);
    if (hook) hook();  // may destroy this
  }
  std::string name_;
  std::vector<std::string>* told_;
};

TEST(NativeWaitLines, OneLineInOrderOfDueTime) {
  Loop loop;
  WaitLines lines(loop.base());
  std::vector<std::string> told;
  Waiter a("a", &told), b("b", &told), c("c", &told), late("late", &told);
  const Clock::time_point long_ago = Clock::now() - std::chrono::seconds(10);
  ASSERT_TRUE(lines.join(late, milliseconds(50), Clock::now()));
  ASSERT_TRUE(lines.join(a, milliseconds(50), long_ago));  // due before `late`: goes before it
  ASSERT_TRUE(lines.join(b, milliseconds(50), long_ago));
  ASSERT_TRUE(lines.join(c, milliseconds(50), long_ago));
  EXPECT_TRUE(late.waiting());
  EXPECT_EQ(a.wait_until(), long_ago + milliseconds(50));
  ASSERT_TRUE(loop.run_until([&] { return told.size() == 4; }));
  EXPECT_EQ(told, (std::vector<std::string>{"a", "b", "c", "late"}));
  EXPECT_FALSE(late.waiting());
}

TEST(NativeWaitLines, MembersThatLeftAreNotTold) {
  Loop loop;
  WaitLines lines(loop.base());
  std::vector<std::string> told;
  Waiter first("first", &told), second("second", &told), other("other", &told);
  ASSERT_TRUE(lines.join(first, milliseconds(10), Clock::now()));
  ASSERT_TRUE(lines.join(second, milliseconds(10), Clock::now()));
  ASSERT_TRUE(lines.join(other, milliseconds(40), Clock::now()));
  lines.leave(first);  // the one the timer was set for
  EXPECT_FALSE(first.waiting());
  ASSERT_TRUE(loop.run_until([&] { return told.size() == 2; }));
  EXPECT_EQ(told, (std::vector<std::string>{"second", "other"}));
}

TEST(NativeWaitLines, ToldMembersMayLeaveJoinAndDestroy) {
  Loop loop;
  WaitLines lines(loop.base());
  std::vector<std::string> told;
  auto doomed = std::make_unique<Waiter>("doomed", &told);
  Waiter leaver("leaver", &told), joiner("joiner", &told), victim("victim", &told);
  const Clock::time_point long_ago = Clock::now() - std::chrono::seconds(10);
  // All due at once, in two lines: the first told makes a member of the other line leave,
  // another join, and destroys itself.
  ASSERT_TRUE(lines.join(*doomed, milliseconds(5), long_ago));
  ASSERT_TRUE(lines.join(victim, milliseconds(7), long_ago));
  doomed->hook = [&] {
    lines.leave(victim);
    ASSERT_TRUE(lines.join(joiner, milliseconds(5), Clock::now()));
    doomed.reset();
  };
  ASSERT_TRUE(lines.join(leaver, milliseconds(7), long_ago));
  ASSERT_TRUE(loop.run_until([&] { return told.size() == 3; }));
  EXPECT_EQ(told, (std::vector<std::string>{"doomed", "leaver", "joiner"}));
  EXPECT_FALSE(victim.waiting());
}

TEST(NativeWaitLines, BoundedNumberOfLines) {
  Loop loop;
  WaitLines lines(loop.base());
  std::vector<std::string> told;
  std::vector<std::unique_ptr<Waiter>> waiters;
  for (size_t i = 0; i <= WaitLines::kMaxLines; ++i) {
    waiters.push_back(std::make_unique<Waiter>(std::to_string(i), &told));
    const bool joined = lines.join(*waiters.back(), milliseconds(1000 + i), Clock::now());
    EXPECT_EQ(joined, i < WaitLines::kMaxLines) << i;
    EXPECT_EQ(waiters.back()->waiting(), joined);
  }
  // An existing length still has room.
  Waiter more("more", &told);
  EXPECT_TRUE(lines.join(more, milliseconds(1000), Clock::now()));
  lines.leave(more);
  for (auto& waiter : waiters) {
    if (waiter->waiting()) lines.leave(*waiter);
  }
}

}  // namespace
}  // namespace sluice::upstream::test
