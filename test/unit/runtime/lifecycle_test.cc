// Instance lifetimes: on_complete exactly once per instance, client aborts, and pending timers,
// calls and back-offs that must die with their request (ASan reports any that outlive it).

#include <gtest/gtest.h>

#include <string>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

constexpr const char* kTarget = "targets: [{deployment: d0, provider: p0, model: m0}]";

std::string upstream() {
  return filter("test.upstream", "u", R"(url: "http://up/{deployment}")");
}

class LifecycleTest : public RuntimeTest {
 protected:
  void expect_completed_once(std::initializer_list<const char*> names, bool aborted) {
    for (const char* name : names) {
      EXPECT_EQ(completions(name, aborted), instances(name)) << name;
      EXPECT_EQ(completions(name, !aborted), 0) << name;
    }
  }
};

TEST_F(LifecycleTest, OnCompleteOncePerInstanceOnSuccess) {
  ASSERT_TRUE(use(config_yaml({chain(
      "ok", "{path_prefix: /}", {script("a"), filter("test.router", "r", kTarget), upstream()})})));
  transport_->script({FakeResponse{}});
  send("POST", "/v1/chat/completions", R"({"model":"m"})");
  ASSERT_EQ(sink_.head.status, 200);
  EXPECT_EQ(instances("a"), 1);
  EXPECT_EQ(instances("r"), 1);
  EXPECT_EQ(instances("u"), 1);
  expect_completed_once({"a", "r", "u"}, false);
  // The connection destroys the exchange later; nothing completes twice.
  finish_exchange();
  expect_completed_once({"a", "r", "u"}, false);
  EXPECT_EQ(metric_delta(R"(sluice_requests_total{chain="ok",status="200"})"), 1);
}

TEST_F(LifecycleTest, OnCompleteOncePerInstanceOnAnErrorReply) {
  ASSERT_TRUE(
      use(config_yaml({chain("err", "{path_prefix: /}",
                             {script("a"), script("b", R"(on_request_body: "stop_then_resume:2")"),
                              script("c", "on_request_body: fail"), script("d")})})));
  send("POST", "/x", R"({"k":1})");
  ASSERT_EQ(sink_.head.status, 500);
  finish_exchange();
  EXPECT_EQ(instances("d"), 1);  // saw the headers before c failed in its body hook
  expect_completed_once({"a", "b", "c", "d"}, false);
}

TEST_F(LifecycleTest, ClientAbortWhileAFilterIsStoppedOnATimer) {
  ASSERT_TRUE(use(
      config_yaml({chain("abort", "{path_prefix: /}",
                         {script("a"), script("b", R"(on_request_headers: "stop_then_resume:250")"),
                          script("c", R"(on_request_headers: "reply:200")")})})));
  start("GET", "/x", "", {});
  run_for(5);
  ASSERT_FALSE(sink_.done);
  ASSERT_NE(exchange_, nullptr);
  exchange_->on_abort();
  EXPECT_EQ(completions("a", true), 1);
  EXPECT_EQ(completions("b", true), 1);
  // Past b's deadline: its timer must never fire, and nothing reaches the client.
  run_for(300);
  EXPECT_EQ(op_done("b"), 0);
  EXPECT_FALSE(sink_.done);
  EXPECT_EQ(sink_.heads, 0);
  EXPECT_EQ(instances("c"), 0);
  finish_exchange();
  expect_completed_once({"a", "b"}, true);
  EXPECT_EQ(metric_delta(R"(sluice_requests_total{chain="abort",status="client_abort"})"), 1);
}

TEST_F(LifecycleTest, ClientAbortWhileStoppedInAResponseHook) {
  ASSERT_TRUE(use(config_yaml({chain("abort-resp", "{path_prefix: /}",
                                     {script("a", R"(on_response_headers: "stop_then_resume:250")"),
                                      script("b", R"(on_request_headers: "reply:200")")})})));
  start("GET", "/x", "", {});
  run_for(5);
  ASSERT_FALSE(sink_.done);
  exchange_->on_abort();
  run_for(300);
  EXPECT_EQ(op_done("a"), 0);
  EXPECT_EQ(sink_.heads, 0);
  finish_exchange();
  expect_completed_once({"a", "b"}, true);
}

TEST_F(LifecycleTest, DestroyingTheExchangeCancelsPendingTimers) {
  ASSERT_TRUE(use(config_yaml({chain("destroy", "{path_prefix: /}",
                                     {script("a", R"(on_request_headers: "stop_then_resume:20")"),
                                      script("b", R"(on_request_headers: "reply:200")")})})));
  start("GET", "/x", "", {});  // runs the chain up to a's STOP, with its timer pending
  ASSERT_FALSE(sink_.done);
  exchange_.reset();  // no on_abort first: the destructor must still clean up
  run_for(40);        // a timer left behind would fire into freed memory here
  EXPECT_EQ(op_done("a"), 0);
  EXPECT_EQ(sink_.heads, 0);
  expect_completed_once({"a"}, true);
  EXPECT_EQ(instances("b"), 0);
}

TEST_F(LifecycleTest, ClientAbortDuringAnUpstreamCallCancelsIt) {
  ASSERT_TRUE(
      use(config_yaml({chain("abort-upstream", "{path_prefix: /}",
                             {script("a"), filter("test.router", "r", kTarget), upstream()})})));
  FakeResponse slow;
  slow.delay_ms = 250;
  transport_->script({slow});
  start("POST", "/v1/chat/completions", R"({"model":"m"})");
  run_for(5);
  ASSERT_EQ(transport_->sent.size(), 1u);
  ASSERT_EQ(transport_->live, 1);
  exchange_->on_abort();
  EXPECT_EQ(transport_->live, 0);
  EXPECT_EQ(transport_->cancelled, 1);
  run_for(300);
  EXPECT_EQ(transport_->answered, 0);
  EXPECT_EQ(sink_.heads, 0);
  finish_exchange();
  expect_completed_once({"a", "r", "u"}, true);
}

TEST_F(LifecycleTest, ClientAbortDuringTheBackoffStartsNoFurtherAttempt) {
  ASSERT_TRUE(use(config_yaml(
      {chain("abort-backoff", "{path_prefix: /}",
             {filter("test.router", "r",
                     std::string(kTarget) +
                         ", max_attempts: 3, retry_statuses: [500], backoff_base_ms: 60, "
                         "backoff_max_ms: 60"),
              upstream()})})));
  FakeResponse failed;
  failed.status = 500;
  transport_->script({failed, FakeResponse{}});
  start("POST", "/v1/chat/completions", R"({"model":"m"})");
  run_for(10);  // the 500 arrived; the retry waits 30..60 ms
  ASSERT_EQ(transport_->answered, 1);
  ASSERT_FALSE(sink_.done);
  exchange_->on_abort();
  run_for(90);
  EXPECT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sink_.heads, 0);
  finish_exchange();
  // u of attempt 1 was still alive (attempts are retired when the next one starts): once,
  // whichever flag; r completes as aborted.
  EXPECT_EQ(completions("u", false) + completions("u", true), 1);
  EXPECT_EQ(completions("r", true), 1);
  EXPECT_EQ(completions("r", false), 0);
}

TEST_F(LifecycleTest, DestroyingTheExchangeDuringAnUpstreamCallCancelsIt) {
  ASSERT_TRUE(use(config_yaml({chain("destroy-upstream", "{path_prefix: /}",
                                     {filter("test.router", "r", kTarget), upstream()})})));
  FakeResponse slow;
  slow.delay_ms = 250;
  transport_->script({slow});
  start("POST", "/v1/chat/completions", R"({"model":"m"})");
  run_for(5);
  ASSERT_EQ(transport_->live, 1);
  exchange_.reset();
  EXPECT_EQ(transport_->live, 0);
  run_for(300);
  EXPECT_EQ(transport_->answered, 0);
  expect_completed_once({"r", "u"}, true);
}

TEST_F(LifecycleTest, AbortAfterTheResponseChangesNothing) {
  ASSERT_TRUE(use(config_yaml({chain("late-abort", "{path_prefix: /}",
                                     {script("a", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  ASSERT_TRUE(sink_.done);
  exchange_->on_abort();
  finish_exchange();
  expect_completed_once({"a"}, false);
}

TEST_F(LifecycleTest, InvalidJsonIsAnsweredBeforeAnyFilterExists) {
  ASSERT_TRUE(use(config_yaml({chain("early-400", "{path_prefix: /}", {script("a")})})));
  send("POST", "/x", "{not json");
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(instances("a"), 0);
  EXPECT_EQ(completions("a", false) + completions("a", true), 0);
}

}  // namespace
}  // namespace sluice::runtime::testing
