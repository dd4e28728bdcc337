// The cohere adapter beyond the golden files: settings validation, URL and headers, and
// behaviour at the edges (bounds, redaction, decoder state).

#include <gtest/gtest.h>

#include "providers/cohere/adapter.h"
#include "test/providers/cohere/test_support.h"

namespace sluice::providers::cohere {
namespace {

using testing::cohere_deployment;
using testing::golden_response_context;
using testing::kApiKey;

TEST(CohereCheck, NeedsAKeyAModelAndNoSettings) {
  const auto adapter = make_cohere_adapter();
  EXPECT_EQ(adapter->check(cohere_deployment()), "");
  Deployment deployment = cohere_deployment();
  deployment.api_key.clear();
  EXPECT_EQ(adapter->check(deployment), "api_key is required for cohere");
  deployment = cohere_deployment();
  deployment.model.clear();
  EXPECT_EQ(adapter->check(deployment), "model is required");
  deployment = cohere_deployment();
  deployment.settings["api_version"] = "2";
  EXPECT_EQ(adapter->check(deployment), "setting 'api_version' is not one of cohere's (none)");
  deployment = cohere_deployment();
  deployment.base_url = "file:///etc/passwd";
  EXPECT_EQ(adapter->check(deployment), "api_base must be an absolute http:// or https:// URL");
}

TEST(CohereRequest, UsesTheConfiguredBaseUrlAndOnlyServesChat) {
  const auto adapter = make_cohere_adapter();
  Deployment deployment = cohere_deployment();
  deployment.base_url = "http://127.0.0.1:9999";
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(adapter->build_request(Endpoint::chat_completions,
                                     R"({"messages":[{"role":"user","content":"hi"}]})", deployment,
                                     &request, &failure));
  EXPECT_EQ(request.url, "http://127.0.0.1:9999/v2/chat");
  EXPECT_EQ(request.body.find(kApiKey), std::string::npos);
  EXPECT_FALSE(adapter->supports(Endpoint::embeddings));
  EXPECT_FALSE(adapter->supports(Endpoint::completions));
  EXPECT_FALSE(adapter->build_request(Endpoint::embeddings, R"({"input":"x"})", deployment,
                                      &request, &failure));
  EXPECT_EQ(failure.status, 404);
  EXPECT_EQ(adapter->stream_decoder(Endpoint::embeddings, golden_response_context()), nullptr);
}

TEST(CohereRequest, WrongTypesNameTheField) {
  const auto adapter = make_cohere_adapter();
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":-1})", "max_tokens"},
      {R"({"messages":[{"role":"user","content":"x"}],"top_p":"high"})", "top_p"},
      {R"({"messages":[{"role":"user","content":"x"}],"stop":[1]})", "stop"},
      {R"({"messages":[{"role":"user","content":"x"}],"logprobs":true})", "logprobs"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema"}})",
       "response_format.json_schema.schema"},
      {R"({"messages":[{"role":"user","content":[{"type":"input_audio"}]}]})",
       "messages[0].content[0].type"},
      {R"({"messages":[{"role":"tool","content":"x"}]})", "messages[0].tool_call_id"},
      {R"({"messages":[{"role":"function","content":"x"}]})", "messages[0].role"},
      {R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]})",
       "tools[0].function.parameters"},
      {R"({"messages":{}})", "messages"},
      {R"([1,2])", ""},
  };
  for (const auto& [body, param] : cases) {
    UpstreamRequest request;
    Failure failure;
    EXPECT_FALSE(adapter->build_request(Endpoint::chat_completions, body, cohere_deployment(),
                                        &request, &failure))
        << body;
    EXPECT_EQ(failure.status, 400) << body;
    EXPECT_EQ(failure.param, param) << body;
    EXPECT_FALSE(failure.message.empty()) << body;
  }
}

TEST(CohereStream, NothingFollowsTheEndAndUsageIsOwedOnce) {
  auto decoder =
      make_cohere_adapter()->stream_decoder(Endpoint::chat_completions, golden_response_context());
  std::vector<std::string> chunks;
  Failure failure;
  ASSERT_TRUE(decoder->feed(
      R"({"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"tokens":{"input_tokens":1,"output_tokens":1}}}})",
      &chunks, &failure));
  ASSERT_TRUE(
      decoder->feed(R"({"type":"content-delta","delta":{"message":{"content":{"text":"late"}}}})",
                    &chunks, &failure));
  ASSERT_TRUE(decoder->feed(R"({"type":"citation-start","index":0})", &chunks, &failure));
  EXPECT_EQ(chunks.size(), 2u);  // role, finish
  ASSERT_TRUE(decoder->finish(&chunks, &failure));
  ASSERT_TRUE(decoder->finish(&chunks, &failure));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_NE(chunks.back().find(R"("total_tokens":2)"), std::string::npos) << chunks.back();
}

TEST(CohereStream, AnErrorObjectInTheStreamFailsIt) {
  auto decoder =
      make_cohere_adapter()->stream_decoder(Endpoint::chat_completions, golden_response_context());
  std::vector<std::string> chunks;
  Failure failure;
  EXPECT_FALSE(decoder->feed(R"({"message":"internal server error"})", &chunks, &failure));
  EXPECT_EQ(failure.status, 502);
  EXPECT_EQ(failure.message, "internal server error");
}

TEST(CohereStream, AToolCallIndexOutOfRangeIsABrokenStream) {
  auto decoder =
      make_cohere_adapter()->stream_decoder(Endpoint::chat_completions, golden_response_context());
  std::vector<std::string> chunks;
  Failure failure;
  EXPECT_FALSE(decoder->feed(
      R"({"type":"tool-call-delta","index":100000,"delta":{"message":{"tool_calls":{"function":{"arguments":"x"}}}}})",
      &chunks, &failure));
  EXPECT_EQ(failure.status, 502);
}

TEST(CohereError, LongTextIsBoundedAndEveryKeyCopyRemoved) {
  const std::string key(kApiKey);
  const Failure failure = make_cohere_adapter()->translate_error(
      401, R"({"message":")" + key + " " + key + R"("})", cohere_deployment());
  EXPECT_EQ(failure.message, "[redacted] [redacted]");
  const Failure bounded = make_cohere_adapter()->translate_error(
      500, R"({"message":")" + std::string(10000, 'z') + R"("})", cohere_deployment());
  EXPECT_EQ(bounded.message.size(), 4096u);
  EXPECT_EQ(bounded.type, "server_error");
}

}  // namespace
}  // namespace sluice::providers::cohere
