// Chain execution without upstream: hook order, local replies, STOP/resume, failures.

#include <gtest/gtest.h>

#include <chrono>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

using std::chrono::milliseconds;

constexpr const char* kOpen = "failure_policy: FAILURE_POLICY_OPEN";

class ChainFlowTest : public RuntimeTest {
 protected:
  milliseconds elapsed() const {
    return std::chrono::duration_cast<milliseconds>(sink_.done_at - started_at_);
  }
};

TEST_F(ChainFlowTest, RequestHooksRunInChainOrderAndResponseHooksInReverse) {
  const char* trace = "request_trace_header: x-req, trace_header: x-trace";
  ASSERT_TRUE(use(config_yaml({chain(
      "order", "{path_prefix: /}",
      {script("a", trace), script("b", trace), script("c", trace),
       script("d", R"(request_header_get: {seen: x-req}, on_request_headers: "reply:200")")})})));
  send("POST", "/v1/chat/completions", R"({"model":"m"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-d-seen"), "a,b,c");  // request hooks: chain order
  EXPECT_EQ(sink_.header("x-trace"), "c,b,a");     // response hooks: reverse
  EXPECT_EQ(sink_.header_count("x-trace"), 1);
  EXPECT_EQ(sink_.body, R"({"replied_by":"d"})");
  EXPECT_EQ(sink_.header("content-type"), "application/json");
  EXPECT_NE(sink_.header("x-request-id"), "<absent>");
  for (const char* name : {"a", "b", "c", "d"}) {
    EXPECT_EQ(instances(name), 1) << name;
    EXPECT_EQ(completions(name, false), 1) << name;
  }
}

TEST_F(ChainFlowTest, LocalReplyFromTheFirstFilterSkipsEveryOtherFilter) {
  ASSERT_TRUE(use(
      config_yaml({chain("first", "{path_prefix: /}",
                         {script("a", R"(trace_header: x-trace, on_request_headers: "reply:203")"),
                          script("b", "trace_header: x-trace")})})));
  send("GET", "/health", "", {});
  EXPECT_EQ(sink_.head.status, 203);
  EXPECT_EQ(sink_.body, R"({"replied_by":"a"})");
  // The replying filter's own response hooks do not run, and b never existed.
  EXPECT_EQ(sink_.header("x-trace"), "<absent>");
  EXPECT_EQ(instances("b"), 0);
  EXPECT_EQ(completions("a", false), 1);
  EXPECT_EQ(completions("b", false) + completions("b", true), 0);
}

TEST_F(ChainFlowTest, LocalReplyFromTheLastFilterTravelsBackThroughTheOthers) {
  ASSERT_TRUE(use(config_yaml(
      {chain("last", "{path_prefix: /}",
             {script("a", "trace_header: x-trace"), script("b", "trace_header: x-trace"),
              script("c", R"(trace_header: x-trace, on_request_headers: "reply:201")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 201);
  EXPECT_EQ(sink_.header("x-trace"), "b,a");
  for (const char* name : {"a", "b", "c"}) EXPECT_EQ(completions(name, false), 1) << name;
}

TEST_F(ChainFlowTest, LocalReplyFromTheMiddleNeverRunsTheFiltersAfterIt) {
  ASSERT_TRUE(use(
      config_yaml({chain("middle", "{path_prefix: /}",
                         {script("a", "trace_header: x-trace"),
                          script("b", R"(trace_header: x-trace, on_request_headers: "reply:409")"),
                          script("c", "trace_header: x-trace")})})));
  send("POST", "/x", R"({"k":1})");
  EXPECT_EQ(sink_.head.status, 409);
  EXPECT_EQ(sink_.header("x-trace"), "a");
  EXPECT_EQ(instances("c"), 0);
  EXPECT_EQ(completions("a", false), 1);
  EXPECT_EQ(completions("b", false), 1);
}

// Headers run through the whole chain before any body hook: a reply from a body hook comes after
// the later filters saw the headers. They exist, so they complete, but see no response.
TEST_F(ChainFlowTest, LocalReplyFromABodyHookAfterLaterFiltersSawTheHeaders) {
  ASSERT_TRUE(use(config_yaml(
      {chain("middle-body", "{path_prefix: /}",
             {script("a", "trace_header: x-trace"),
              script("b", R"(trace_header: x-trace, on_request_body: "reply:409")"),
              script("c", R"(trace_header: x-trace, on_request_body: "reply:200")")})})));
  send("POST", "/x", R"({"k":1})");
  EXPECT_EQ(sink_.head.status, 409);
  EXPECT_EQ(sink_.body, R"({"replied_by":"b"})");
  EXPECT_EQ(sink_.header("x-trace"), "a");
  for (const char* name : {"a", "b", "c"}) {
    EXPECT_EQ(instances(name), 1) << name;
    EXPECT_EQ(completions(name, false), 1) << name;
  }
}

TEST_F(ChainFlowTest, StopAndResumeAcrossATimerInRequestAndResponseHooks) {
  ASSERT_TRUE(use(config_yaml(
      {chain("stop", "{path_prefix: /}",
             {script("a", R"(trace_header: x-trace, on_response_headers: "stop_then_resume:10")"),
              script("b", R"(trace_header: x-trace, on_request_headers: "stop_then_resume:15")"),
              script("c", R"(on_request_body: "stop_then_resume:5",)"
                          R"( on_response_body: "stop_then_resume:5")"),
              script("d", R"(on_request_body: "reply:200")")})})));
  send("POST", "/x", R"({"k":1})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, R"({"replied_by":"d"})");
  EXPECT_EQ(sink_.header("x-trace"), "b,a");
  EXPECT_GE(elapsed(), milliseconds(35));
  EXPECT_EQ(op_done("a"), 1);
  EXPECT_EQ(op_done("b"), 1);
  EXPECT_EQ(op_done("c"), 2);
  for (const char* name : {"a", "b", "c", "d"}) EXPECT_EQ(completions(name, false), 1) << name;
}

TEST_F(ChainFlowTest, ResumeInsideTheHookThatReturnsStopContinuesTheChain) {
  ASSERT_TRUE(use(config_yaml({chain("early", "{path_prefix: /}",
                                     {script("a", R"(on_request_headers: "resume_early")"),
                                      script("b", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-a-early-resume"), "1");
  EXPECT_EQ(op_done("a"), 0);
  EXPECT_EQ(completions("a", false), 1);
}

// A resume() called in a hook that then returns CONTINUE must not leak into a later STOP of the
// same filter: that STOP has to hold until the filter's own timer answers.
TEST_F(ChainFlowTest, EarlyResumeDoesNotCarryOverToALaterStop) {
  ASSERT_TRUE(use(config_yaml({chain("leak", "{path_prefix: /}",
                                     {script("a", R"(on_request_headers: "resume_then_continue",)"
                                                  R"( on_request_body: "stop_then_reply:10:418")"),
                                      script("b", R"(on_request_body: "reply:200")")})})));
  send("POST", "/x", R"({"k":1})");
  EXPECT_EQ(sink_.head.status, 418);
  EXPECT_EQ(error_message(sink_.body), "filter a replied late");
  EXPECT_EQ(op_done("a"), 1);
  EXPECT_EQ(completions("b", false), 1);  // saw the headers, never the body
}

TEST_F(ChainFlowTest, StopThenLocalReplyFromOnOpDone) {
  ASSERT_TRUE(use(config_yaml(
      {chain("late", "{path_prefix: /}",
             {script("a", "trace_header: x-trace"),
              script("b", R"(trace_header: x-trace, on_request_headers: "stop_then_reply:10:429")"),
              script("c", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 429);
  EXPECT_EQ(error_message(sink_.body), "filter b replied late");
  EXPECT_EQ(error_code(sink_.body), "late_reply");
  EXPECT_EQ(sink_.header("content-type"), "application/json");
  EXPECT_EQ(sink_.header("x-trace"), "a");
  EXPECT_GE(elapsed(), milliseconds(10));
  EXPECT_EQ(instances("c"), 0);
  EXPECT_EQ(completions("a", false), 1);
  EXPECT_EQ(completions("b", false), 1);
}

TEST_F(ChainFlowTest, FailWithPolicyClosedAnswers500NamingTheFilter) {
  ASSERT_TRUE(
      use(config_yaml({chain("closed", "{path_prefix: /}",
                             {script("a", "trace_header: x-trace"),
                              script("b", R"(trace_header: x-trace, on_request_headers: fail)"),
                              script("c", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body), "filter 'b' failed");
  EXPECT_EQ(error_code(sink_.body), "filter_failure");
  EXPECT_NE(sink_.body.find(R"("type":"server_error")"), std::string::npos) << sink_.body;
  EXPECT_EQ(sink_.header("x-trace"), "a");
  EXPECT_EQ(instances("c"), 0);
  EXPECT_EQ(completions("a", false), 1);
  EXPECT_EQ(completions("b", false), 1);
  EXPECT_EQ(metric_delta(R"(sluice_filter_failures_total{chain="closed",filter="b"})"), 1);
}

TEST_F(ChainFlowTest, FailWithPolicyOpenSkipsTheFilter) {
  ASSERT_TRUE(use(
      config_yaml({chain("open", "{path_prefix: /}",
                         {script("a", "trace_header: x-trace"),
                          script("b", R"(trace_header: x-trace, on_request_headers: fail)", kOpen),
                          script("c", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, R"({"replied_by":"c"})");
  EXPECT_EQ(sink_.header("x-trace"), "b,a");
  EXPECT_EQ(completions("b", false), 1);
  EXPECT_EQ(metric_delta(R"(sluice_filter_failures_total{chain="open",filter="b"})"), 1);
}

TEST_F(ChainFlowTest, AThrowingHookBehavesAsFail) {
  ASSERT_TRUE(use(config_yaml(
      {chain("throw-closed", "{path_prefix: /closed}",
             {script("a", "trace_header: x-trace"), script("b", R"(on_request_headers: throw)"),
              script("c", R"(on_request_headers: "reply:200")")}),
       chain("throw-open", "{path_prefix: /open}",
             {script("d", R"(on_request_body: throw)", kOpen),
              script("e", R"(on_request_body: "reply:200")")})})));
  send("GET", "/closed", "", {});
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body), "filter 'b' failed");
  EXPECT_EQ(sink_.header("x-trace"), "a");
  EXPECT_EQ(instances("c"), 0);

  finish_exchange();
  sink_ = FakeSink();
  send("POST", "/open", R"({"k":1})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, R"({"replied_by":"e"})");
}

TEST_F(ChainFlowTest, LocalReplyStatusWithoutAReplyBehavesAsFail) {
  ASSERT_TRUE(use(config_yaml({chain("bad", "{path_prefix: /bad}",
                                     {script("a", "trace_header: x-trace"),
                                      script("b", R"(on_request_headers: bad_local_reply)"),
                                      script("c", R"(on_request_headers: "reply:200")")}),
                               chain("bad-open", "{path_prefix: /open}",
                                     {script("d", R"(on_request_headers: bad_local_reply)", kOpen),
                                      script("e", R"(on_request_headers: "reply:202")")})})));
  send("GET", "/bad", "", {});
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body), "filter 'b' failed");
  EXPECT_EQ(sink_.header("x-trace"), "a");
  EXPECT_EQ(instances("c"), 0);

  finish_exchange();
  sink_ = FakeSink();
  send("GET", "/open", "", {});
  EXPECT_EQ(sink_.head.status, 202);
}

TEST_F(ChainFlowTest, FailInAResponseHookReplacesTheResponse) {
  ASSERT_TRUE(
      use(config_yaml({chain("resp-fail", "{path_prefix: /}",
                             {script("a", "trace_header: x-trace"),
                              script("b", R"(trace_header: x-trace, on_response_headers: fail)"),
                              script("c", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body), "filter 'b' failed");
  // a sees the 500 that replaced the response b was working on.
  EXPECT_EQ(sink_.header("x-trace"), "a");
  for (const char* name : {"a", "b", "c"}) EXPECT_EQ(completions(name, false), 1) << name;
}

TEST_F(ChainFlowTest, LocalReplyFromAResponseBodyHook) {
  ASSERT_TRUE(use(
      config_yaml({chain("resp-reply", "{path_prefix: /}",
                         {script("a", "trace_header: x-trace"),
                          script("b", R"(trace_header: x-trace, on_response_body: "reply:299")"),
                          script("c", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 299);
  EXPECT_EQ(sink_.body, R"({"replied_by":"b"})");
  EXPECT_EQ(sink_.header("x-trace"), "a");
}

TEST_F(ChainFlowTest, StreamNewFailureFollowsTheFailurePolicy) {
  ASSERT_TRUE(use(config_yaml(
      {chain("new-closed", "{path_prefix: /closed}",
             {script("a", "trace_header: x-trace"), script("b", "throw_in_constructor: true"),
              script("c", R"(on_request_headers: "reply:200")")}),
       chain("new-open", "{path_prefix: /open}",
             {script("d", "trace_header: x-trace"),
              script("e", "trace_header: x-trace, throw_in_constructor: true", kOpen),
              script("f", R"(on_request_body: "reply:200")")})})));
  send("GET", "/closed", "", {});
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body), "filter 'b' failed");
  EXPECT_EQ(sink_.header("x-trace"), "a");
  EXPECT_EQ(instances("c"), 0);
  EXPECT_EQ(completions("b", false) + completions("b", true), 0) << "b never existed";

  finish_exchange();
  sink_ = FakeSink();
  // With a body: e is skipped once, not asked again for the body pass, and has no response hooks.
  send("POST", "/open", R"({"k":1})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-trace"), "d");
  EXPECT_EQ(instances("e"), 1) << "stream_new is tried once per request";
  EXPECT_EQ(metric_delta(R"(sluice_filter_failures_total{chain="new-open",filter="e"})"), 1);
  EXPECT_EQ(completions("e", false) + completions("e", true), 0);
}

TEST_F(ChainFlowTest, ChainWithoutRouterWhereNobodyRepliesAnswers500) {
  ASSERT_TRUE(use(config_yaml(
      {chain("silent", "{path_prefix: /}",
             {script("a", "trace_header: x-trace"), script("b", "trace_header: x-trace")})})));
  send("POST", "/x", R"({"k":1})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body),
            "chain 'silent' ended without a response: no filter replied and none routes "
            "upstream");
  EXPECT_EQ(error_code(sink_.body), "no_response");
  EXPECT_EQ(sink_.header("x-trace"), "b,a");
  EXPECT_TRUE(transport_->sent.empty());
  EXPECT_EQ(completions("a", false), 1);
  EXPECT_EQ(completions("b", false), 1);
}

TEST_F(ChainFlowTest, NoMatchingChainAnswers404) {
  ASSERT_TRUE(use(config_yaml({chain("only-v1", "{path_prefix: /v1, methods: [POST]}",
                                     {script("a", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/v1/models", "", {});
  EXPECT_EQ(sink_.head.status, 404);
  EXPECT_EQ(error_code(sink_.body), "route_not_found");
  EXPECT_EQ(error_message(sink_.body), "no route for GET /v1/models");
  EXPECT_EQ(exchange_, nullptr);
  EXPECT_EQ(instances("a"), 0);
}

}  // namespace
}  // namespace sluice::runtime::testing
