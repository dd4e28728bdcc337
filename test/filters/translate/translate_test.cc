// filters/translate: config validation and request/response translation through the real
// runtime (route + translate plugins, fake upstream).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/filters/filter_test_support.h"

namespace sluice::filters::testing {
namespace {

using runtime::testing::build;

constexpr const char* kRegistry = R"(providers:
  - {name: local, type: openai_compatible, api_base: "http://vllm.test:8000/v1/", api_key: provider-key-1234}
  - {name: open, type: openai}
  - {name: claude, type: anthropic, api_key: ak-1234}
  - {name: wx, type: watsonx, api_key: wx-1234}
models:
  - name: gpt
    deployments:
      - provider: local
        model: qwen-7b
        params: {temperature: 0.2, max_tokens: 64, "a/b": true}
  - name: override
    deployments:
      - {provider: local, model: m1, api_base: "https://other.test/api", api_key: deployment-key-5678}
  - name: keyless
    deployments:
      - {provider: open, model: gpt-4o-mini}
  - name: sonnet
    deployments:
      - {provider: claude, model: claude-3-5-sonnet}
  - name: granite
    deployments:
      - {provider: wx, model: ibm/granite-13b}
)";

std::string chain_yaml(std::string_view registry = kRegistry) {
  return gateway(registry, filter_item("route", "backoff_base_ms: 1") + filter_item("translate"));
}

class TranslateTest : public FilterTest {};

// ---- config ----------------------------------------------------------------------------------

TEST_F(TranslateTest, ConfigRefusesUnknownFields) {
  runtime::testing::Built built =
      build(gateway(kRegistry, filter_item("route") + filter_item("translate", "timeout_ms: 5")));
  ASSERT_FALSE(built.runtime);
  EXPECT_NE(built.errors_text().find("timeout_ms"), std::string::npos) << built.errors_text();
  EXPECT_TRUE(build(chain_yaml()).runtime) << build(chain_yaml()).errors_text();
}

TEST_F(TranslateTest, ConfigRefusesAProviderTypeWithoutEndpoint) {
  for (const char* type : {"openai_compatible", "hosted_vllm", "ollama"}) {
    std::string registry = std::string("providers:\n  - {name: box, type: ") + type +
                           "}\nmodels:\n  - name: m\n    deployments:\n"
                           "      - {provider: box, model: x}\n";
    runtime::testing::Built built = build(chain_yaml(registry));
    ASSERT_FALSE(built.runtime) << type;
    EXPECT_NE(built.errors_text().find("deployment 'm#0' (provider 'box'): provider type '" +
                                       std::string(type) + "' has no public endpoint"),
              std::string::npos)
        << built.errors_text();
  }
  runtime::testing::Built bad_url = build(
      chain_yaml("providers:\n  - {name: box, type: openai, api_base: \"ftp://x\"}\nmodels: []\n"));
  ASSERT_FALSE(bad_url.runtime);
  EXPECT_NE(bad_url.errors_text().find("provider 'box': api_base must be an absolute http"),
            std::string::npos)
      << bad_url.errors_text();
}

// ---- request -----------------------------------------------------------------------------------

TEST_F(TranslateTest, RequestIsTranslatedExactly) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({chat_answer("qwen-7b")});
  post("/v1/chat/completions",
       R"({"model":"gpt","messages":[{"role":"user","content":"hi"}],"max_tokens":9})",
       {{"authorization", "Bearer sk-client-gateway-key"},
        {"x-custom", "1"},
        {"cookie", "session=abc"},
        {"x-custom", "2"},  // repeated names, first and last among the fields: all go
        {"openai-organization", "org-client"},
        {"authorization", "Bearer second"}});
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  const UpstreamRequest& request = sent(0);
  EXPECT_EQ(request.url, "http://vllm.test:8000/v1/chat/completions");
  EXPECT_EQ(request.method, "POST");
  http::Headers expected = {{"content-type", "application/json"},
                            {"accept", "application/json"},
                            {"authorization", "Bearer provider-key-1234"}};
  ASSERT_EQ(request.headers.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(request.headers[i].name, expected[i].name);
    EXPECT_EQ(request.headers[i].value, expected[i].value);
  }
  EXPECT_EQ(json_at(request.body, "/model"), "\"qwen-7b\"");
  EXPECT_EQ(json_at(request.body, "/max_tokens"), "9");  // the request's value wins
  EXPECT_EQ(json_at(request.body, "/temperature"), "0.2");
  EXPECT_EQ(json_at(request.body, "/a~1b"), "true");
  EXPECT_EQ(json_at(request.body, "/messages/0/content"), "\"hi\"");
  // And back: the client sees its own model name.
  EXPECT_EQ(json_at(sink_.body, "/model"), "\"gpt\"");
  EXPECT_EQ(json_at(sink_.body, "/choices/0/message/content"), "\"Echo: hi\"");
}

TEST_F(TranslateTest, EndpointsWithAndWithoutV1) {
  ASSERT_TRUE(use(chain_yaml()));
  const std::pair<const char*, const char*> cases[] = {
      {"/v1/chat/completions", "/chat/completions"},
      {"/chat/completions", "/chat/completions"},
      {"/v1/completions", "/completions"},
      {"/completions", "/completions"},
      {"/v1/embeddings", "/embeddings"},
      {"/embeddings", "/embeddings"}};
  size_t n = 0;
  for (const auto& [client, upstream] : cases) {
    reset_client();
    transport_->script({chat_answer()});
    post(client, R"({"model":"gpt"})");
    EXPECT_EQ(sink_.head.status, 200) << client;
    ASSERT_EQ(transport_->sent.size(), ++n);
    EXPECT_EQ(sent(n - 1).url, std::string("http://vllm.test:8000/v1") + upstream);
  }
  reset_client();
  post("/v1/images/generations", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 404);
  EXPECT_EQ(error_message(sink_.body), "Invalid URL (POST /v1/images/generations)");
  EXPECT_EQ(transport_->sent.size(), n);
}

TEST_F(TranslateTest, DeploymentOverridesAndPublicDefaults) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({chat_answer(), chat_answer()});
  post("/v1/chat/completions", R"({"model":"override","stream":true})");
  EXPECT_EQ(sent(0).url, "https://other.test/api/chat/completions");
  EXPECT_EQ(sent_header(0, "authorization"), "Bearer deployment-key-5678");
  EXPECT_EQ(sent_header(0, "accept"), "text/event-stream");
  reset_client();
  post("/v1/chat/completions", R"({"model":"keyless"})");
  EXPECT_EQ(sent(1).url, "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(sent_header(1, "authorization"), "<absent>");
}

TEST_F(TranslateTest, EveryOpenAiCompatibleTypeHasItsEndpoint) {
  const std::pair<const char*, const char*> types[] = {
      {"openai", "https://api.openai.com/v1"},
      {"groq", "https://api.groq.com/openai/v1"},
      {"deepseek", "https://api.deepseek.com/v1"},
      {"together_ai", "https://api.together.xyz/v1"},
      {"fireworks_ai", "https://api.fireworks.ai/inference/v1"},
      {"openrouter", "https://openrouter.ai/api/v1"},
      {"xai", "https://api.x.ai/v1"},
      {"nvidia_nim", "https://integrate.api.nvidia.com/v1"},
      {"hosted_vllm", nullptr},
      {"ollama", nullptr},
      {"openai_compatible", nullptr}};
  std::string registry = "providers:\n";
  std::string models = "models:\n";
  for (const auto& [type, base] : types) {
    registry += std::string("  - {name: ") + type + ", type: " + type +
                (base ? "" : ", api_base: \"http://own.test/v1\"") + "}\n";
    models += std::string("  - name: ") + type + "\n    deployments:\n      - {provider: " + type +
              ", model: x}\n";
  }
  ASSERT_TRUE(use(chain_yaml(registry + models)));
  size_t n = 0;
  for (const auto& [type, base] : types) {
    reset_client();
    transport_->script({chat_answer()});
    post("/v1/embeddings", std::string(R"({"model":")") + type + "\"}");
    ASSERT_EQ(transport_->sent.size(), ++n) << type;
    EXPECT_EQ(sent(n - 1).url, std::string(base ? base : "http://own.test/v1") + "/embeddings");
  }
}

TEST_F(TranslateTest, UnsupportedProviderTypeIs400AndNothingIsSent) {
  ASSERT_TRUE(use(chain_yaml()));
  post("/v1/chat/completions", R"({"model":"granite"})");
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_code(sink_.body), "provider_not_supported");
  EXPECT_NE(error_message(sink_.body).find("'watsonx'"), std::string::npos) << sink_.body;
  EXPECT_TRUE(transport_->sent.empty());
}

// ---- response ----------------------------------------------------------------------------------

TEST_F(TranslateTest, UpstreamOpenAiErrorIsKept) {
  ASSERT_TRUE(use(chain_yaml()));
  const std::string error =
      R"({"error":{"message":"max_tokens is too large","type":"invalid_request_error","param":"max_tokens","code":null}})";
  transport_->script({status_answer(400, error)});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(sink_.body, error);
}

TEST_F(TranslateTest, OtherUpstreamErrorsAreWrapped) {
  ASSERT_TRUE(
      use(chain_yaml("providers:\n  - {name: local, type: hosted_vllm, api_base: "
                     "\"http://v.test\", api_key: provider-key-1234}\n"
                     "models:\n  - name: gpt\n    deployments:\n"
                     "      - {provider: local, model: q}\n")));
  // 502 is retryable: 3 attempts by default, each answered with a text page.
  for (int i = 0; i < 3; ++i) {
    transport_->script({status_answer(502, "<html>Bad Gateway</html>\n", "text/html")});
  }
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 502);
  EXPECT_EQ(sent(0).url, "http://v.test/chat/completions");
  EXPECT_EQ(sink_.body, R"({"error":{"message":"<html>Bad Gateway</html>","type":"server_error",)"
                        R"("param":null,"code":"upstream_error"}})");
  reset_client();
  transport_->sent.clear();
  transport_->script({status_answer(404, R"({"object":"error","message":"no such model q"})")});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 404);
  EXPECT_EQ(error_message(sink_.body), "no such model q");
  EXPECT_EQ(json_at(sink_.body, "/error/type"), "\"invalid_request_error\"");
  EXPECT_EQ(sink_.header("content-type"), "application/json");
  reset_client();
  transport_->script({status_answer(401, "invalid key provider-key-1234 for you", "text/plain")});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 401);
  EXPECT_EQ(error_message(sink_.body), "invalid key [redacted] for you");
  EXPECT_EQ(json_at(sink_.body, "/error/type"), "\"authentication_error\"");
  reset_client();
  transport_->script({status_answer(403, "", "")});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 403);
  EXPECT_EQ(error_message(sink_.body), "the upstream answered HTTP 403");
}

TEST_F(TranslateTest, WrappedTextErrorAfterRetries) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({status_answer(503, "overloaded", "text/plain"),
                      status_answer(503, "overloaded", "text/plain"),
                      status_answer(503, "still overloaded", "text/plain")});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 503);
  EXPECT_EQ(transport_->sent.size(), 3u);
  EXPECT_EQ(error_message(sink_.body), "still overloaded");
  EXPECT_EQ(json_at(sink_.body, "/error/type"), "\"server_error\"");
}

TEST_F(TranslateTest, CredentialHeadersNeverReachTheClient) {
  ASSERT_TRUE(use(chain_yaml()));
  FakeResponse answer = chat_answer();
  answer.headers.push_back({"authorization", "Bearer provider-key-1234"});
  answer.headers.push_back({"x-api-key", "k"});
  answer.headers.push_back({"api-key", "k"});
  answer.headers.push_back({"set-cookie", "s=1"});
  answer.headers.push_back({"x-ratelimit-remaining-requests", "99"});
  answer.headers.push_back({"set-cookie", "t=2"});  // every field of a name goes
  transport_->script({answer});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  for (const char* name : {"authorization", "x-api-key", "api-key", "set-cookie"}) {
    EXPECT_EQ(sink_.header(name), "<absent>") << name;
  }
  EXPECT_EQ(sink_.header("x-ratelimit-remaining-requests"), "99");
  EXPECT_EQ(sink_.header("content-type"), "application/json");
}

FakeResponse event_stream(std::vector<std::string> chunks,
                          std::string content_type = "text/event-stream; charset=utf-8") {
  FakeResponse answer;
  answer.status = 200;
  answer.delay_ms = 0;
  answer.headers = {{"content-type", std::move(content_type)}};
  answer.body.clear();
  answer.chunks = std::move(chunks);
  answer.chunk_delay_ms = 0;
  return answer;
}

const char* kChunk1 =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"qwen-7b\","
    "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Echo\"}}],\"usage\":null}\n\n";
const char* kChunk2 =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"qwen-7b\","
    "\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,"
    "\"total_tokens\":5}}\r\n\r\n";
const char* kDone = "data: [DONE]\n\n";

TEST_F(TranslateTest, StreamedEventsReachTheClientInOrder) {
  ASSERT_TRUE(use(chain_yaml()));
  FakeResponse answer = event_stream({kChunk1, ": keep-alive\n\n", kChunk2, kDone});
  answer.headers.push_back({"set-cookie", "s=1"});
  transport_->script({answer});
  post("/v1/chat/completions",
       R"({"model":"gpt","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("set-cookie"), "<absent>");  // the head of a stream is filtered too
  EXPECT_EQ(sent_header(0, "accept"), "text/event-stream");
  EXPECT_NE(sink_.body.find("\"delta\":{\"content\":\"Echo\"}"), std::string::npos) << sink_.body;
  EXPECT_LT(sink_.body.find("Echo"), sink_.body.find("\"prompt_tokens\":4"));
  EXPECT_TRUE(sink_.body.ends_with("data: [DONE]\n\n")) << sink_.body;
}

// Each streamed event's JSON gets the client's model name, one event per on_response_body call.
// Needs the host to let response hooks edit the current event (json_set / body_replace) while a
// stream is under way.
TEST_F(TranslateTest, StreamedEventsGetTheClientsModelName) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({event_stream({kChunk1, kChunk2, kDone})});
  post("/v1/chat/completions",
       R"({"model":"gpt","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body,
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt\","
            "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Echo\"}}],\"usage\":null}\n\n"
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt\","
            "\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,"
            "\"total_tokens\":5}}\n\n"
            "data: [DONE]\n\n");
}

// An event stream the host does not stream (no text/event-stream content type) reaches translate
// as one body: every event in it is rewritten.
TEST_F(TranslateTest, AnUnstreamedEventStreamBodyIsRewrittenWhole) {
  ASSERT_TRUE(use(chain_yaml()));
  FakeResponse answer = event_stream({}, "application/octet-stream");
  answer.chunks.clear();
  answer.body = std::string(kChunk1) + ": keep-alive\n\n" + kChunk2 + kDone;
  transport_->script({answer});
  post("/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body,
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt\","
            "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Echo\"}}],\"usage\":null}\n\n"
            ": keep-alive\n\n"
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt\","
            "\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,"
            "\"total_tokens\":5}}\n\n"
            "data: [DONE]\n\n");
}

}  // namespace
}  // namespace sluice::filters::testing
