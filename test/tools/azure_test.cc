// Azure OpenAI end to end: deployment routes (chat completions, completions, embeddings) under a
// prefix, the api-version and api-key / bearer checks, the deployment as the model, Azure's
// headers, and its gateway error shape beside the OpenAI one.

#include <gtest/gtest.h>

#include <string>

#include "test/tools/support.h"
#include "tools/fake-llm/routes.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

constexpr const char* kChat =
    "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21";
const HeaderList kKey = {{"api-key", "azure-test-key"}};
constexpr const char* kNoModel = R"({"messages":[{"role":"user","content":"hello azure"}]})";

// {"error":{"code":<code>,"message":…}} with exactly those members.
void expect_azure_error(const Response& response, int status, const char* code) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(*response.header("content-type"), "application/json");
  ASSERT_NE(response.header("apim-request-id"), nullptr);
  const auto doc = json(response.body);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("error")) << response.body;
  EXPECT_EQ(doc["error"].MemberCount(), 2u) << response.body;
  EXPECT_EQ(str(doc["error"]["code"]), code);
  EXPECT_TRUE(doc["error"]["message"].IsString());
}

TEST(AzureRoutes, DeploymentsUnderAPrefix) {
  Route route = match_route("/az/openai/deployments/gpt%2D4o/chat/completions");
  EXPECT_EQ(route.kind, RouteKind::azure_chat_completions);
  EXPECT_EQ(route.prefix, "/az");
  EXPECT_EQ(route.model_id, "gpt-4o");
  EXPECT_FALSE(route.bad_model_id);
  route = match_route("/openai/deployments/emb/embeddings");
  EXPECT_EQ(route.kind, RouteKind::azure_embeddings);
  EXPECT_EQ(route.model_id, "emb");
  EXPECT_TRUE(match_route("/openai/deployments//embeddings").bad_model_id);
  EXPECT_EQ(match_route("/openai/deployments/x/images/generations").kind, RouteKind::unknown);
  std::string value;
  EXPECT_TRUE(query_param("a=1&api-version=2024-10-21&b", "api-version", &value));
  EXPECT_EQ(value, "2024-10-21");
  EXPECT_FALSE(query_param("api-versions=1", "api-version", &value));
}

TEST(AzureChat, DeploymentIsTheModelAndAzureHeadersAreSent) {
  Server server;
  const auto response = post(server.port(), std::string("/az") + kChat, kNoModel, kKey);
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_NE(response.header("apim-request-id"), nullptr);
  EXPECT_EQ(response.header("apim-request-id")->size(), 36u);
  EXPECT_NE(response.header("x-ms-region"), nullptr);
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["object"]), "chat.completion");
  EXPECT_EQ(str(doc["model"]), "my-gpt4o");
  EXPECT_EQ(str(doc["choices"][0]["message"]["content"]), "Echo: hello azure");
  // Azure's content-filter annotations.
  EXPECT_FALSE(
      doc["prompt_filter_results"][0]["content_filter_results"]["hate"]["filtered"].GetBool());
  EXPECT_EQ(str(doc["choices"][0]["content_filter_results"]["violence"]["severity"]), "safe");

  const auto log = request_log(server.port());
  const Value& entry = log["requests"][0];
  EXPECT_EQ(str(entry["route"]), "azure.chat.completions");
  EXPECT_EQ(str(entry["model"]), "my-gpt4o");
  EXPECT_EQ(str(entry["prefix"]), "/az");
}

TEST(AzureChat, StreamsOpenAiChunksWithTheDeploymentAsModel) {
  Server server;
  const auto response =
      post(server.port(), kChat,
           R"({"model":"ignored","stream":true,"messages":[{"role":"user","content":"a b"}]})",
           {{"authorization", "Bearer entra-token"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(response.chunked);
  const auto events = sse_events(response.body);
  ASSERT_EQ(events.back(), "[DONE]");
  ASSERT_GE(events.size(), 4u);
  // Azure's first chunk: no choices, no id or model, the prompt's filter results.
  const auto filters = json(events[0]);
  EXPECT_EQ(filters["choices"].Size(), 0u);
  EXPECT_EQ(str(filters["model"]), "");
  EXPECT_TRUE(filters["prompt_filter_results"].IsArray());
  std::string text;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    const auto chunk = json(events[i]);
    EXPECT_EQ(str(chunk["model"]), "my-gpt4o");
    const Value& delta = chunk["choices"][0]["delta"];
    if (delta.HasMember("content") && delta["content"].IsString()) text += str(delta["content"]);
  }
  EXPECT_EQ(text, "Echo: a b");
}

TEST(AzureChat, ErrorMidStreamSendsOpenAisErrorChunk) {
  Server server;
  const auto response = post(
      server.port(), kChat,
      R"({"stream":true,"messages":[{"role":"user","content":"a b c [[fake fault=error_mid_stream]]"}]})",
      kKey);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.ending, Ending::complete);
  const auto events = sse_events(response.body);
  ASSERT_EQ(events.size(), 4u) << response.body;  // filters, role, one content chunk, the error
  const auto error = json(events[3]);
  EXPECT_EQ(str(error["error"]["type"]), "server_error");
  EXPECT_EQ(response.body.find("[DONE]"), std::string::npos);
}

TEST(AzureEmbeddings, AnswersInOpenAiShape) {
  Server server;
  const auto response =
      post(server.port(), "/openai/deployments/ada/embeddings?api-version=2024-10-21",
           R"({"input":["one","two"]})", kKey);
  ASSERT_EQ(response.status, 200) << response.body;
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["model"]), "ada");
  EXPECT_EQ(doc["data"].Size(), 2u);
  EXPECT_EQ(doc["data"][1]["embedding"].Size(), 8u);
}

TEST(AzureCompletions, LegacyCompletionsAreAzuresWithItsChecks) {
  ServerOptions options;
  options.azure_key = "right-key";
  Server server(options);
  const std::string path = "/openai/deployments/instruct/completions?api-version=2024-10-21";
  const char* body = R"({"prompt":"hello azure","max_tokens":20})";
  // Azure's own checks apply, not OpenAI's.
  expect_azure_error(post(server.port(), "/openai/deployments/instruct/completions", body,
                          {{"api-key", "right-key"}}),
                     404, "404");
  expect_azure_error(post(server.port(), path, body, {{"api-key", "wrong"}}), 401, "401");
  const auto response = post(server.port(), path, body, {{"api-key", "right-key"}});
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_NE(response.header("apim-request-id"), nullptr);
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["object"]), "text_completion");
  EXPECT_EQ(str(doc["model"]), "instruct");
  EXPECT_TRUE(doc.HasMember("prompt_filter_results"));
  EXPECT_TRUE(doc["choices"][0].HasMember("content_filter_results"));
  EXPECT_EQ(str(request_log(server.port())["requests"][2]["route"]), "azure.completions");
}

TEST(AzureAuth, ApiVersionAndKeyChecks) {
  ServerOptions options;
  options.azure_key = "right-key";
  Server server(options);
  const std::string no_version = "/openai/deployments/d/chat/completions";
  expect_azure_error(post(server.port(), no_version, kNoModel, {{"api-key", "right-key"}}), 404,
                     "404");
  expect_azure_error(post(server.port(), kChat, kNoModel), 401, "401");
  expect_azure_error(post(server.port(), kChat, kNoModel, {{"api-key", "wrong"}}), 401, "401");
  expect_azure_error(post(server.port(), kChat, kNoModel, {{"authorization", "Bearer wrong"}}), 401,
                     "401");
  EXPECT_EQ(post(server.port(), kChat, kNoModel, {{"api-key", "right-key"}}).status, 200);
  EXPECT_EQ(post(server.port(), kChat, kNoModel, {{"authorization", "Bearer right-key"}}).status,
            200);
  // Refused requests are logged with the deployment they named.
  const auto log = request_log(server.port());
  EXPECT_EQ(log["requests"][0]["status"].GetInt(), 404);
  EXPECT_EQ(str(log["requests"][0]["model"]), "d");
}

TEST(AzureErrors, GatewayShapeForItsStatusesOpenAiShapeOtherwise) {
  Server server;
  expect_azure_error(
      post(server.port(), kChat, kNoModel, {{"api-key", "k"}, {"x-fake-status", "429"}}), 429,
      "429");
  expect_azure_error(
      post(server.port(), kChat, kNoModel, {{"api-key", "k"}, {"x-fake-status", "404"}}), 404,
      "DeploymentNotFound");
  const auto server_error =
      post(server.port(), kChat, kNoModel, {{"api-key", "k"}, {"x-fake-status", "500"}});
  EXPECT_EQ(server_error.status, 500);
  EXPECT_NE(server_error.header("apim-request-id"), nullptr);
  EXPECT_EQ(str(json(server_error.body)["error"]["type"]), "server_error");
  const auto invalid = post(server.port(), kChat, R"({"messages":"nope"})", kKey);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(str(json(invalid.body)["error"]["param"]), "messages");
}

}  // namespace
}  // namespace fake_llm::test
