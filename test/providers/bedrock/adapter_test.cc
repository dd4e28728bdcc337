// The Bedrock adapter beyond the golden files: settings validation, endpoints and regions,
// API-key auth, and bad input (truncated, garbage, deeply nested) answered without a crash.

#include "providers/bedrock/adapter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "providers/aws/event_stream.h"
#include "providers/aws/sigv4.h"

namespace sluice::bedrock {
namespace {

using providers::Deployment;
using providers::Endpoint;
using providers::Failure;
using providers::UpstreamRequest;

Deployment base_deployment() {
  Deployment d;
  d.name = "m#0";
  d.provider_type = "bedrock";
  d.model = "anthropic.claude-3-5-sonnet-20240620-v1:0";
  d.settings = {{"aws_region_name", "eu-west-3"}};
  return d;
}

constexpr std::string_view kChat = R"({"model":"m","messages":[{"role":"user","content":"Hi"}]})";

TEST(BedrockCheck, AcceptsRegionOrBaseUrl) {
  const auto adapter = make_bedrock_adapter();
  EXPECT_EQ(adapter->check(base_deployment()), "");
  Deployment with_base = base_deployment();
  with_base.settings.clear();
  with_base.base_url = "http://127.0.0.1:18001";
  EXPECT_EQ(adapter->check(with_base), "");
  Deployment with_keys = base_deployment();
  with_keys.settings["aws_access_key_id"] = "AKID";
  with_keys.settings["aws_secret_access_key"] = "secret";
  with_keys.settings["aws_session_token"] = "token";
  EXPECT_EQ(adapter->check(with_keys), "");
}

TEST(BedrockCheck, RefusesWithMessagesNamingTheSetting) {
  const auto adapter = make_bedrock_adapter();
  Deployment unknown = base_deployment();
  unknown.settings["api_version"] = "1";
  EXPECT_NE(adapter->check(unknown).find("'api_version'"), std::string::npos);
  Deployment no_region = base_deployment();
  no_region.settings.clear();
  EXPECT_NE(adapter->check(no_region).find("aws_region_name is required"), std::string::npos);
  Deployment bad_region = base_deployment();
  bad_region.settings["aws_region_name"] = "us-east-1.evil.com/";
  EXPECT_NE(adapter->check(bad_region).find("aws_region_name"), std::string::npos);
  Deployment half_keys = base_deployment();
  half_keys.settings["aws_access_key_id"] = "AKID";
  EXPECT_NE(adapter->check(half_keys).find("aws_secret_access_key"), std::string::npos);
  Deployment token_only = base_deployment();
  token_only.settings["aws_session_token"] = "t";
  EXPECT_NE(adapter->check(token_only).find("aws_session_token"), std::string::npos);
  Deployment bad_base = base_deployment();
  bad_base.base_url = "ftp://x";
  EXPECT_NE(adapter->check(bad_base).find("api_base"), std::string::npos);
  Deployment no_model = base_deployment();
  no_model.model.clear();
  EXPECT_NE(adapter->check(no_model), "");
}

TEST(BedrockRequest, RegionAndBaseUrl) {
  const auto adapter = make_bedrock_adapter();
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(adapter->build_request(Endpoint::chat_completions, kChat, base_deployment(), &request,
                                     &failure));
  EXPECT_EQ(request.url,
            "https://bedrock-runtime.eu-west-3.amazonaws.com/model/"
            "anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
  EXPECT_EQ(request.signing_region, "eu-west-3");

  Deployment fake = base_deployment();
  fake.settings.clear();
  fake.base_url = "http://127.0.0.1:18001/prefix";
  ASSERT_TRUE(adapter->build_request(Endpoint::chat_completions, kChat, fake, &request, &failure));
  EXPECT_EQ(request.url,
            "http://127.0.0.1:18001/prefix/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/"
            "converse");
  EXPECT_EQ(request.signing_region, "us-east-1");  // nothing names one

  Deployment vpc = base_deployment();
  vpc.settings.clear();
  vpc.base_url = "https://bedrock-runtime.ap-south-1.amazonaws.com";
  ASSERT_TRUE(adapter->build_request(Endpoint::chat_completions, kChat, vpc, &request, &failure));
  EXPECT_EQ(request.signing_region, "ap-south-1");
}

// What the caller does with an aws_sigv4 request: sign the exact URL, headers and body the adapter
// built; a verifier holding the same keys (fake-llm's check) accepts it, and the model id's ':'
// is signed double-encoded.
TEST(BedrockRequest, SignedAsBuilt) {
  const auto adapter = make_bedrock_adapter();
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(adapter->build_request(
      Endpoint::chat_completions,
      R"({"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]})",
      base_deployment(), &request, &failure));
  ASSERT_EQ(request.auth, providers::Auth::aws_sigv4);
  const aws::Credentials credentials{"AKIDEXAMPLE", "secret-key", "session"};
  aws::HeaderList headers;
  for (const auto& header : request.headers) headers.emplace_back(header.name, header.value);
  std::string error;
  ASSERT_TRUE(aws::sign_request(request.method, request.url, request.body, request.signing_region,
                                request.signing_service, credentials, 1700000000, &headers,
                                &error));
  constexpr std::string_view kHost = "https://bedrock-runtime.eu-west-3.amazonaws.com";
  ASSERT_TRUE(request.url.starts_with(kHost));
  const std::string target = request.url.substr(kHost.size());
  EXPECT_EQ(target, "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream");
  headers.emplace_back("host", "bedrock-runtime.eu-west-3.amazonaws.com");
  std::string detail;
  EXPECT_EQ(
      aws::verify_request("POST", target, headers, request.body, credentials, "bedrock", &detail),
      aws::VerifyResult::ok)
      << detail;
  EXPECT_NE(aws::verify_request("POST", target, headers, request.body + " ", credentials, "bedrock",
                                &detail),
            aws::VerifyResult::ok);
}

TEST(BedrockRequest, ApiKeyIsABearerTokenInsteadOfSigV4) {
  const auto adapter = make_bedrock_adapter();
  Deployment keyed = base_deployment();
  keyed.api_key = "bedrock-api-key-123";
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(adapter->build_request(Endpoint::chat_completions, kChat, keyed, &request, &failure));
  EXPECT_EQ(request.auth, providers::Auth::ready);
  ASSERT_EQ(request.headers.size(), 2u);
  EXPECT_EQ(request.headers[1].name, "authorization");
  EXPECT_EQ(request.headers[1].value, "Bearer bedrock-api-key-123");
}

TEST(BedrockRequest, ErrorKeepsMessageAndRemovesApiKey) {
  const auto adapter = make_bedrock_adapter();
  Deployment keyed = base_deployment();
  keyed.api_key = "bedrock-api-key-123";
  const Failure failure =
      adapter->translate_error(401, R"({"message":"bad key bedrock-api-key-123"})", keyed);
  EXPECT_EQ(failure.status, 401);
  EXPECT_EQ(failure.message, "bad key [redacted]");
  EXPECT_EQ(failure.type, "authentication_error");
}

TEST(BedrockRequest, EndpointsServed) {
  const auto adapter = make_bedrock_adapter();
  EXPECT_TRUE(adapter->supports(Endpoint::chat_completions));
  EXPECT_TRUE(adapter->supports(Endpoint::embeddings));
  EXPECT_FALSE(adapter->supports(Endpoint::completions));
  UpstreamRequest request;
  Failure failure;
  EXPECT_FALSE(adapter->build_request(Endpoint::completions, R"({"prompt":"x"})", base_deployment(),
                                      &request, &failure));
  EXPECT_EQ(failure.status, 400);
  EXPECT_EQ(adapter->stream_decoder(Endpoint::embeddings, {}), nullptr);
}

TEST(BedrockRequest, EmbeddingsForOtherModelsRefused) {
  const auto adapter = make_bedrock_adapter();
  UpstreamRequest request;
  Failure failure;
  EXPECT_FALSE(adapter->build_request(Endpoint::embeddings, R"({"input":"x"})", base_deployment(),
                                      &request, &failure));
  EXPECT_EQ(failure.param, "model");
}

TEST(BedrockRequest, FieldErrorsNameTheField) {
  const auto adapter = make_bedrock_adapter();
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"messages":[]})", "messages"},
      {R"({})", "messages"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":-1})", "max_tokens"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":1.5})", "max_tokens"},
      {R"({"messages":[{"role":"user","content":"x"}],"temperature":"hot"})", "temperature"},
      {R"({"messages":[{"role":"user","content":"x"}],"stop":[1]})", "stop[0]"},
      {R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})", "stream"},
      {R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"code"}]})",
       "tools[0].type"},
      {R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes"})",
       "tool_choice"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}})",
       "response_format"},
      {R"({"messages":[{"role":"tool","content":"x"}]})", "messages[0].tool_call_id"},
      {R"({"messages":[{"role":"system","content":[{"type":"image_url"}]}]})",
       "messages[0].content[0]"},
      {R"({"messages":[{"role":"user","content":[{"type":"input_audio"}]}]})",
       "messages[0].content[0].type"},
      {R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,AA=="}}]}]})",
       "messages[0].content[0].image_url.url"},
      {R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,raw"}}]}]})",
       "messages[0].content[0].image_url.url"},
      {R"({"messages":[{"role":"system","content":"only a system prompt"}]})", "messages"},
  };
  for (const auto& [body, param] : cases) {
    UpstreamRequest request;
    Failure failure;
    EXPECT_FALSE(adapter->build_request(Endpoint::chat_completions, body, base_deployment(),
                                        &request, &failure))
        << body;
    EXPECT_EQ(failure.status, 400) << body;
    EXPECT_EQ(failure.param, param) << body;
    EXPECT_TRUE(failure.message.starts_with(std::string(param) + ": ")) << failure.message;
  }
}

TEST(BedrockRequest, DeepNestingRefusedNotRecursed) {
  const auto adapter = make_bedrock_adapter();
  std::string deep =
      R"({"messages":[{"role":"user","content":"x"}],"additionalModelRequestFields":)";
  deep += std::string(100000, '[') + std::string(100000, ']') + "}";
  UpstreamRequest request;
  Failure failure;
  EXPECT_FALSE(adapter->build_request(Endpoint::chat_completions, deep, base_deployment(), &request,
                                      &failure));
  EXPECT_EQ(failure.status, 400);
  std::string answer;
  EXPECT_FALSE(adapter->translate_response(Endpoint::chat_completions, std::string(100000, '{'), {},
                                           &answer, &failure));
}

std::vector<std::string> golden_inputs(const std::string& folder) {
  std::vector<std::string> inputs;
  const auto dir =
      std::filesystem::path(SLUICE_SOURCE_DIR) / "test/providers/bedrock/golden" / folder;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (file.ends_with(".expected.json")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    inputs.push_back(text.str());
  }
  return inputs;
}

// Every prefix of every golden input: never a crash, and never a success from a cut document.
TEST(BedrockFuzz, TruncatedInputs) {
  const auto adapter = make_bedrock_adapter();
  for (const std::string& input : golden_inputs("request")) {
    for (size_t cut = 0; cut + 1 < input.size(); ++cut) {
      UpstreamRequest request;
      Failure failure;
      for (const Endpoint endpoint : {Endpoint::chat_completions, Endpoint::embeddings}) {
        const bool ok = adapter->build_request(endpoint, std::string_view(input).substr(0, cut),
                                               base_deployment(), &request, &failure);
        EXPECT_FALSE(ok && input.substr(0, cut).find('}') == std::string::npos);
      }
    }
  }
  for (const std::string& input : golden_inputs("response")) {
    for (size_t cut = 0; cut + 1 < input.size(); ++cut) {
      std::string out;
      Failure failure;
      adapter->translate_response(Endpoint::chat_completions,
                                  std::string_view(input).substr(0, cut), {}, &out, &failure);
      adapter->translate_response(Endpoint::embeddings, std::string_view(input).substr(0, cut), {},
                                  &out, &failure);
      adapter->translate_error(500, std::string_view(input).substr(0, cut), base_deployment());
    }
  }
}

TEST(BedrockFuzz, StreamGarbageAndTruncation) {
  const auto adapter = make_bedrock_adapter();
  std::mt19937 random(7);
  for (int round = 0; round < 500; ++round) {
    std::string garbage(random() % 200, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    auto decoder = adapter->stream_decoder(Endpoint::chat_completions, {});
    std::vector<std::string> chunks;
    Failure failure;
    decoder->feed(garbage, &chunks, &failure);
    EXPECT_FALSE(decoder->finish(&chunks, &failure));
  }
  // Frames with payloads that are not what the event says.
  for (const char* payload : {"", "[]", "{\"delta\":5}", "{\"start\":{\"toolUse\":{}}}",
                              "{\"delta\":{\"toolUse\":{\"input\":7}}}", "not json"}) {
    for (const char* event : {"messageStart", "contentBlockStart", "contentBlockDelta",
                              "messageStop", "metadata", "somethingNew"}) {
      std::string bytes;
      aws::append_event_frame(&bytes, event, payload);
      auto decoder = adapter->stream_decoder(Endpoint::chat_completions, {});
      std::vector<std::string> chunks;
      Failure failure;
      decoder->feed(bytes, &chunks, &failure);
      decoder->finish(&chunks, &failure);
    }
  }
  // A frame cut short: finish reports it.
  std::string bytes;
  aws::append_event_frame(&bytes, "messageStart", R"({"role":"assistant"})");
  auto decoder = adapter->stream_decoder(Endpoint::chat_completions, {});
  std::vector<std::string> chunks;
  Failure failure;
  ASSERT_TRUE(
      decoder->feed(std::string_view(bytes).substr(0, bytes.size() - 1), &chunks, &failure));
  EXPECT_FALSE(decoder->finish(&chunks, &failure));
  EXPECT_EQ(failure.status, 502);
  EXPECT_EQ(failure.message, "Bedrock's event stream ended inside an event");
}

TEST(BedrockStream, BadCrcIsABrokenStream) {
  const auto adapter = make_bedrock_adapter();
  std::string bytes;
  aws::append_event_frame(&bytes, "messageStart", R"({"role":"assistant"})");
  bytes[bytes.size() - 2] ^= 0x40;
  auto decoder = adapter->stream_decoder(Endpoint::chat_completions, {});
  std::vector<std::string> chunks;
  Failure failure;
  EXPECT_FALSE(decoder->feed(bytes, &chunks, &failure));
  EXPECT_EQ(failure.status, 502);
  EXPECT_EQ(failure.message,
            "Bedrock's event stream is malformed: event stream: message CRC mismatch");
  EXPECT_TRUE(chunks.empty());
  // And stays broken.
  Failure again;
  EXPECT_FALSE(decoder->feed("", &chunks, &again));
  EXPECT_EQ(again.message, failure.message);
}

// The Converse body is written while the request is read: these pin its exact bytes (member
// order, number forms, merged turns), which the golden files compare only as JSON.
std::string converse_body(std::string_view openai_body) {
  UpstreamRequest request;
  Failure failure;
  EXPECT_TRUE(make_bedrock_adapter()->build_request(Endpoint::chat_completions, openai_body,
                                                    base_deployment(), &request, &failure))
      << failure.message;
  return request.body;
}

TEST(BedrockRequest, MergesTurnsOfOneRoleAcrossSkippedMessagesByteForByte) {
  // A system message between two user turns and an assistant turn with no blocks do not split
  // the user turn; system texts (parts joined) follow the messages; an integer temperature is
  // written as a double.
  EXPECT_EQ(
      converse_body(
          R"({"messages":[{"role":"user","content":"a"},{"role":"system","content":"s1"},{"role":"user","content":[{"type":"text","text":"b"},{"type":"text","text":"c"}]},{"role":"assistant","content":""},{"role":"user","content":"d"},{"role":"developer","content":[{"type":"text","text":"x"},{"type":"text","text":"y"}]},{"role":"system","content":""},{"role":"system","content":null}],"temperature":1,"top_p":0.95,"stop":[],"max_completion_tokens":null,"max_tokens":7})"),
      R"({"messages":[{"role":"user","content":[{"text":"a"},{"text":"b"},{"text":"c"},{"text":"d"}]}],"system":[{"text":"s1"},{"text":"xy"}],"inferenceConfig":{"maxTokens":7,"temperature":1.0,"topP":0.95}})");
}

TEST(BedrockRequest, WritesToolCallsToolsAndPassedValuesByteForByte) {
  // Arguments are parsed and written compactly (escapes decoded, numbers in rapidjson's form);
  // tools without parameters get an empty object schema; passed-through members keep their
  // values.
  EXPECT_EQ(
      converse_body(R"({"messages":[{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{ \"a\" : [1, 2.50, 1e3, -0, \"\\u00e9\\/\\n\"], \"b\": {} }"}},{"id":"c2","function":{"name":"g","arguments":""}},{"id":"c3","function":{"name":"h"}}]},{"role":"tool","tool_call_id":"c1","content":[{"type":"text","text":"r1"},{"type":"text","text":"r2"}]},{"role":"tool","tool_call_id":"c2","content":null},{"role":"assistant","content":[{"type":"refusal","refusal":"no"}]}],"tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"g","description":5,"parameters":null}},{"type":"function","function":{"name":"h","description":"d","parameters":{"type":"object","properties":{"x":{"default":1.5e300,"n":12345678901234567890}}}}}],"tool_choice":"none","stop":"END","guardrailConfig":{"guardrailIdentifier":"g","v":[true,false,null]},"additionalModelRequestFields":{"top_k":5}})"), R"({"messages":[{"role":"assistant","content":[{"toolUse":{"toolUseId":"c1","name":"f","input":{"a":[1,2.5,1000.0,0,"é/\n"],"b":{}}}},{"toolUse":{"toolUseId":"c2","name":"g","input":{}}},{"toolUse":{"toolUseId":"c3","name":"h","input":{}}}]},{"role":"user","content":[{"toolResult":{"toolUseId":"c1","content":[{"text":"r1r2"}]}},{"toolResult":{"toolUseId":"c2","content":[{"text":""}]}}]},{"role":"assistant","content":[{"text":"no"}]}],"inferenceConfig":{"stopSequences":["END"]},"toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object","properties":{}}}}},{"toolSpec":{"name":"g","inputSchema":{"json":{"type":"object","properties":{}}}}},{"toolSpec":{"name":"h","description":"d","inputSchema":{"json":{"type":"object","properties":{"x":{"default":1.5e300,"n":12345678901234567890}}}}}}]},"guardrailConfig":{"guardrailIdentifier":"g","v":[true,false,null]},"additionalModelRequestFields":{"top_k":5}})");
}

}  // namespace
}  // namespace sluice::bedrock
