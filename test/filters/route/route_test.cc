// filters/route: config validation and behaviour through the real runtime (route + translate
// plugins, fake upstream): model list, refusals, weighted order, retries and failover.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "test/filters/filter_test_support.h"

namespace sluice::filters::testing {
namespace {

using runtime::testing::build;

constexpr const char* kRegistry = R"(providers:
  - {name: p0, type: openai_compatible, api_base: "http://d0.test/v1", api_key: key-p0}
  - {name: p1, type: openai_compatible, api_base: "http://d1.test/v1", api_key: key-p1}
models:
  - name: gpt
    deployments:
      - {provider: p0, model: m0}
  - name: pair
    deployments:
      - {provider: p0, model: m0}
      - {provider: p1, model: m1}
  - name: weighted
    deployments:
      - {provider: p0, model: m0, weight: 1}
      - {provider: p1, model: m1, weight: 3}
)";

std::string route_chain(std::string_view route_config = "backoff_base_ms: 1") {
  return gateway(kRegistry, filter_item("route", route_config) + filter_item("translate"));
}

std::string build_error(std::string_view route_config) {
  runtime::testing::Built built = build(route_chain(route_config));
  return built.runtime ? "<accepted>" : built.errors_text();
}

class RouteTest : public FilterTest {};

// ---- config ----------------------------------------------------------------------------------

TEST_F(RouteTest, ConfigRefusesUnknownFieldsAndBadValues) {
  EXPECT_NE(build_error("retries: 3").find("retries"), std::string::npos)
      << build_error("retries: 3");
  EXPECT_NE(build_error("num_retries: 11").find("num_retries must be at most 10"),
            std::string::npos);
  EXPECT_NE(build_error("retry_statuses: [200]").find("200 is not an error status"),
            std::string::npos);
  EXPECT_NE(build_error("backoff_base_ms: 500, backoff_max_ms: 100")
                .find("backoff_max_ms (100) must not be below backoff_base_ms (500)"),
            std::string::npos);
  EXPECT_NE(build_error("num_retries: -1"), "<accepted>");
  EXPECT_EQ(build_error(""), "<accepted>");
  EXPECT_EQ(build_error("num_retries: 0, retry_statuses: [], backoff_base_ms: 0, "
                        "backoff_max_ms: 0, retry_on_connect_failure: false, "
                        "per_try_timeout_ms: 5"),
            "<accepted>");
}

TEST_F(RouteTest, DefaultsRetryTwiceOn5xxWithBackoffAndNoPerTryTimeout) {
  ASSERT_TRUE(use(route_chain("")));
  transport_->script({status_answer(503), status_answer(500), chat_answer()});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 3u);
  // Default backoff_base_ms 200: the first retry waits at least half of 200 ms, the second at
  // least half of 400 ms.
  auto gap = [&](size_t i) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(transport_->sent[i].at -
                                                                 transport_->sent[i - 1].at)
        .count();
  };
  EXPECT_GE(gap(1), 100);
  EXPECT_GE(gap(2), 200);
  EXPECT_EQ(sent(0).timeouts.first_byte_ms, 600000u);  // per_try_timeout_ms 0: the client's own
}

TEST_F(RouteTest, DefaultRetryStatusesAndConnectFailure) {
  ASSERT_TRUE(use(route_chain()));
  FakeResponse refused;
  refused.fail = true;
  refused.delay_ms = 0;
  transport_->script({status_answer(429), refused, chat_answer()});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(transport_->sent.size(), 3u);

  reset_client();
  transport_->sent.clear();
  transport_->script({status_answer(409, R"({"error":{"message":"conflict","type":"x"}})")});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 409);
  EXPECT_EQ(transport_->sent.size(), 1u);
}

TEST_F(RouteTest, PerTryTimeoutReachesTheTransport) {
  ASSERT_TRUE(use(route_chain("per_try_timeout_ms: 750")));
  transport_->script({chat_answer()});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sent(0).timeouts.first_byte_ms, 750u);
}

TEST_F(RouteTest, ExplicitEmptyRetryStatusesRetriesNoStatus) {
  ASSERT_TRUE(use(route_chain("retry_statuses: [], backoff_base_ms: 1")));
  transport_->script({status_answer(500), chat_answer()});
  post("/v1/chat/completions", R"({"model":"pair"})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(transport_->sent.size(), 1u);
}

TEST_F(RouteTest, ConnectFailureNotRetriedWhenTurnedOff) {
  ASSERT_TRUE(use(route_chain("retry_on_connect_failure: false")));
  FakeResponse refused;
  refused.fail = true;
  refused.delay_ms = 0;
  transport_->script({refused, chat_answer()});
  post("/v1/chat/completions", R"({"model":"pair"})");
  EXPECT_EQ(sink_.head.status, 502);
  EXPECT_EQ(transport_->sent.size(), 1u);
}

// ---- models list -------------------------------------------------------------------------------

TEST_F(RouteTest, ModelsListIsAnsweredLocally) {
  ASSERT_TRUE(use(route_chain()));
  const std::string expected =
      R"({"object":"list","data":[)"
      R"({"id":"gpt","object":"model","created":0,"owned_by":"sluice"},)"
      R"({"id":"pair","object":"model","created":0,"owned_by":"sluice"},)"
      R"({"id":"weighted","object":"model","created":0,"owned_by":"sluice"}]})";
  for (const char* path : {"/v1/models", "/models"}) {
    reset_client();
    send("GET", path, "", {});
    EXPECT_EQ(sink_.head.status, 200) << path;
    EXPECT_EQ(sink_.body, expected) << path;
    EXPECT_EQ(sink_.header("content-type"), "application/json");
  }
  reset_client();
  send("GET", "/v1/models/pair", "", {});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, R"({"id":"pair","object":"model","created":0,"owned_by":"sluice"})");
  reset_client();
  send("GET", "/v1/models/nope", "", {});
  EXPECT_EQ(sink_.head.status, 404);
  EXPECT_EQ(error_code(sink_.body), "model_not_found");
  reset_client();
  send("POST", "/v1/models", "{}");
  EXPECT_EQ(sink_.head.status, 405);
  EXPECT_EQ(sink_.header("allow"), "GET");
  EXPECT_TRUE(transport_->sent.empty());
}

// ---- refusals ----------------------------------------------------------------------------------

TEST_F(RouteTest, FieldsThatSteerTheUpstreamAreRefusedAndNothingIsSent) {
  ASSERT_TRUE(use(route_chain()));
  const char* fields[] = {"api_base",          "base_url",          "api_key",
                          "api_version",       "extra_headers",     "headers",
                          "organization",      "aws_access_key_id", "aws_secret_access_key",
                          "aws_session_token", "aws_region_name",   "vertex_credentials",
                          "vertex_project",    "vertex_location",   "custom_llm_provider"};
  for (const char* field : fields) {
    reset_client();
    post("/v1/chat/completions",
         std::string(R"({"model":"gpt","messages":[],")") + field + R"(":"http://evil.test"})");
    EXPECT_EQ(sink_.head.status, 400) << field;
    EXPECT_EQ(error_code(sink_.body), "forbidden_parameter") << field;
    EXPECT_NE(error_message(sink_.body).find(std::string("`") + field + "`"), std::string::npos)
        << sink_.body;
  }
  reset_client();
  post("/v1/chat/completions", R"({"model":"gpt","metadata":{"api_base":"http://evil.test"}})");
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_code(sink_.body), "forbidden_parameter");
  EXPECT_NE(error_message(sink_.body).find("`metadata.api_base`"), std::string::npos);
  // Even a null value is refused, and so is a request for an unknown model carrying one.
  reset_client();
  post("/v1/chat/completions", R"({"model":"nope","api_key":null})");
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_TRUE(transport_->sent.empty());
  EXPECT_EQ(transport_->live, 0);
  // Ordinary metadata passes.
  reset_client();
  transport_->script({chat_answer()});
  post("/v1/chat/completions", R"({"model":"gpt","metadata":{"user":"u1"}})");
  EXPECT_EQ(sink_.head.status, 200);
}

TEST_F(RouteTest, MissingOrNonStringModelIs400) {
  ASSERT_TRUE(use(route_chain()));
  for (const char* body : {R"({"messages":[]})", R"({"model":7})", R"({"model":null})", "[1]"}) {
    reset_client();
    post("/v1/chat/completions", body);
    EXPECT_EQ(sink_.head.status, 400) << body;
    EXPECT_EQ(error_code(sink_.body), "missing_model") << body;
  }
  reset_client();
  send("POST", "/v1/chat/completions", "", {});
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_code(sink_.body), "missing_model");
  EXPECT_TRUE(transport_->sent.empty());
}

TEST_F(RouteTest, UnknownModelIs404) {
  ASSERT_TRUE(use(route_chain()));
  post("/v1/chat/completions", R"({"model":"gpt-9"})");
  EXPECT_EQ(sink_.head.status, 404);
  EXPECT_EQ(error_code(sink_.body), "model_not_found");
  EXPECT_EQ(error_message(sink_.body),
            "The model `gpt-9` does not exist or you do not have access to it.");
  EXPECT_EQ(json_at(sink_.body, "/error/type"), "\"invalid_request_error\"");
  EXPECT_TRUE(transport_->sent.empty());
}

TEST_F(RouteTest, OtherMethodsAre404) {
  ASSERT_TRUE(use(route_chain()));
  send("GET", "/v1/chat/completions", "", {});
  EXPECT_EQ(sink_.head.status, 404);
  EXPECT_EQ(error_message(sink_.body), "Invalid URL (GET /v1/chat/completions)");
  EXPECT_TRUE(transport_->sent.empty());
}

// ---- targets -----------------------------------------------------------------------------------

TEST_F(RouteTest, WeightedSplitFollowsTheWeightsOver2000Requests) {
  ASSERT_TRUE(use(route_chain()));
  std::map<std::string, int> first;
  constexpr int kRequests = 2000;
  for (int i = 0; i < kRequests; ++i) {
    reset_client();
    transport_->sent.clear();
    transport_->script({chat_answer()});
    start("POST", "/v1/chat/completions", R"({"model":"weighted"})",
          {{"content-type", "application/json"}});
    ASSERT_TRUE(run_until_response());
    ASSERT_EQ(transport_->sent.size(), 1u);
    ++first[sent(0).url];
  }
  double share = static_cast<double>(first["http://d1.test/v1/chat/completions"]) / kRequests;
  EXPECT_NEAR(share, 0.75, 0.05) << first["http://d0.test/v1/chat/completions"] << " / "
                                 << first["http://d1.test/v1/chat/completions"];
  EXPECT_EQ(first.size(), 2u);
}

TEST_F(RouteTest, FailoverGoesToTheOtherDeployment) {
  // num_retries 0: a retryable status moves to the next target at once; the plan holds both
  // deployments in some weighted order, each once.
  ASSERT_TRUE(use(route_chain("num_retries: 0, backoff_base_ms: 1")));
  for (int i = 0; i < 20; ++i) {
    reset_client();
    transport_->sent.clear();
    transport_->script({status_answer(503), chat_answer()});
    post("/v1/chat/completions", R"({"model":"pair"})");
    ASSERT_EQ(transport_->sent.size(), 2u);
    EXPECT_NE(sent(0).url, sent(1).url);
    EXPECT_EQ(sink_.head.status, 200);
  }
}

// ---- retries -----------------------------------------------------------------------------------

TEST_F(RouteTest, RetriesOn500ThenSucceeds) {
  ASSERT_TRUE(use(route_chain()));
  transport_->script({status_answer(500), status_answer(500), chat_answer()});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(sent(i).url, "http://d0.test/v1/chat/completions");
  EXPECT_EQ(json_at(sink_.body, "/model"), "\"gpt\"");
}

TEST_F(RouteTest, RetriesThenMovesToTheNextDeployment) {
  ASSERT_TRUE(use(route_chain("num_retries: 1, backoff_base_ms: 1")));
  transport_->script({status_answer(502), status_answer(502), chat_answer()});
  post("/v1/chat/completions", R"({"model":"pair"})");
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 3u);
  EXPECT_EQ(sent(0).url, sent(1).url);
  EXPECT_NE(sent(1).url, sent(2).url);
}

TEST_F(RouteTest, AllAttemptsSpentReturnsTheLastError) {
  ASSERT_TRUE(use(route_chain("num_retries: 1, backoff_base_ms: 1")));
  transport_->script(
      {status_answer(500), status_answer(500), status_answer(500),
       status_answer(500, R"({"error":{"message":"last one","type":"server_error"}})"),
       chat_answer()});
  post("/v1/chat/completions", R"({"model":"pair"})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(transport_->sent.size(), 4u);  // (1 + 1 retry) x 2 deployments
  EXPECT_EQ(error_message(sink_.body), "last one");
}

TEST_F(RouteTest, NonRetryable400IsAcceptedAtOnce) {
  ASSERT_TRUE(use(route_chain()));
  transport_->script(
      {status_answer(400, R"({"error":{"message":"bad","type":"invalid_request_error"}})"),
       chat_answer()});
  post("/v1/chat/completions", R"({"model":"pair"})");
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(error_message(sink_.body), "bad");
}

}  // namespace
}  // namespace sluice::filters::testing
