// Bedrock ConverseStream and InvokeModel embeddings end to end: event-stream frames with valid
// CRCs carrying the same content as Converse, chunk control, tool use, and Titan / Cohere
// embedding answers and their validation errors.

#include <gtest/gtest.h>

#include <string>

#include "providers/aws/event_stream.h"
#include "test/tools/support.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;
using sluice::aws::EventMessage;

constexpr const char* kStreamPath =
    "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream";
constexpr const char* kConversePath = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";
constexpr const char* kBody =
    R"({"system":[{"text":"be terse"}],"messages":[{"role":"user","content":[{"text":"hello there"}]}]})";

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

std::vector<EventMessage> frames(const std::string& body) {
  sluice::aws::Decoder decoder;
  std::vector<EventMessage> messages;
  std::string error;
  EXPECT_TRUE(decoder.feed(body, &messages, &error)) << error;
  EXPECT_FALSE(decoder.mid_message());
  return messages;
}

std::vector<std::string> event_types(const std::vector<EventMessage>& messages) {
  std::vector<std::string> types;
  for (const EventMessage& message : messages) {
    EXPECT_EQ(message.string_header(":message-type"), "event");
    EXPECT_EQ(message.string_header(":content-type"), "application/json");
    types.emplace_back(message.string_header(":event-type"));
  }
  return types;
}

TEST(BedrockConverseStream, SameContentAsConverseInFrames) {
  Server server;
  const auto response = post(server.port(), kStreamPath, kBody);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(*response.header("content-type"), "application/vnd.amazon.eventstream");
  ASSERT_NE(response.header("x-amzn-requestid"), nullptr);
  EXPECT_TRUE(response.chunked);
  const auto messages = frames(response.body);
  // "Echo: hello there" is three words: three deltas.
  EXPECT_EQ(event_types(messages),
            (std::vector<std::string>{"messageStart", "contentBlockDelta", "contentBlockDelta",
                                      "contentBlockDelta", "contentBlockStop", "messageStop",
                                      "metadata"}));
  std::string text;
  for (const EventMessage& message : messages) {
    if (message.string_header(":event-type") != "contentBlockDelta") continue;
    const auto payload = json(message.payload);
    EXPECT_EQ(payload["contentBlockIndex"].GetInt(), 0);
    text += str(payload["delta"]["text"]);
  }
  const auto converse = json(post(server.port(), kConversePath, kBody).body);
  EXPECT_EQ(text, str(converse["output"]["message"]["content"][0]["text"]));
  EXPECT_EQ(text, "Echo: hello there");
  EXPECT_EQ(str(json(messages[0].payload)["role"]), "assistant");
  EXPECT_EQ(str(json(messages[5].payload)["stopReason"]), "end_turn");
  const auto metadata = json(messages[6].payload);
  EXPECT_EQ(metadata["usage"]["inputTokens"].GetInt(), 4);
  EXPECT_EQ(metadata["usage"]["outputTokens"].GetInt(), 3);
  EXPECT_EQ(metadata["usage"]["totalTokens"].GetInt(), 7);
  EXPECT_TRUE(metadata["metrics"]["latencyMs"].IsInt64());

  const auto log = request_log(server.port());
  EXPECT_EQ(str(log["requests"][0]["route"]), "converse-stream");
  EXPECT_EQ(str(log["requests"][0]["model"]), "anthropic.claude-3-haiku-20240307-v1:0");
}

TEST(BedrockConverseStream, ChunksControlAndToolUse) {
  Server server;
  const auto two = post(server.port(), kStreamPath, kBody, {{"x-fake-chunks", "2"}});
  ASSERT_EQ(two.status, 200);
  EXPECT_EQ(event_types(frames(two.body)).size(), 6u);  // start, 2 deltas, stop, stop, metadata

  const auto tool = post(
      server.port(), kStreamPath,
      R"({"messages":[{"role":"user","content":[{"text":"go [[fake fault=tool_call args={\"q\": 1}]]"}]}],)"
      R"("toolConfig":{"tools":[{"toolSpec":{"name":"lookup","inputSchema":{"json":{"type":"object"}}}}]}})");
  ASSERT_EQ(tool.status, 200) << tool.body;
  const auto messages = frames(tool.body);
  const auto types = event_types(messages);
  ASSERT_GE(types.size(), 6u);
  EXPECT_EQ(types[1], "contentBlockStart");
  const auto start = json(messages[1].payload);
  EXPECT_EQ(str(start["start"]["toolUse"]["name"]), "lookup");
  EXPECT_EQ(str(start["start"]["toolUse"]["toolUseId"]).rfind("tooluse_", 0), 0u);
  std::string input;
  for (const EventMessage& message : messages) {
    if (message.string_header(":event-type") != "contentBlockDelta") continue;
    input += str(json(message.payload)["delta"]["toolUse"]["input"]);
  }
  EXPECT_EQ(json(input)["q"].GetInt(), 1);
  EXPECT_EQ(str(json(messages[messages.size() - 2].payload)["stopReason"]), "tool_use");
}

TEST(BedrockConverseStream, ErrorMidStreamEndsWithAnExceptionFrame) {
  Server server;
  const auto response = post(
      server.port(), kStreamPath,
      R"({"messages":[{"role":"user","content":[{"text":"a b c d [[fake fault=error_mid_stream fault_after=2]]"}]}]})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.ending, Ending::complete);
  const auto messages = frames(response.body);
  // messageStart, two of the five deltas, then the exception in place of the rest.
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[1].string_header(":event-type"), "contentBlockDelta");
  EXPECT_EQ(messages[2].string_header(":event-type"), "contentBlockDelta");
  const EventMessage& exception = messages[3];
  EXPECT_EQ(exception.string_header(":message-type"), "exception");
  EXPECT_EQ(exception.string_header(":exception-type"), "modelStreamErrorException");
  EXPECT_EQ(exception.string_header(":content-type"), "application/json");
  const auto payload = json(exception.payload);
  EXPECT_EQ(str(payload["message"]), "The model stream failed midway.");
  EXPECT_EQ(payload["originalStatusCode"].GetInt(), 503);
  EXPECT_EQ(str(request_log(server.port())["requests"][0]["fault"]), "error_mid_stream");
}

TEST(BedrockConverseStream, ErrorsAreNotStreamed) {
  Server server;
  const auto bad = post(server.port(), kStreamPath, "{nope");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(*bad.header("x-amzn-errortype"), "ValidationException");
  const auto throttled = post(server.port(), kStreamPath, kBody, {{"x-fake-status", "429"}});
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(*throttled.header("x-amzn-errortype"), "ThrottlingException");
}

TEST(BedrockInvoke, TitanEmbedding) {
  Server server;
  const auto response = post(server.port(), "/model/amazon.titan-embed-text-v2%3A0/invoke",
                             R"({"inputText":"the quick brown fox","dimensions":16})");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto doc = json(response.body);
  ASSERT_TRUE(doc["embedding"].IsArray());
  EXPECT_EQ(doc["embedding"].Size(), 16u);
  EXPECT_EQ(doc["inputTextTokenCount"].GetInt(), 4);
  // Deterministic: the same text gives the same vector.
  const auto again = post(server.port(), "/model/amazon.titan-embed-text-v2%3A0/invoke",
                          R"({"inputText":"the quick brown fox","dimensions":16})");
  EXPECT_EQ(again.body, response.body);
  EXPECT_EQ(str(request_log(server.port())["requests"][0]["route"]), "invoke");
}

TEST(BedrockInvoke, CohereEmbeddings) {
  Server server;
  const auto response = post(server.port(), "/model/cohere.embed-english-v3/invoke",
                             R"({"texts":["first","second text"],"input_type":"search_document"})");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto doc = json(response.body);
  ASSERT_EQ(doc["embeddings"].Size(), 2u);
  EXPECT_EQ(doc["embeddings"][0].Size(), 8u);  // the default dimension
  EXPECT_EQ(str(doc["texts"][1]), "second text");
  EXPECT_EQ(str(doc["response_type"]), "embeddings_floats");
  EXPECT_EQ(doc["id"].GetStringLength(), 36u);
}

TEST(BedrockInvoke, ValidationErrors) {
  Server server;
  const std::pair<const char*, const char*> cases[] = {
      {"/model/amazon.titan-embed-text-v1/invoke", R"({"texts":["x"]})"},
      {"/model/amazon.titan-embed-text-v1/invoke", R"({"inputText":5})"},
      {"/model/amazon.titan-embed-text-v1/invoke", "[1]"},
      {"/model/cohere.embed-english-v3/invoke", R"({"texts":[]})"},
      {"/model/cohere.embed-english-v3/invoke", R"({"texts":["x"]})"},
      {"/model/anthropic.claude-v2/invoke", R"({"prompt":"x"})"},
  };
  for (const auto& [path, body] : cases) {
    const auto response = post(server.port(), path, body);
    EXPECT_EQ(response.status, 400) << path << " " << body;
    ASSERT_NE(response.header("x-amzn-errortype"), nullptr);
    EXPECT_EQ(*response.header("x-amzn-errortype"), "ValidationException");
    EXPECT_TRUE(json(response.body)["message"].IsString());
  }
}

}  // namespace
}  // namespace fake_llm::test
