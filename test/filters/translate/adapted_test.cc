// filters/translate with providers that have an API of their own (providers/<name>), through the
// real runtime: each request is rebuilt for the provider (URL, credentials, body, SigV4), and the
// answer, whole, streamed (SSE or Bedrock's binary event stream) or an error, comes back in
// OpenAI's shape.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/runtime/sse_parser.h"
#include "providers/aws/event_stream.h"
#include "test/filters/filter_test_support.h"
#include "test/providers/auth/test_server.h"

namespace sluice::filters::testing {
namespace {

using runtime::testing::build;

constexpr const char* kRegistry = R"(providers:
  - {name: claude, type: anthropic, api_key: ak-secret-1234}
  - name: aws
    type: bedrock
    settings: {aws_region_name: us-west-2, aws_access_key_id: AKIDEXAMPLE,
               aws_secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY}
  - name: az
    type: azure
    api_base: "https://res.openai.azure.com"
    api_key: az-secret-1234
    settings: {api_version: "2024-10-21"}
  - {name: goog, type: gemini, api_key: g-secret-1234}
  - name: vx
    type: vertex_ai
    settings: {vertex_project: p1, vertex_location: us-central1}
  - {name: local, type: openai_compatible, api_base: "http://vllm.test:8000/v1"}
models:
  - name: sonnet
    deployments:
      - {provider: claude, model: claude-3-5-sonnet-20241022}
  - name: haiku-bedrock
    deployments:
      - {provider: aws, model: "anthropic.claude-3-haiku-20240307-v1:0"}
  - name: gpt-azure
    deployments:
      - {provider: az, model: my-gpt4o}
  - name: flash
    deployments:
      - {provider: goog, model: gemini-2.0-flash}
  - name: vertex-flash
    deployments:
      - {provider: vx, model: gemini-2.0-flash}
  - name: local
    deployments:
      - {provider: local, model: qwen}
)";

std::string chain_yaml(std::string_view registry = kRegistry) {
  return gateway(registry, filter_item("route", "backoff_base_ms: 1") + filter_item("translate"));
}

constexpr const char* kChat =
    R"({"model":"%s","messages":[{"role":"system","content":"Be brief."},)"
    R"({"role":"user","content":"hello"}],"max_tokens":32})";

std::string chat(std::string_view model, bool stream = false, bool include_usage = false) {
  std::string body = kChat;
  body.replace(body.find("%s"), 2, model);
  if (stream) body.insert(body.size() - 1, R"(,"stream":true)");
  if (include_usage) body.insert(body.size() - 1, R"(,"stream_options":{"include_usage":true})");
  return body;
}

FakeResponse answer(int status, std::string body, std::string type = "application/json") {
  FakeResponse r;
  r.status = status;
  r.headers = {{"content-type", std::move(type)}};
  r.body = std::move(body);
  return r;
}

FakeResponse streamed(std::string type, std::vector<std::string> chunks) {
  FakeResponse r = answer(200, "", std::move(type));
  r.chunks = std::move(chunks);
  return r;
}

std::vector<std::string> event_data(std::string_view body) {
  runtime::SseParser parser;
  std::vector<runtime::SseEvent> events;
  EXPECT_TRUE(parser.feed(body, &events));
  std::vector<std::string> data;
  for (const auto& event : events) data.push_back(event.data);
  return data;
}

class AdaptedTest : public FilterTest {};

// ---- config ----------------------------------------------------------------------------------

TEST_F(AdaptedTest, ConfigChecksEachDeploymentWithItsAdapter) {
  EXPECT_TRUE(build(chain_yaml()).runtime) << build(chain_yaml()).errors_text();
  runtime::testing::Built no_version = build(chain_yaml(
      "providers:\n  - {name: az, type: azure, api_base: \"https://r.openai.azure.com\"}\n"
      "models:\n  - name: m\n    deployments:\n      - {provider: az, model: d}\n"));
  ASSERT_FALSE(no_version.runtime);
  EXPECT_NE(no_version.errors_text().find("deployment 'm#0' (provider 'az'): "), std::string::npos)
      << no_version.errors_text();
  EXPECT_NE(no_version.errors_text().find("api_version"), std::string::npos)
      << no_version.errors_text();
  runtime::testing::Built unknown_setting = build(chain_yaml(
      "providers:\n  - {name: c, type: anthropic, api_key: k, settings: {colour: blue}}\n"
      "models:\n  - name: m\n    deployments:\n      - {provider: c, model: x}\n"));
  ASSERT_FALSE(unknown_setting.runtime);
  EXPECT_NE(unknown_setting.errors_text().find("colour"), std::string::npos)
      << unknown_setting.errors_text();
}

TEST_F(AdaptedTest, BedrockWithoutRegionOrCredentialsLoadsButAnswers500NamingWhy) {
  // Where sluice runs on AWS the platform gives both; a file validated elsewhere still loads.
  const char* registry =
      "providers:\n  - {name: aws, type: bedrock}\n"
      "models:\n  - name: m\n    deployments:\n      - {provider: aws, model: x}\n";
  for (const char* name : {"AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
                           "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
    unsetenv(name);
  }
  ASSERT_TRUE(use(chain_yaml(registry)));
  post("/v1/chat/completions", chat("m"));
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_code(sink_.body), "provider_misconfigured");
  EXPECT_NE(error_message(sink_.body).find("no AWS region"), std::string::npos) << sink_.body;
  EXPECT_TRUE(transport_->sent.empty());

  setenv("AWS_REGION", "ap-south-1", 1);
  ASSERT_TRUE(use(chain_yaml(registry)));
  reset_client();
  post("/v1/chat/completions", chat("m"));
  EXPECT_NE(error_message(sink_.body).find("no AWS credentials"), std::string::npos) << sink_.body;

  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  ASSERT_TRUE(use(chain_yaml(registry)));
  reset_client();
  transport_->script({answer(200, R"({"output":{"message":{"role":"assistant","content":[]}},)"
                                  R"("stopReason":"end_turn","usage":{"inputTokens":1,)"
                                  R"("outputTokens":0,"totalTokens":1}})")});
  post("/v1/chat/completions", chat("m"));
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sent(0).url.rfind("https://bedrock-runtime.ap-south-1.amazonaws.com/", 0), 0u);
  EXPECT_NE(sent_header(0, "authorization").find("Credential=AKIDENV/"), std::string::npos);
  for (const char* name : {"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
    unsetenv(name);
  }
}

TEST_F(AdaptedTest, AKeyMissingFromTheConfigIsReadFromTheTypesVariableAsLiteLlmDoes) {
  const char* registry =
      "providers:\n  - {name: c, type: anthropic}\n"
      "models:\n  - name: m\n    deployments:\n      - {provider: c, model: x}\n";
  unsetenv("ANTHROPIC_API_KEY");
  ASSERT_TRUE(use(chain_yaml(registry)));
  post("/v1/chat/completions", chat("m"));
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_NE(error_message(sink_.body).find("no API key: set api_key, or ANTHROPIC_API_KEY"),
            std::string::npos)
      << sink_.body;
  EXPECT_TRUE(transport_->sent.empty());

  setenv("ANTHROPIC_API_KEY", "ak-from-env-5678", 1);
  ASSERT_TRUE(use(chain_yaml(registry)));
  reset_client();
  transport_->script(
      {answer(200, R"({"id":"msg_1","type":"message","role":"assistant","model":"x","content":[],)"
                   R"("stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":0}})")});
  post("/v1/chat/completions", chat("m"));
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sent_header(0, "x-api-key"), "ak-from-env-5678");
  unsetenv("ANTHROPIC_API_KEY");
}

TEST_F(AdaptedTest, BedrockWaitsForTheContainersCredentialsThenSignsWithThem) {
  // An ECS task role: the first request waits (briefly, not blocking the loop) for the source's
  // first fetch from the container agent, then is signed with what it answered.
  namespace auth_testing = providers::auth::testing;
  std::atomic<int> asked{0};
  auth_testing::TestServer agent([&](const auth_testing::Received& request) {
    ++asked;
    auth_testing::Reply reply;
    if (request.headers.count("authorization") == 0 ||
        request.headers.at("authorization") != "agent-token") {
      reply.status = 401;
      return reply;
    }
    reply.body = R"({"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"container-secret",)"
                 R"("Token":"container-session","Expiration":"2099-01-01T00:00:00Z"})";
    return reply;
  });
  for (const char* name :
       {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"}) {
    unsetenv(name);
  }
  const std::string uri = agent.url() + "/creds";
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.c_str(), 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "agent-token", 1);
  const char* registry =
      "providers:\n  - {name: aws, type: bedrock, settings: {aws_region_name: us-east-2}}\n"
      "models:\n  - name: m\n    deployments:\n      - {provider: aws, model: x}\n";
  ASSERT_TRUE(use(chain_yaml(registry)));
  transport_->script({answer(200, R"({"output":{"message":{"role":"assistant","content":[]}},)"
                                  R"("stopReason":"end_turn","usage":{"inputTokens":1,)"
                                  R"("outputTokens":0,"totalTokens":1}})")});
  post("/v1/chat/completions", chat("m"));
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  ASSERT_EQ(transport_->sent.size(), 1u) << sink_.body;
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_GE(asked.load(), 1);
  EXPECT_NE(sent_header(0, "authorization").find("Credential=ASIACONTAINER/"), std::string::npos);
  EXPECT_EQ(sent_header(0, "x-amz-security-token"), "container-session");
}

TEST_F(AdaptedTest, HalfAnAwsKeyPairIsRefusedAtLoad) {
  runtime::testing::Built built = build(chain_yaml(
      "providers:\n  - {name: aws, type: bedrock, settings: {aws_region_name: us-east-1, "
      "aws_access_key_id: AKID}}\nmodels:\n  - name: m\n    deployments:\n"
      "      - {provider: aws, model: x}\n"));
  ASSERT_FALSE(built.runtime);
  EXPECT_NE(built.errors_text().find("must be set together"), std::string::npos)
      << built.errors_text();
}

// ---- anthropic
// -----------------------------------------------------------------------------------

TEST_F(AdaptedTest, AnthropicRequestAndAnswer) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({answer(
      200,
      R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-3-5-sonnet-20241022",)"
      R"("content":[{"type":"text","text":"Hi!"}],"stop_reason":"end_turn","stop_sequence":null,)"
      R"("usage":{"input_tokens":9,"output_tokens":3}})")});
  post("/v1/chat/completions", chat("sonnet"), {{"authorization", "Bearer sk-gateway-key"}});
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sent(0).url, "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(sent_header(0, "x-api-key"), "ak-secret-1234");
  EXPECT_NE(sent_header(0, "anthropic-version"), "<absent>");
  EXPECT_EQ(sent_header(0, "authorization"), "<absent>");  // the gateway key stays here
  EXPECT_EQ(json_at(sent(0).body, "/model"), R"("claude-3-5-sonnet-20241022")");
  EXPECT_EQ(json_at(sent(0).body, "/system"), R"("Be brief.")");
  EXPECT_EQ(json_at(sent(0).body, "/max_tokens"), "32");

  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(json_at(sink_.body, "/object"), R"("chat.completion")");
  EXPECT_EQ(json_at(sink_.body, "/model"), R"("sonnet")");
  EXPECT_EQ(json_at(sink_.body, "/choices/0/message/content"), R"("Hi!")");
  EXPECT_EQ(json_at(sink_.body, "/choices/0/finish_reason"), R"("stop")");
  EXPECT_EQ(json_at(sink_.body, "/usage/prompt_tokens"), "9");
  EXPECT_EQ(json_at(sink_.body, "/usage/completion_tokens"), "3");
}

TEST_F(AdaptedTest, AnthropicOverloadedIsRetriedThenA529OpenAiErrorWithTheKeyRemoved) {
  ASSERT_TRUE(use(chain_yaml()));
  const FakeResponse overloaded = answer(
      529,
      R"json({"type":"error","error":{"type":"overloaded_error","message":"Overloaded (ak-secret-1234)"}})json");
  transport_->script({overloaded, overloaded, overloaded});
  post("/v1/chat/completions", chat("sonnet"));
  EXPECT_EQ(transport_->sent.size(), 3u);  // 529 is retryable: num_retries 2
  EXPECT_EQ(sink_.head.status, 529);
  EXPECT_NE(error_message(sink_.body).find("Overloaded"), std::string::npos) << sink_.body;
  EXPECT_EQ(sink_.body.find("ak-secret-1234"), std::string::npos) << sink_.body;
}

TEST_F(AdaptedTest, AnAnthropicOverloadIsRetriedAndTheNextAnswerServes) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script(
      {answer(529, R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})"),
       answer(200, R"({"id":"msg_2","type":"message","role":"assistant","model":"c",)"
                   R"("content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",)"
                   R"("usage":{"input_tokens":1,"output_tokens":1}})")});
  post("/v1/chat/completions", chat("sonnet"));
  EXPECT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(json_at(sink_.body, "/choices/0/message/content"), R"("ok")");
}

TEST_F(AdaptedTest, AnthropicStreamBecomesOpenAiChunksAndDone) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({streamed(
      "text/event-stream",
      {"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
       "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],"
       "\"stop_reason\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n",
       "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
       "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: ping\ndata: "
       "{\"type\":\"ping\"}\n\n",
       "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
       "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
       "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
       "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
       "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n",
       "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"})});
  post("/v1/chat/completions", chat("sonnet", true));
  EXPECT_EQ(json_at(sent(0).body, "/stream"), "true");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-type"), "text/event-stream");
  std::vector<std::string> data = event_data(sink_.body);
  ASSERT_GE(data.size(), 3u) << sink_.body;
  EXPECT_EQ(data.back(), "[DONE]");
  std::string text;
  bool finished = false;
  for (const std::string& chunk : data) {
    if (chunk == "[DONE]") continue;
    EXPECT_EQ(json_at(chunk, "/object"), R"("chat.completion.chunk")") << chunk;
    EXPECT_EQ(json_at(chunk, "/model"), R"("sonnet")") << chunk;
    std::string piece = json_at(chunk, "/choices/0/delta/content");
    if (piece.size() >= 2 && piece != "<absent>" && piece != "null") {
      text += piece.substr(1, piece.size() - 2);
    }
    if (json_at(chunk, "/choices/0/finish_reason") == R"("stop")") finished = true;
  }
  EXPECT_EQ(text, "Hi");
  EXPECT_TRUE(finished) << sink_.body;
  // Not asked for (stream_options.include_usage): no usage chunk, as at OpenAI.
  EXPECT_EQ(sink_.body.find(R"("choices":[])"), std::string::npos) << sink_.body;
  EXPECT_EQ(sink_.body.find("ping"), std::string::npos);
}

TEST_F(AdaptedTest, AnErrorEventInAStreamEndsItWithAnOpenAiErrorAndNoDone) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({streamed(
      "text/event-stream",
      {"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
       "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],"
       "\"stop_reason\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n",
       "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
       "\"message\":\"Overloaded\"}}\n\n"})});
  post("/v1/chat/completions", chat("sonnet", true));
  std::vector<std::string> data = event_data(sink_.body);
  ASSERT_FALSE(data.empty());
  EXPECT_NE(json_at(data.back(), "/error/message"), "<absent>") << sink_.body;
  EXPECT_EQ(sink_.body.find("[DONE]"), std::string::npos);
  EXPECT_TRUE(sink_.done);
}

TEST_F(AdaptedTest, AnEndpointTheProviderDoesNotServeIs400AndNothingIsSent) {
  ASSERT_TRUE(use(chain_yaml()));
  post("/v1/embeddings", R"({"model":"sonnet","input":"hi"})");
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_code(sink_.body), "unsupported_endpoint");
  EXPECT_TRUE(transport_->sent.empty());
}

// ---- bedrock
// -------------------------------------------------------------------------------------

TEST_F(AdaptedTest, BedrockRequestsAreSignedAndGoToConverse) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({answer(
      200, R"({"output":{"message":{"role":"assistant","content":[{"text":"Hi!"}]}},)"
           R"("stopReason":"end_turn","usage":{"inputTokens":9,"outputTokens":3,"totalTokens":12},)"
           R"("metrics":{"latencyMs":100}})")});
  post("/v1/chat/completions", chat("haiku-bedrock"));
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sent(0).url,
            "https://bedrock-runtime.us-west-2.amazonaws.com/model/"
            "anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  const std::string authorization = sent_header(0, "authorization");
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u)
      << authorization;
  EXPECT_NE(authorization.find("/us-west-2/bedrock/aws4_request"), std::string::npos);
  EXPECT_NE(sent_header(0, "x-amz-date"), "<absent>");
  EXPECT_EQ(sent(0).body.find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_EQ(json_at(sent(0).body, "/inferenceConfig/maxTokens"), "32");

  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(json_at(sink_.body, "/model"), R"("haiku-bedrock")");
  EXPECT_EQ(json_at(sink_.body, "/choices/0/message/content"), R"("Hi!")");
  EXPECT_EQ(json_at(sink_.body, "/usage/total_tokens"), "12");
}

TEST_F(AdaptedTest, BedrocksBinaryStreamSplitAnywhereBecomesOpenAiChunks) {
  ASSERT_TRUE(use(chain_yaml()));
  std::string frames;
  aws::append_event_frame(&frames, "messageStart", R"({"role":"assistant"})");
  aws::append_event_frame(&frames, "contentBlockDelta",
                          R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})");
  aws::append_event_frame(&frames, "contentBlockDelta",
                          R"({"contentBlockIndex":0,"delta":{"text":"lo"}})");
  aws::append_event_frame(&frames, "contentBlockStop", R"({"contentBlockIndex":0})");
  aws::append_event_frame(&frames, "messageStop", R"({"stopReason":"end_turn"})");
  aws::append_event_frame(
      &frames, "metadata",
      R"({"usage":{"inputTokens":9,"outputTokens":2,"totalTokens":11},"metrics":{"latencyMs":5}})");
  std::vector<std::string> reads;
  for (size_t at = 0; at < frames.size(); at += 7) reads.push_back(frames.substr(at, 7));
  transport_->script({streamed("application/vnd.amazon.eventstream", reads)});
  post("/v1/chat/completions", chat("haiku-bedrock", true, true));
  EXPECT_NE(sent(0).url.find("/converse-stream"), std::string::npos) << sent(0).url;
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-type"), "text/event-stream");
  std::vector<std::string> data = event_data(sink_.body);
  ASSERT_FALSE(data.empty()) << sink_.body;
  EXPECT_EQ(data.back(), "[DONE]");
  std::string text;
  for (const std::string& chunk : data) {
    std::string piece = json_at(chunk, "/choices/0/delta/content");
    if (piece.size() >= 2 && piece.front() == '"') text += piece.substr(1, piece.size() - 2);
  }
  EXPECT_EQ(text, "Hello");
  EXPECT_NE(sink_.body.find(R"("total_tokens":11)"), std::string::npos) << sink_.body;
}

TEST_F(AdaptedTest, BedrockTitanEmbeddingsComeBackAsOpenAisInTheEncodingAsked) {
  const char* registry = R"(providers:
  - name: aws
    type: bedrock
    settings: {aws_region_name: us-west-2, aws_access_key_id: AKIDEXAMPLE,
               aws_secret_access_key: secret}
models:
  - name: titan
    deployments:
      - {provider: aws, model: amazon.titan-embed-text-v2:0}
)";
  ASSERT_TRUE(use(chain_yaml(registry)));
  const FakeResponse titan = answer(200, R"({"embedding":[1.0,-2.0],"inputTextTokenCount":3})");
  transport_->script({titan});
  post("/v1/embeddings", R"({"model":"titan","input":"hello embedding world"})");
  EXPECT_NE(sent(0).url.find("/model/amazon.titan-embed-text-v2%3A0/invoke"), std::string::npos)
      << sent(0).url;
  EXPECT_EQ(json_at(sent(0).body, "/inputText"), R"("hello embedding world")");
  EXPECT_EQ(json_at(sink_.body, "/data/0/embedding"), "[1.0,-2.0]");
  EXPECT_EQ(json_at(sink_.body, "/model"), R"("titan")");

  reset_client();
  transport_->script({titan});
  post("/v1/embeddings",
       R"({"model":"titan","input":"hello embedding world","encoding_format":"base64"})");
  EXPECT_EQ(json_at(sink_.body, "/data/0/embedding"), R"("AACAPwAAAMA=")");
}

TEST_F(AdaptedTest, ABedrockExceptionMidStreamEndsWithAnError) {
  ASSERT_TRUE(use(chain_yaml()));
  std::string frames;
  aws::append_event_frame(&frames, "messageStart", R"({"role":"assistant"})");
  aws::append_exception_frame(&frames, "throttlingException", R"({"message":"Too many"})");
  transport_->script({streamed("application/vnd.amazon.eventstream", {frames})});
  post("/v1/chat/completions", chat("haiku-bedrock", true));
  std::vector<std::string> data = event_data(sink_.body);
  ASSERT_FALSE(data.empty());
  EXPECT_NE(json_at(data.back(), "/error/message").find("Too many"), std::string::npos)
      << sink_.body;
  EXPECT_EQ(sink_.body.find("[DONE]"), std::string::npos);
}

// ---- azure, gemini, vertex -------------------------------------------------------------------

TEST_F(AdaptedTest, AzureGoesToTheDeploymentWithItsApiVersionAndKey) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({chat_answer("gpt-4o")});
  post("/v1/chat/completions", chat("gpt-azure"));
  EXPECT_EQ(sent(0).url,
            "https://res.openai.azure.com/openai/deployments/my-gpt4o/chat/completions"
            "?api-version=2024-10-21");
  EXPECT_EQ(sent_header(0, "api-key"), "az-secret-1234");
  EXPECT_EQ(json_at(sink_.body, "/model"), R"("gpt-azure")");
}

TEST_F(AdaptedTest, GeminiGetsItsKeyInAHeaderNeverTheUrl) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({answer(
      200,
      R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hi!"}]},"finishReason":"STOP",)"
      R"("index":0}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,)"
      R"("totalTokenCount":6},"modelVersion":"gemini-2.0-flash","responseId":"r1"})")});
  post("/v1/chat/completions", chat("flash"));
  EXPECT_EQ(sent(0).url,
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:"
            "generateContent");
  EXPECT_EQ(sent_header(0, "x-goog-api-key"), "g-secret-1234");
  EXPECT_EQ(json_at(sink_.body, "/choices/0/message/content"), R"("Hi!")");
  EXPECT_EQ(json_at(sink_.body, "/model"), R"("flash")");
}

TEST_F(AdaptedTest, VertexWithoutAServiceAccountAnswers500NamingIt) {
  unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  ASSERT_TRUE(use(chain_yaml()));
  post("/v1/chat/completions", chat("vertex-flash"));
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_code(sink_.body), "provider_misconfigured");
  EXPECT_NE(error_message(sink_.body).find("no Google service account"), std::string::npos)
      << sink_.body;
  EXPECT_TRUE(transport_->sent.empty());
}

// ---- client APIs into OpenAI-compatible providers
// ------------------------------------------------

TEST_F(AdaptedTest, MembersOnlyOtherAdaptersTakeNeverReachAnOpenAiCompatibleProvider) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({chat_answer("qwen")});
  post(
      "/v1/messages",
      R"({"model":"local","max_tokens":16,"top_k":5,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(json_at(sent(0).body, "/top_k"), "<absent>");
  EXPECT_EQ(json_at(sent(0).body, "/max_tokens"), "16");
  EXPECT_EQ(json_at(sink_.body, "/type"), R"("message")");  // back in Anthropic's shape
}

}  // namespace
}  // namespace sluice::filters::testing
