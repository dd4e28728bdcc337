// Client APIs other than OpenAI's through the chain: an Anthropic Messages request reaches the
// filters and the upstream as OpenAI's chat-completions request, and the answer (whole, streamed,
// or an error from the upstream, a filter or the host) goes back in Anthropic's shape.

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "providers/aws/event_stream.h"
#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

constexpr const char* kTarget = "targets: [{deployment: d0, provider: p0, model: m0}]";

std::string routed_chain(const std::string& a_extra = "") {
  return config_yaml({chain(
      "routed", "{path_prefix: /}",
      {script("a", R"(json_get: {model: /model, first: /messages/0/content}, meta_get: {api: )"
                   R"(request.api, path: request.path, client: request.client_path})" +
                       a_extra),
       filter("test.router", "r", kTarget),
       filter("test.upstream", "u", R"(url: "http://up/{deployment}")")})});
}

constexpr const char* kAnthropicRequest =
    R"({"model":"claude-x","max_tokens":64,"system":"Be brief.",)"
    R"("messages":[{"role":"user","content":"hello"}]})";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

using ClientApiTest = RuntimeTest;

// The upstream's answers, in OpenAI's shape (the chain speaks OpenAI whatever the client does).
FakeResponse openai_answer() {
  FakeResponse answer;
  answer.headers = {{"content-type", "application/json"}};
  answer.body =
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m0","choices":[)"
      R"({"index":0,"message":{"role":"assistant","content":"Hi there"},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}})";
  return answer;
}

FakeResponse openai_rate_limited() {
  FakeResponse limited;
  limited.status = 429;
  limited.headers = {{"content-type", "application/json"}};
  limited.body = R"({"error":{"message":"slow down","type":"rate_limit_error","code":null}})";
  return limited;
}

// A stream of chunks with these deltas (JSON objects), a "stop" finish, a usage chunk, [DONE].
FakeResponse openai_stream(const std::vector<std::string>& deltas) {
  FakeResponse stream;
  stream.headers = {{"content-type", "text/event-stream"}};
  stream.body.clear();
  const std::string head =
      R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m0","choices":)";
  for (const std::string& delta : deltas) {
    stream.chunks.push_back(head + R"([{"index":0,"delta":)" + delta +
                            R"(,"finish_reason":null}]})" + "\n\n");
  }
  stream.chunks.push_back(head + R"([{"index":0,"delta":{},"finish_reason":"stop"}]})" + "\n\n");
  stream.chunks.push_back(
      head + R"([],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}})" + "\n\n");
  stream.chunks.push_back("data: [DONE]\n\n");
  return stream;
}

TEST_F(ClientApiTest, AnAnthropicRequestReachesTheChainAndUpstreamAsOpenAis) {
  ASSERT_TRUE(use(routed_chain()));
  transport_->script({openai_answer()});
  send("POST", "/v1/messages", kAnthropicRequest,
       {{"content-type", "application/json"},
        {"x-api-key", "sk-gateway"},
        {"anthropic-version", "2023-06-01"}});
  ASSERT_EQ(transport_->sent.size(), 1u);
  rapidjson::Document sent = parse(transport_->sent[0].request.body);
  ASSERT_TRUE(sent.IsObject());
  EXPECT_STREQ(sent["model"].GetString(), "claude-x");
  EXPECT_EQ(sent["max_tokens"].GetInt(), 64);
  EXPECT_STREQ(sent["messages"][0]["role"].GetString(), "system");
  EXPECT_STREQ(sent["messages"][1]["content"].GetString(), "hello");
  // The filters saw OpenAI's request and path, and the metadata names the client's API.
  EXPECT_EQ(sink_.header("x-n-a-model"), "claude-x");
  EXPECT_EQ(sink_.header("x-n-a-path"), "/v1/chat/completions");
  EXPECT_EQ(sink_.header("x-n-a-api"), "anthropic");
  EXPECT_EQ(sink_.header("x-n-a-client"), "/v1/messages");

  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-type"), "application/json");
  rapidjson::Document body = parse(sink_.body);
  ASSERT_TRUE(body.IsObject());
  EXPECT_STREQ(body["type"].GetString(), "message");
  EXPECT_STREQ(body["role"].GetString(), "assistant");
  EXPECT_STREQ(body["model"].GetString(), "claude-x");
  EXPECT_STREQ(body["content"][0]["type"].GetString(), "text");
  EXPECT_STREQ(body["content"][0]["text"].GetString(), "Hi there");
  EXPECT_STREQ(body["stop_reason"].GetString(), "end_turn");
  EXPECT_EQ(body["usage"]["input_tokens"].GetInt(), 5);
  EXPECT_EQ(body["usage"]["output_tokens"].GetInt(), 2);
}

TEST_F(ClientApiTest, AnOpenAiRequestCarriesNoClientApiMetadata) {
  ASSERT_TRUE(use(routed_chain()));
  transport_->script({FakeResponse{}});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","messages":[]})");
  EXPECT_EQ(sink_.header("x-n-a-api"), "<none>");
  EXPECT_EQ(sink_.header("x-n-a-client"), "<none>");
  EXPECT_EQ(sink_.body, R"({"ok":true})");  // untouched
}

TEST_F(ClientApiTest, AnInvalidAnthropicRequestIsRefusedInAnthropicsShapeAndSentNowhere) {
  ASSERT_TRUE(use(routed_chain()));
  send("POST", "/v1/messages", R"({"model":"claude-x","messages":[]})");
  EXPECT_TRUE(transport_->sent.empty());
  EXPECT_EQ(sink_.head.status, 400);
  rapidjson::Document body = parse(sink_.body);
  ASSERT_TRUE(body.IsObject());
  EXPECT_STREQ(body["type"].GetString(), "error");
  EXPECT_STREQ(body["error"]["type"].GetString(), "invalid_request_error");
  EXPECT_NE(std::string(body["error"]["message"].GetString()).find("max_tokens"), std::string::npos)
      << sink_.body;
}

TEST_F(ClientApiTest, UpstreamAndFilterErrorsGoOutInAnthropicsShape) {
  ASSERT_TRUE(use(routed_chain()));
  transport_->script({openai_rate_limited()});
  send("POST", "/v1/messages", kAnthropicRequest);
  EXPECT_EQ(sink_.head.status, 429);
  rapidjson::Document body = parse(sink_.body);
  ASSERT_TRUE(body.IsObject());
  EXPECT_STREQ(body["type"].GetString(), "error");
  EXPECT_STREQ(body["error"]["type"].GetString(), "rate_limit_error");
  EXPECT_STREQ(body["error"]["message"].GetString(), "slow down");
}

TEST_F(ClientApiTest, ALocalReplyErrorGoesOutInAnthropicsShape) {
  ASSERT_TRUE(use(routed_chain(R"(, on_request_body: "reply:403")")));
  send("POST", "/v1/messages", kAnthropicRequest);
  EXPECT_EQ(sink_.head.status, 403);
  rapidjson::Document body = parse(sink_.body);
  ASSERT_TRUE(body.IsObject()) << sink_.body;
  EXPECT_STREQ(body["type"].GetString(), "error");
  EXPECT_STREQ(body["error"]["type"].GetString(), "permission_error");
}

TEST_F(ClientApiTest, NoRouteForAnAnthropicPathAnswersInItsShape) {
  ASSERT_TRUE(use(config_yaml({chain("only-openai", "{path_prefix: /v1/chat}", {script("a")})})));
  send("POST", "/v1/messages", kAnthropicRequest);
  EXPECT_EQ(sink_.head.status, 404);
  rapidjson::Document body = parse(sink_.body);
  ASSERT_TRUE(body.IsObject()) << sink_.body;
  EXPECT_STREQ(body["type"].GetString(), "error");
  EXPECT_STREQ(body["error"]["type"].GetString(), "not_found_error");
}

TEST_F(ClientApiTest, AStreamGoesOutAsAnthropicsNamedEvents) {
  ASSERT_TRUE(use(routed_chain()));
  transport_->script(
      {openai_stream({R"({"role":"assistant","content":""})", R"({"content":"Hi"})"})});
  std::string request = kAnthropicRequest;
  request.insert(request.size() - 1, R"(,"stream":true)");
  send("POST", "/v1/messages", request);
  ASSERT_EQ(transport_->sent.size(), 1u);
  rapidjson::Document sent = parse(transport_->sent[0].request.body);
  EXPECT_TRUE(sent["stream"].GetBool());
  EXPECT_TRUE(sent["stream_options"]["include_usage"].GetBool());

  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-type"), "text/event-stream");
  std::vector<std::string> names;
  for (size_t at = sink_.body.find("event: "); at != std::string::npos;
       at = sink_.body.find("event: ", at + 1)) {
    names.push_back(sink_.body.substr(at + 7, sink_.body.find('\n', at) - at - 7));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"message_start", "ping", "content_block_start",
                                             "content_block_delta", "content_block_stop",
                                             "message_delta", "message_stop"}))
      << sink_.body;
  EXPECT_NE(sink_.body.find(R"("text":"Hi")"), std::string::npos);
  EXPECT_NE(sink_.body.find(R"("output_tokens":1)"), std::string::npos);
  EXPECT_EQ(sink_.body.find("[DONE]"), std::string::npos);
  EXPECT_TRUE(sink_.done);
}

TEST_F(ClientApiTest, AStreamBreakingMidwayEndsWithAnAnthropicErrorEvent) {
  ASSERT_TRUE(use(routed_chain()));
  FakeResponse stream;
  stream.headers = {{"content-type", "text/event-stream"}};
  stream.body.clear();
  stream.chunks = {R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m0",)"
                   R"("choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})"
                   "\n\n"};
  stream.fail_after_chunks = true;
  transport_->script({stream});
  std::string request = kAnthropicRequest;
  request.insert(request.size() - 1, R"(,"stream":true)");
  send("POST", "/v1/messages", request);
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_NE(sink_.body.find("event: error"), std::string::npos) << sink_.body;
  EXPECT_EQ(sink_.body.find("event: message_stop"), std::string::npos) << sink_.body;
  EXPECT_TRUE(sink_.done);
}

// ---- Bedrock Converse -----------------------------------------------------------------------

constexpr const char* kConverseRequest =
    R"({"system":[{"text":"Be brief."}],"messages":[{"role":"user","content":[{"text":"hello"}]}],)"
    R"("inferenceConfig":{"maxTokens":64}})";

TEST_F(ClientApiTest, ABedrockConverseRequestBecomesOpenAisAndItsAnswerConverses) {
  ASSERT_TRUE(use(routed_chain()));
  transport_->script({openai_answer()});
  send("POST", "/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", kConverseRequest,
       {{"content-type", "application/json"}, {"authorization", "Bearer sk-gateway"}});
  ASSERT_EQ(transport_->sent.size(), 1u);
  rapidjson::Document sent = parse(transport_->sent[0].request.body);
  ASSERT_TRUE(sent.IsObject());
  EXPECT_STREQ(sent["model"].GetString(), "anthropic.claude-3-haiku-20240307-v1:0");
  EXPECT_EQ(sink_.header("x-n-a-api"), "bedrock");
  EXPECT_EQ(sink_.header("x-n-a-model"), "anthropic.claude-3-haiku-20240307-v1:0");

  EXPECT_EQ(sink_.head.status, 200);
  rapidjson::Document body = parse(sink_.body);
  ASSERT_TRUE(body.IsObject()) << sink_.body;
  EXPECT_STREQ(body["output"]["message"]["content"][0]["text"].GetString(), "Hi there");
  EXPECT_STREQ(body["stopReason"].GetString(), "end_turn");
  EXPECT_EQ(body["usage"]["inputTokens"].GetInt(), 5);
  EXPECT_EQ(body["usage"]["outputTokens"].GetInt(), 2);
  EXPECT_TRUE(body["metrics"]["latencyMs"].IsInt64());
}

TEST_F(ClientApiTest, BedrockErrorsCarryTheExceptionName) {
  ASSERT_TRUE(use(routed_chain()));
  transport_->script({openai_rate_limited()});
  send("POST", "/bedrock/model/m/converse", kConverseRequest);
  EXPECT_EQ(sink_.head.status, 429);
  EXPECT_EQ(sink_.header("x-amzn-errortype"), "ThrottlingException");
  rapidjson::Document body = parse(sink_.body);
  ASSERT_TRUE(body.IsObject()) << sink_.body;
  EXPECT_STREQ(body["message"].GetString(), "slow down");
}

TEST_F(ClientApiTest, AMalformedBedrockPathIsAValidationException) {
  ASSERT_TRUE(use(routed_chain()));
  send("POST", "/bedrock/model/m%zz/converse", kConverseRequest);
  EXPECT_TRUE(transport_->sent.empty());
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(sink_.header("x-amzn-errortype"), "ValidationException");
}

TEST_F(ClientApiTest, AConverseStreamGoesOutAsEventStreamFrames) {
  ASSERT_TRUE(use(routed_chain()));
  transport_->script({openai_stream({R"({"role":"assistant","content":"Hi"})"})});
  send("POST", "/bedrock/model/m/converse-stream", kConverseRequest);
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_TRUE(parse(transport_->sent[0].request.body)["stream"].GetBool());
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-type"), "application/vnd.amazon.eventstream");
  aws::Decoder decoder;
  std::vector<aws::EventMessage> frames;
  std::string error;
  ASSERT_TRUE(decoder.feed(sink_.body, &frames, &error)) << error;
  EXPECT_FALSE(decoder.mid_message());
  std::vector<std::string> types;
  for (const aws::EventMessage& frame : frames) {
    types.emplace_back(frame.string_header(":event-type"));
  }
  EXPECT_EQ(types, (std::vector<std::string>{"messageStart", "contentBlockDelta",
                                             "contentBlockStop", "messageStop", "metadata"}));
  EXPECT_TRUE(sink_.done);
}

}  // namespace
}  // namespace sluice::runtime::testing
