// Bedrock Converse end to end: the response shape, URL-decoded model ids, tool use, and
// Bedrock's error shape (message body plus x-amzn-errortype) for bad requests and injected
// statuses.

#include <gtest/gtest.h>

#include <string>

#include "test/tools/support.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

constexpr const char* kModelPath = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";

void expect_bedrock_error(const Response& response, int status, const char* type) {
  EXPECT_EQ(response.status, status) << response.body;
  ASSERT_NE(response.header("x-amzn-errortype"), nullptr);
  EXPECT_EQ(*response.header("x-amzn-errortype"), type);
  EXPECT_EQ(*response.header("content-type"), "application/json");
  const auto doc = json(response.body);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc.MemberCount(), 1u);
  EXPECT_TRUE(doc["message"].IsString());
}

TEST(BedrockConverse, ResponseShape) {
  Server server;
  const auto response = post(server.port(), kModelPath,
                             R"({"system":[{"text":"be terse"}],"messages":[)"
                             R"({"role":"user","content":[{"text":"first"}]},)"
                             R"({"role":"assistant","content":[{"text":"ok"}]},)"
                             R"({"role":"user","content":[{"text":"hello "},{"text":"there"}]}],)"
                             R"("inferenceConfig":{"maxTokens":50}})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(*response.header("content-type"), "application/json");
  ASSERT_NE(response.header("x-amzn-requestid"), nullptr);
  EXPECT_EQ(response.header("x-amzn-requestid")->size(), 36u);
  const auto doc = json(response.body);
  const Value& message = doc["output"]["message"];
  EXPECT_EQ(str(message["role"]), "assistant");
  ASSERT_EQ(message["content"].Size(), 1u);
  EXPECT_EQ(str(message["content"][0]["text"]), "Echo: hello there");
  EXPECT_EQ(str(doc["stopReason"]), "end_turn");
  EXPECT_EQ(doc["usage"]["inputTokens"].GetInt(), 6);  // be terse, first, ok, hello there
  EXPECT_EQ(doc["usage"]["outputTokens"].GetInt(), 3);
  EXPECT_EQ(doc["usage"]["totalTokens"].GetInt(), 9);
  EXPECT_TRUE(doc["metrics"]["latencyMs"].IsInt64());
  EXPECT_GE(doc["metrics"]["latencyMs"].GetInt64(), 0);

  const auto log = request_log(server.port());
  const Value& entry = log["requests"][0];
  EXPECT_EQ(str(entry["route"]), "converse");
  EXPECT_EQ(str(entry["model"]), "anthropic.claude-3-haiku-20240307-v1:0");
  EXPECT_EQ(str(entry["prefix"]), "");
}

TEST(BedrockConverse, PrefixAndToolUse) {
  Server server;
  const auto response = post(
      server.port(), std::string("/b1") + kModelPath,
      R"({"messages":[{"role":"user","content":[{"text":"use it [[fake fault=tool_call args={\"q\": 1}]]"}]}],)"
      R"("toolConfig":{"tools":[{"toolSpec":{"name":"lookup","inputSchema":{"json":{"type":"object"}}}}]}})");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["stopReason"]), "tool_use");
  const Value& use = doc["output"]["message"]["content"][0]["toolUse"];
  EXPECT_EQ(str(use["toolUseId"]).rfind("tooluse_", 0), 0u);
  EXPECT_EQ(str(use["name"]), "lookup");
  ASSERT_TRUE(use["input"].IsObject());
  EXPECT_EQ(use["input"]["q"].GetInt(), 1);
  EXPECT_EQ(str(request_log(server.port())["requests"][0]["prefix"]), "/b1");
}

TEST(BedrockConverse, MalformedRequestsGetValidationException) {
  Server server;
  expect_bedrock_error(post(server.port(), kModelPath, "{nope"), 400, "ValidationException");
  expect_bedrock_error(post(server.port(), kModelPath, R"({"inferenceConfig":{}})"), 400,
                       "ValidationException");
  expect_bedrock_error(
      post(server.port(), kModelPath, R"({"messages":[{"role":"system","content":[]}]})"), 400,
      "ValidationException");
  expect_bedrock_error(post(server.port(), "/model/bad%zzid/converse",
                            R"({"messages":[{"role":"user","content":[{"text":"x"}]}]})"),
                       400, "ValidationException");
}

TEST(BedrockConverse, InjectedStatusesUseBedrockExceptionNames) {
  Server server;
  const std::string body = R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})";
  const auto throttled = post(server.port(), kModelPath, body,
                              {{"x-fake-status", "429"}, {"x-fake-retry-after", "7"}});
  expect_bedrock_error(throttled, 429, "ThrottlingException");
  ASSERT_NE(throttled.header("retry-after"), nullptr);
  EXPECT_EQ(*throttled.header("retry-after"), "7");
  expect_bedrock_error(post(server.port(), kModelPath, body, {{"x-fake-status", "500"}}), 500,
                       "InternalServerException");
  expect_bedrock_error(post(server.port(), kModelPath, body, {{"x-fake-status", "503"}}), 503,
                       "ServiceUnavailableException");
  expect_bedrock_error(post(server.port(), kModelPath, body, {{"x-fake-status", "403"}}), 403,
                       "AccessDeniedException");
  // An invalid control answers in Bedrock's shape too.
  expect_bedrock_error(post(server.port(), kModelPath, body, {{"x-fake-chunks", "0"}}), 400,
                       "ValidationException");
}

}  // namespace
}  // namespace fake_llm::test
