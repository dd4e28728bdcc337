// Controls: directive and header parsing (units), their precedence, limits, status faults with
// the right OpenAI error types and retry-after, and the guide profile's timing ranges.

#include <gtest/gtest.h>

#include <string>

#include "test/tools/support.h"
#include "tools/fake-llm/controls.h"
#include "tools/fake-llm/directives.h"
#include "tools/fake-llm/ids.h"
#include "tools/fake-llm/planning.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

TEST(Directives, AreAppliedAndRemovedFromTheText) {
  std::string text = "hello [[fake status=429 retry_after=2]] world";
  Controls controls;
  std::string error;
  ASSERT_TRUE(extract_directives(&text, &controls, &error)) << error;
  EXPECT_EQ(text, "hello world");
  EXPECT_EQ(controls.status, 429);
  EXPECT_EQ(controls.retry_after, "2");
  EXPECT_FALSE(controls.delay_ms);
}

TEST(Directives, ValueForms) {
  std::string text =
      R"([[fake fault=tool_call args={"city": "Paris", "tags": ["a b"]}]] go [[fake chunks=3]])"
      R"( [[fake retry-after="Wed, 21 Oct 2015 07:28:00 GMT" Chunk-Delay-Ms='5']])";
  Controls controls;
  std::string error;
  ASSERT_TRUE(extract_directives(&text, &controls, &error)) << error;
  EXPECT_EQ(text, "go");
  EXPECT_EQ(controls.fault, Fault::tool_call);
  EXPECT_EQ(controls.args, R"({"city": "Paris", "tags": ["a b"]})");
  EXPECT_EQ(controls.chunks, 3u);
  EXPECT_EQ(controls.retry_after, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(controls.chunk_delay_ms, 5u);
}

TEST(Directives, LookalikesAndEmptyDirectives) {
  std::string text = "a [[fakeish]] b [[fake]] c";
  Controls controls;
  std::string error;
  ASSERT_TRUE(extract_directives(&text, &controls, &error)) << error;
  EXPECT_EQ(text, "a [[fakeish]] b c");
  EXPECT_TRUE(controls.empty());
}

TEST(Directives, MalformedOnesAreErrors) {
  for (const char* bad :
       {"x [[fake status=500", "[[fake status]]", "[[fake =1]]", "[[fake args={\"a\":1]]",
        "[[fake retry_after='2]]", "[[fake nosuchkey=1]]", "[[fake chunks=0]]",
        "[[fake chunks=10001]]", "[[fake delay_ms=600001]]", "[[fake status=99]]",
        "[[fake status=600]]", "[[fake fault=explode]]", "[[fake profile=fast]]",
        "[[fake delay_ms=-1]]", "[[fake delay_ms=1.5]]"}) {
    std::string text = bad;
    Controls controls;
    std::string error;
    EXPECT_FALSE(extract_directives(&text, &controls, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(Directives, LimitsAreInclusive) {
  std::string text =
      "[[fake chunks=10000 delay_ms=600000 chunk_delay_ms=0 status=599 fault_after=0]]";
  Controls controls;
  std::string error;
  EXPECT_TRUE(extract_directives(&text, &controls, &error)) << error;
}

TEST(ControlHeaders, AreReadAndValidated) {
  sluice::http::Headers headers = {
      {"x-fake-delay-ms", "15"}, {"authorization", "Bearer x"}, {"x-fake-fault", "never_answer"}};
  Controls controls;
  std::string error;
  ASSERT_TRUE(read_control_headers(headers, &controls, &error)) << error;
  EXPECT_EQ(controls.delay_ms, 15u);
  EXPECT_EQ(controls.fault, Fault::never_answer);
  headers.push_back({"x-fake-bogus", "1"});
  EXPECT_FALSE(read_control_headers(headers, &controls, &error));
}

TEST(ControlsOverlay, LaterSourcesReplaceOnlyTheirKeys) {
  Controls base;
  std::string error;
  ASSERT_TRUE(base.set("status", "500", &error));
  ASSERT_TRUE(base.set("chunks", "2", &error));
  Controls over;
  ASSERT_TRUE(over.set("chunks", "5", &error));
  base.overlay(over);
  EXPECT_EQ(base.status, 500);
  EXPECT_EQ(base.chunks, 5u);
}

TEST(GuideProfile, DrawsDelaysInTheDocumentedRanges) {
  Random random(42);
  for (int round = 0; round < 50; ++round) {
    Plan plan;
    plan.stream = true;
    plan.segments.push_back({"preamble", 0, false});
    for (int i = 0; i < 5; ++i) plan.segments.push_back({"chunk", 0, true});
    plan.segments.push_back({"tail", 0, false});
    Controls controls;
    controls.profile = Profile::guide;
    apply_controls(&plan, controls, random);
    EXPECT_GE(plan.head_delay_ms, 1000u);
    EXPECT_LE(plan.head_delay_ms, 3000u);
    EXPECT_EQ(plan.segments[1].delay_before_ms, 0u) << "the first chunk follows the head";
    for (size_t i = 2; i <= 5; ++i) {
      EXPECT_GE(plan.segments[i].delay_before_ms, 200u);
      EXPECT_LE(plan.segments[i].delay_before_ms, 800u);
    }
    EXPECT_EQ(plan.segments.back().delay_before_ms, 0u);
  }
}

TEST(ControlPrecedence, HeaderWinsOverDirective) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions",
           chat_body("a b c d e f [[fake chunks=2 status=500]]", R"(,"stream":true)"),
           {{"x-fake-chunks", "3"}, {"x-fake-status", "200"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(sse_events(response.body).size(), 1u + 3u + 1u + 1u);  // role, 3 deltas, finish, DONE
}

TEST(StatusFaults, OpenAiErrorTypePerStatus) {
  Server server;
  struct Case {
    const char* status;
    const char* type;
    const char* code;  // nullptr: null
  };
  for (const Case& c :
       {Case{"429", "rate_limit_error", "rate_limit_exceeded"},
        Case{"401", "authentication_error", "invalid_api_key"},
        Case{"403", "permission_error", nullptr},
        Case{"404", "invalid_request_error", "model_not_found"},
        Case{"400", "invalid_request_error", nullptr}, Case{"500", "server_error", nullptr},
        Case{"502", "server_error", nullptr}, Case{"503", "server_error", nullptr}}) {
    const auto response = post(server.port(), "/v1/chat/completions",
                               chat_body(std::string("x [[fake status=") + c.status + "]]"));
    EXPECT_EQ(response.status, std::atoi(c.status));
    const auto doc = json(response.body);
    const Value& error = doc["error"];
    EXPECT_EQ(str(error["type"]), c.type) << c.status;
    EXPECT_TRUE(error["message"].IsString());
    EXPECT_TRUE(error["param"].IsNull());
    if (c.code == nullptr) {
      EXPECT_TRUE(error["code"].IsNull()) << c.status;
    } else {
      EXPECT_EQ(str(error["code"]), c.code);
    }
    EXPECT_EQ(response.header("retry-after"), nullptr);
  }
}

TEST(StatusFaults, RetryAfterAndStreamsAnswerWithJsonErrors) {
  Server server;
  const auto response = post(server.port(), "/v1/chat/completions",
                             chat_body("x [[fake status=429 retry_after=3]]", R"(,"stream":true)"));
  EXPECT_EQ(response.status, 429);
  ASSERT_NE(response.header("retry-after"), nullptr);
  EXPECT_EQ(*response.header("retry-after"), "3");
  EXPECT_EQ(*response.header("content-type"), "application/json");
  EXPECT_FALSE(response.chunked);
  EXPECT_EQ(str(json(response.body)["error"]["type"]), "rate_limit_error");
  // Status faults also apply to embeddings and completions, and status wins over a bad body.
  EXPECT_EQ(
      post(server.port(), "/v1/embeddings", R"({"model":"m","input":"x [[fake status=500]]"})")
          .status,
      500);
  EXPECT_EQ(post(server.port(), "/v1/completions", "{broken", {{"x-fake-status", "503"}}).status,
            503);
}

TEST(StatusFaults, InvalidControlsAnswer400) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions", chat_body("x [[fake chunks=100000]]"));
  EXPECT_EQ(response.status, 400);
  const auto doc = json(response.body);
  EXPECT_NE(str(doc["error"]["message"]).find("chunks"), std::string::npos);
  EXPECT_EQ(
      post(server.port(), "/v1/chat/completions", chat_body("x"), {{"x-fake-nope", "1"}}).status,
      400);
}

}  // namespace
}  // namespace fake_llm::test
