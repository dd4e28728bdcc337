// The upstream attempt loop: plans, retries, targets, verdicts, per-attempt filters, failures.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

using std::chrono::milliseconds;

constexpr const char* kOneTarget = "targets: [{deployment: d0, provider: p0, model: m0}]";
constexpr const char* kTwoTargets =
    "targets: [{deployment: d0, provider: p0, model: m0}, {deployment: d1, provider: p1, "
    "model: m1}]";

std::string router(std::string_view config) {
  return filter("test.router", "r", "trace_header: x-trace, " + std::string(config));
}

std::string upstream(std::string_view config = "") {
  std::string c =
      R"(trace_header: x-trace, url: "http://up/{deployment}", attempt_header: x-attempt)";
  if (!config.empty()) c += ", " + std::string(config);
  return filter("test.upstream", "u", c);
}

std::string routed_chain(std::string_view router_config, std::string_view upstream_config = "") {
  return config_yaml({chain(
      "routed", "{path_prefix: /}",
      {script("a", "trace_header: x-trace"), router(router_config), upstream(upstream_config)})});
}

FakeResponse status(int code, uint32_t delay_ms = 1) {
  FakeResponse r;
  r.status = code;
  r.headers = {{"content-type", "application/json"}};
  r.body = "{\"status\":" + std::to_string(code) + "}";
  r.delay_ms = delay_ms;
  return r;
}

FakeResponse connect_failure() {
  FakeResponse r;
  r.fail = true;
  return r;
}

class AttemptLoopTest : public RuntimeTest {
 protected:
  std::string sent_header(size_t attempt, std::string_view name) const {
    if (attempt >= transport_->sent.size()) return "<no such attempt>";
    const std::string* value = http::find_header(transport_->sent[attempt].request.headers, name);
    return value ? *value : "<absent>";
  }
};

TEST_F(AttemptLoopTest, FirstAttempt500ThenRetrySucceeds) {
  ASSERT_TRUE(
      use(routed_chain(std::string(kOneTarget) +
                       ", max_attempts: 3, retry_statuses: [500], per_try_timeout_ms: 250")));
  transport_->script({status(500), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, R"({"status":200})");
  ASSERT_EQ(transport_->sent.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const UpstreamRequest& request = transport_->sent[i].request;
    EXPECT_EQ(request.url, "http://up/d0");
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.body, R"({"model":"gpt"})");
    EXPECT_EQ(request.timeouts.first_byte_ms, 250u);
    EXPECT_EQ(sent_header(i, "x-attempt"), std::to_string(i + 1));
  }
  EXPECT_EQ(sink_.header("x-n-r-attempts"), "1:d0:500,2:d0:200");
  EXPECT_EQ(sink_.header("x-trace"), "u,r,a");
  EXPECT_EQ(sink_.header("x-n-u-attempt"), "2");
  // One instance per attempt for u, each completed once; one for the others.
  EXPECT_EQ(instances("u"), 2);
  EXPECT_EQ(completions("u", false), 2);
  EXPECT_EQ(completions("r", false), 1);
  EXPECT_EQ(completions("a", false), 1);
  EXPECT_EQ(metric_delta(R"(sluice_upstream_attempts_total{chain="routed",result="500"})"), 1);
  EXPECT_EQ(metric_delta(R"(sluice_upstream_attempts_total{chain="routed",result="200"})"), 1);
}

TEST_F(AttemptLoopTest, ChainsLongerThanTheInlineSlotsRunEveryFilterOnEachAttempt) {
  // Ten filters (the slots of up to eight live inside the request): six before the router, the
  // upstream filter and two more per-attempt ones after it, over a retried attempt.
  const auto traced = [](const char* name) { return script(name, "trace_header: x-trace"); };
  ASSERT_TRUE(use(config_yaml(
      {chain("long", "{path_prefix: /}",
             {traced("s1"), traced("s2"), traced("s3"), traced("s4"), traced("s5"), traced("s6"),
              router(std::string(kOneTarget) + ", max_attempts: 2, retry_statuses: [500]"),
              upstream(), traced("p1"), traced("p2")})})));
  transport_->script({status(500), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, R"({"status":200})");
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(sink_.header("x-trace"), "p2,p1,u,r,s6,s5,s4,s3,s2,s1");
  EXPECT_EQ(sink_.header("x-n-u-attempt"), "2");
  for (const char* name : {"u", "p1", "p2"}) {
    EXPECT_EQ(instances(name), 2) << name;
    EXPECT_EQ(completions(name, false), 2) << name;
  }
  for (const char* name : {"s1", "s6", "r"}) {
    EXPECT_EQ(instances(name), 1) << name;
    EXPECT_EQ(completions(name, false), 1) << name;
  }
}

TEST_F(AttemptLoopTest, UsePolicyMovesToTheNextTargetThenRetriesTheLast) {
  ASSERT_TRUE(use(
      routed_chain(std::string(kTwoTargets) + ", max_attempts: 3, retry_statuses: [500, 503]")));
  transport_->script({status(500), status(503), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 3u);
  EXPECT_EQ(transport_->sent[0].request.url, "http://up/d0");
  EXPECT_EQ(transport_->sent[1].request.url, "http://up/d1");
  EXPECT_EQ(transport_->sent[2].request.url, "http://up/d1");
  EXPECT_EQ(sent_header(1, "x-attempt-target"), "d1");
  EXPECT_EQ(sink_.header("x-n-r-attempts"), "1:d0:500,2:d1:503,3:d1:200");
}

TEST_F(AttemptLoopTest, PerAttemptFiltersAreFreshAndSeeAnUntouchedCopyOfTheRequest) {
  // a rewrites the model before the router: that is part of the request every attempt starts
  // from. u marks and rewrites its own copy: the next attempt must not see it.
  ASSERT_TRUE(use(config_yaml({chain(
      "fresh", "{path_prefix: /}",
      {script("a", R"(json_set: {/model: '"from-a"'})"),
       router(std::string(kOneTarget) + ", max_attempts: 2, retry_statuses: [500]"),
       upstream(
           R"(json_get: {model: /model}, json_set: {/model: '"mutated-by-u"'},)"
           R"( request_header_get: {mark: x-u-mark}, request_header_set: {x-u-mark: set})")})})));
  transport_->script({status(500), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"client","n":1})");
  EXPECT_EQ(sink_.head.status, 200);
  // The response carries the notes of attempt 2's instance.
  EXPECT_EQ(sink_.header("x-n-u-attempt"), "2");
  EXPECT_EQ(sink_.header("x-n-u-model"), "from-a");
  EXPECT_EQ(sink_.header("x-n-u-mark"), "<none>");
  ASSERT_EQ(transport_->sent.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(transport_->sent[i].request.body, R"({"model":"mutated-by-u","n":1})") << i;
    EXPECT_EQ(sent_header(i, "x-u-mark"), "set") << i;
    EXPECT_EQ(sent_header(i, "x-attempt"), std::to_string(i + 1)) << i;
  }
  EXPECT_EQ(instances("u"), 2);
  EXPECT_EQ(completions("u", false), 2);
}

TEST_F(AttemptLoopTest, AnAttemptsHeaderFieldsStartAsTheRequestsWhateverTheLastAttemptDid) {
  // u reads the client's field, then drops every field and sets its own: attempt 2 must read the
  // client's field again, and each upstream request carries only u's.
  ASSERT_TRUE(use(config_yaml(
      {chain("headers", "{path_prefix: /}",
             {router(std::string(kOneTarget) + ", max_attempts: 2, retry_statuses: [500]"),
              upstream(R"(request_header_get: {seen: x-client}, request_headers_clear: true,)"
                       R"( request_header_set: {x-u-mark: set})")})})));
  transport_->script({status(500), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})",
       {{"content-type", "application/json"}, {"x-client", "c1"}});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-u-attempt"), "2");
  EXPECT_EQ(sink_.header("x-n-u-seen"), "c1");
  EXPECT_EQ(sink_.header("x-n-u-hclear"), "1");
  ASSERT_EQ(transport_->sent.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(sent_header(i, "x-client"), "<absent>") << i;
    EXPECT_EQ(sent_header(i, "content-type"), "<absent>") << i;
    EXPECT_EQ(sent_header(i, "x-u-mark"), "set") << i;
  }
}

TEST_F(AttemptLoopTest, AnAttemptWhoseFiltersLeaveTheHeadersAloneSendsTheRequestsFields) {
  ASSERT_TRUE(use(config_yaml({chain(
      "untouched", "{path_prefix: /}",
      {router(kOneTarget), filter("test.upstream", "u", R"(url: "http://up/{deployment}")")})})));
  transport_->script({status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})",
       {{"content-type", "application/json"}, {"x-client", "c1"}});
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sent_header(0, "x-client"), "c1");
  EXPECT_EQ(sent_header(0, "content-type"), "application/json");
}

TEST_F(AttemptLoopTest, RouterVerdictAcceptStopsRetrying) {
  ASSERT_TRUE(
      use(routed_chain(std::string(kTwoTargets) +
                       R"(, max_attempts: 3, retry_statuses: [500], verdicts: {"500": accept})")));
  transport_->script({status(500), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(sink_.body, R"({"status":500})");
  EXPECT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sink_.header("x-n-r-attempts"), "1:d0:500");
}

TEST_F(AttemptLoopTest, RouterVerdictRetrySameStaysOnTheTarget) {
  ASSERT_TRUE(use(
      routed_chain(std::string(kTwoTargets) +
                   R"(, max_attempts: 3, retry_statuses: [500], verdicts: {"500": retry_same})")));
  transport_->script({status(500), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-r-attempts"), "1:d0:500,2:d0:200");
}

TEST_F(AttemptLoopTest, RouterVerdictNextTargetRetriesAStatusThePolicyWouldAccept) {
  ASSERT_TRUE(use(
      routed_chain(std::string(kTwoTargets) +
                   R"(, max_attempts: 3, retry_statuses: [500], verdicts: {"429": next_target})")));
  transport_->script({status(429), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-r-attempts"), "1:d0:429,2:d1:200");
}

TEST_F(AttemptLoopTest, MaxAttemptsBoundsTheRetries) {
  ASSERT_TRUE(
      use(routed_chain(std::string(kTwoTargets) + ", max_attempts: 3, retry_statuses: [500]")));
  transport_->script({status(500), status(500), status(500), status(500), status(500)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(sink_.body, R"({"status":500})");  // the last attempt's own answer
  EXPECT_EQ(transport_->sent.size(), 3u);
  EXPECT_EQ(sink_.header("x-n-r-attempts"), "1:d0:500,2:d1:500,3:d1:500");
  EXPECT_EQ(instances("u"), 3);
  EXPECT_EQ(completions("u", false), 3);
}

TEST_F(AttemptLoopTest, ConnectFailuresEndIn502AfterTheAttempts) {
  ASSERT_TRUE(use(
      routed_chain(std::string(kOneTarget) + ", max_attempts: 2, retry_on_connect_failure: true")));
  transport_->script({connect_failure(), connect_failure()});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 502);
  EXPECT_EQ(error_message(sink_.body),
            "upstream request failed after 2 attempt(s): connection refused");
  EXPECT_EQ(error_code(sink_.body), "upstream_error");
  EXPECT_EQ(sink_.header("content-type"), "application/json");
  EXPECT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(sink_.header("x-n-r-attempts"), "1:d0:0,2:d0:0");
  EXPECT_EQ(sink_.header("x-trace"), "r,a");  // no attempt has a response for u to see
  EXPECT_EQ(completions("u", false), 2);
}

TEST_F(AttemptLoopTest, ConnectFailureIsNotRetriedUnlessThePlanSaysSo) {
  ASSERT_TRUE(use(routed_chain(std::string(kOneTarget) + ", max_attempts: 3")));
  transport_->script({connect_failure(), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 502);
  EXPECT_EQ(error_message(sink_.body),
            "upstream request failed after 1 attempt(s): connection refused");
  EXPECT_EQ(transport_->sent.size(), 1u);
}

TEST_F(AttemptLoopTest, RetryAfterIsHonoured) {
  ASSERT_TRUE(use(routed_chain(std::string(kOneTarget) +
                               ", max_attempts: 2, retry_statuses: [503], backoff_base_ms: 1, "
                               "backoff_max_ms: 2")));
  FakeResponse busy = status(503);
  busy.headers.push_back({"retry-after", "1"});
  transport_->script({busy, status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_GE(transport_->sent[1].at - transport_->sent[0].at, milliseconds(1000));
}

TEST_F(AttemptLoopTest, BackoffSeparatesAttempts) {
  ASSERT_TRUE(use(routed_chain(std::string(kOneTarget) +
                               ", max_attempts: 2, retry_statuses: [500], backoff_base_ms: 40, "
                               "backoff_max_ms: 40")));
  transport_->script({status(500), status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 2u);
  // Equal jitter: at least half the ceiling (the first retry's ceiling is the base).
  EXPECT_GE(transport_->sent[1].at - transport_->sent[0].at, milliseconds(20));
}

TEST_F(AttemptLoopTest, RouterWithoutAPlanAnswers500) {
  ASSERT_TRUE(use(routed_chain(std::string(kOneTarget) + ", set_plan: false")));
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body), "router filter 'r' set no upstream plan");
  EXPECT_EQ(error_code(sink_.body), "no_route");
  EXPECT_TRUE(transport_->sent.empty());
  EXPECT_EQ(instances("u"), 0);
  EXPECT_EQ(sink_.header("x-trace"), "r,a");
}

TEST_F(AttemptLoopTest, RouterWithAnEmptyPlanIsRefusedAndAnswers500) {
  ASSERT_TRUE(use(routed_chain("max_attempts: 2")));  // no targets: route_set_plan refuses
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(sink_.header("x-n-r-plan"), "0");
  EXPECT_EQ(error_message(sink_.body), "router filter 'r' set no upstream plan");
}

TEST_F(AttemptLoopTest, NoPerAttemptFilterSettingTheUrlEndsIn502) {
  ASSERT_TRUE(
      use(config_yaml({chain("no-url", "{path_prefix: /}", {script("a"), router(kOneTarget)})})));
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 502);
  EXPECT_EQ(error_message(sink_.body),
            "upstream request failed after 1 attempt(s): no per-attempt filter set upstream.url");
  EXPECT_TRUE(transport_->sent.empty());
}

TEST_F(AttemptLoopTest, BodylessRequestIsRoutedFromTheHeadersHook) {
  ASSERT_TRUE(use(routed_chain(kOneTarget)));
  transport_->script({status(200)});
  send("GET", "/v1/models", "", {});
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(transport_->sent[0].request.method, "GET");
  EXPECT_EQ(transport_->sent[0].request.body, "");
}

TEST_F(AttemptLoopTest, LocalReplyFromAPerAttemptFilterTravelsBackThroughTheChain) {
  ASSERT_TRUE(use(routed_chain(std::string(kOneTarget) + ", max_attempts: 3, retry_statuses: [418]",
                               R"(on_request_body: "reply:418")")));
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 418);  // a local reply is final, never retried
  EXPECT_EQ(sink_.body, R"({"replied_by":"u"})");
  EXPECT_EQ(sink_.header("x-trace"), "r,a");
  EXPECT_TRUE(transport_->sent.empty());
  EXPECT_EQ(completions("u", false), 1);
}

TEST_F(AttemptLoopTest, FailingPerAttemptResponseHookAnswers500) {
  ASSERT_TRUE(use(routed_chain(kOneTarget, "on_response_headers: fail")));
  transport_->script({status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body), "filter 'u' failed");
  EXPECT_EQ(sink_.header("x-trace"), "r,a");
  EXPECT_EQ(completions("u", false), 1);
}

TEST_F(AttemptLoopTest, StopInAPerAttemptFilterDelaysTheUpstreamCall) {
  ASSERT_TRUE(use(routed_chain(kOneTarget, R"(on_request_headers: "stop_then_resume:15")")));
  transport_->script({status(200)});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_GE(transport_->sent[0].at - started_at_, milliseconds(15));
}

}  // namespace
}  // namespace sluice::runtime::testing
