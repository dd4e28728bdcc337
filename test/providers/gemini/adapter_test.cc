// The gemini and vertex_ai adapters beyond the golden files: settings validation at load,
// URLs and headers for every configuration, and behaviour at the edges (determinism, bounds,
// redaction, decoder state).

#include <gtest/gtest.h>

#include "providers/gemini/adapter.h"
#include "test/providers/gemini/test_support.h"

namespace sluice::providers::gemini {
namespace {

using testing::gemini_deployment;
using testing::golden_response_context;
using testing::kApiKey;
using testing::normalise_json;
using testing::vertex_deployment;

constexpr std::string_view kHello = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";

UpstreamRequest build_ok(const Adapter& adapter, const Deployment& deployment,
                         std::string_view body = kHello,
                         Endpoint endpoint = Endpoint::chat_completions) {
  UpstreamRequest request;
  Failure failure;
  EXPECT_TRUE(adapter.build_request(endpoint, body, deployment, &request, &failure))
      << failure.message;
  return request;
}

Failure build_failure(const Adapter& adapter, const Deployment& deployment, std::string_view body) {
  UpstreamRequest request;
  Failure failure;
  EXPECT_FALSE(
      adapter.build_request(Endpoint::chat_completions, body, deployment, &request, &failure));
  return failure;
}

// ---- check ----

TEST(GeminiCheck, AcceptsAKeyedDeployment) {
  EXPECT_EQ(make_gemini_adapter()->check(gemini_deployment()), "");
}

TEST(GeminiCheck, RequiresAnApiKey) {
  Deployment deployment = gemini_deployment();
  deployment.api_key.clear();
  EXPECT_EQ(make_gemini_adapter()->check(deployment), "api_key is required for gemini");
}

TEST(GeminiCheck, RefusesUnknownSettingsByName) {
  Deployment deployment = gemini_deployment();
  deployment.settings["vertex_project"] = "p";
  EXPECT_EQ(make_gemini_adapter()->check(deployment),
            "setting 'vertex_project' is not one of gemini's (allow_image_urls)");
}

TEST(GeminiCheck, AllowImageUrlsIsABoolean) {
  Deployment deployment = gemini_deployment();
  deployment.settings["allow_image_urls"] = "yes";
  EXPECT_EQ(make_gemini_adapter()->check(deployment),
            "setting allow_image_urls must be \"true\" or \"false\"");
  deployment.settings["allow_image_urls"] = "false";
  EXPECT_EQ(make_gemini_adapter()->check(deployment), "");
}

TEST(GeminiCheck, RefusesModelIdsThatWouldChangeTheUrl) {
  for (const char* model : {"", "..", "a/b", "gemini?x=1", "gemini#frag", "gem ini", "a%2Fb"}) {
    Deployment deployment = gemini_deployment();
    deployment.model = model;
    EXPECT_NE(make_gemini_adapter()->check(deployment), "") << model;
  }
  Deployment deployment = gemini_deployment();
  deployment.model = "models/gemini-1.5-pro-002";
  EXPECT_EQ(make_gemini_adapter()->check(deployment), "");
}

TEST(GeminiCheck, RefusesABaseUrlThatIsNotHttp) {
  Deployment deployment = gemini_deployment();
  deployment.base_url = "ftp://example.com";
  EXPECT_EQ(make_gemini_adapter()->check(deployment),
            "api_base must be an absolute http:// or https:// URL");
}

TEST(VertexCheck, RequiresProjectAndLocation) {
  const auto adapter = make_vertex_adapter();
  EXPECT_EQ(adapter->check(vertex_deployment()), "");
  Deployment deployment = vertex_deployment();
  deployment.settings.erase("vertex_project");
  EXPECT_EQ(adapter->check(deployment),
            "setting vertex_project is required: a Google Cloud project id");
  deployment = vertex_deployment();
  deployment.settings.erase("vertex_location");
  EXPECT_EQ(adapter->check(deployment),
            "setting vertex_location is required: a region such as us-central1, or global");
  deployment = vertex_deployment("us-central1/../x");
  EXPECT_NE(adapter->check(deployment), "");
}

TEST(VertexCheck, AcceptsTheCallersCredentialsSettingAndNoKey) {
  Deployment deployment = vertex_deployment();
  deployment.settings["vertex_credentials"] = "/secrets/sa.json";
  EXPECT_EQ(make_vertex_adapter()->check(deployment), "");
}

// ---- URLs, headers, auth ----

TEST(GeminiRequest, NeverPutsTheKeyInTheUrl) {
  const auto adapter = make_gemini_adapter();
  const UpstreamRequest request = build_ok(*adapter, gemini_deployment());
  EXPECT_EQ(request.url.find(kApiKey), std::string::npos);
  EXPECT_EQ(request.url.find("key="), std::string::npos);
  EXPECT_EQ(request.body.find(kApiKey), std::string::npos);
  EXPECT_EQ(request.auth, Auth::ready);
}

TEST(GeminiRequest, UsesTheConfiguredBaseUrlAndStripsTheModelsPrefix) {
  Deployment deployment = gemini_deployment();
  deployment.base_url = "http://127.0.0.1:9999";
  deployment.model = "models/gemini-1.5-pro";
  const UpstreamRequest request = build_ok(*make_gemini_adapter(), deployment);
  EXPECT_EQ(request.url, "http://127.0.0.1:9999/v1beta/models/gemini-1.5-pro:generateContent");
}

TEST(VertexRequest, UsesTheConfiguredBaseUrlAndAsksForAnOAuthToken) {
  Deployment deployment = vertex_deployment("europe-west4");
  deployment.base_url = "http://127.0.0.1:9999";
  const UpstreamRequest request = build_ok(*make_vertex_adapter(), deployment);
  EXPECT_EQ(request.url,
            "http://127.0.0.1:9999/v1/projects/my-project/locations/europe-west4/publishers/"
            "google/models/gemini-2.0-flash:generateContent");
  EXPECT_EQ(request.auth, Auth::google_oauth);
  for (const Header& header : request.headers) EXPECT_NE(header.name, "x-goog-api-key");
}

TEST(VertexRequest, RegionalDefaultBaseUrl) {
  const UpstreamRequest request =
      build_ok(*make_vertex_adapter(), vertex_deployment("asia-northeast1"));
  EXPECT_TRUE(request.url.starts_with(
      "https://asia-northeast1-aiplatform.googleapis.com/v1/projects/my-project/locations/"
      "asia-northeast1/"))
      << request.url;
}

TEST(VertexRequest, GlobalDefaultBaseUrl) {
  const UpstreamRequest request = build_ok(*make_vertex_adapter(), vertex_deployment("global"));
  EXPECT_EQ(request.url,
            "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/"
            "publishers/google/models/gemini-2.0-flash:generateContent");
}

TEST(GeminiRequest, DefaultBaseUrlAndStreamMethod) {
  const UpstreamRequest request =
      build_ok(*make_gemini_adapter(), gemini_deployment(),
               R"({"messages":[{"role":"user","content":"hi"}],"stream":true})");
  EXPECT_EQ(request.url,
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:"
            "streamGenerateContent?alt=sse");
}

TEST(GeminiRequest, AMisconfiguredDeploymentIsTheGatewaysError) {
  Deployment deployment = vertex_deployment();
  deployment.settings.erase("vertex_project");
  const Failure failure = build_failure(*make_vertex_adapter(), deployment, kHello);
  EXPECT_EQ(failure.status, 500);
  EXPECT_EQ(failure.message, "deployment my-vertex#0 is misconfigured");
}

TEST(GeminiRequest, LegacyCompletionsAreNotServed) {
  const auto adapter = make_gemini_adapter();
  EXPECT_TRUE(adapter->supports(Endpoint::chat_completions));
  EXPECT_TRUE(adapter->supports(Endpoint::embeddings));
  EXPECT_FALSE(adapter->supports(Endpoint::completions));
  UpstreamRequest request;
  Failure failure;
  EXPECT_FALSE(adapter->build_request(Endpoint::completions, R"({"prompt":"x"})",
                                      gemini_deployment(), &request, &failure));
  EXPECT_EQ(failure.status, 404);
  EXPECT_EQ(adapter->stream_decoder(Endpoint::embeddings, golden_response_context()), nullptr);
}

// ---- request edge cases ----

TEST(GeminiRequest, SystemMessagesAfterTheFirstTurnJoinTheSystemInstructionInOrder) {
  constexpr std::string_view body =
      R"({"messages":[{"role":"user","content":"Hi"},{"role":"system","content":"A"},)"
      R"({"role":"assistant","content":"Hello"},{"role":"developer","content":"B"},)"
      R"({"role":"user","content":"Bye"}]})";
  const UpstreamRequest request = build_ok(*make_gemini_adapter(), gemini_deployment(), body);
  EXPECT_EQ(
      normalise_json(request.body),
      R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]},{"role":"model","parts":[{"text":"Hello"}]},)"
      R"({"role":"user","parts":[{"text":"Bye"}]}],"systemInstruction":{"parts":[{"text":"A"},{"text":"B"}]}})");
}

TEST(GeminiRequest, CloudStorageImagesOnlyForVertexWithImageUrls) {
  constexpr std::string_view body =
      R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"gs://bucket/cat.png"}}]}]})";
  Deployment vertex = vertex_deployment();
  vertex.settings["allow_image_urls"] = "true";
  const UpstreamRequest request = build_ok(*make_vertex_adapter(), vertex, body);
  EXPECT_EQ(
      normalise_json(request.body),
      R"({"contents":[{"role":"user","parts":[{"fileData":{"mimeType":"image/png","fileUri":"gs://bucket/cat.png"}}]}]})");
  Deployment gemini = gemini_deployment();
  gemini.settings["allow_image_urls"] = "true";
  EXPECT_EQ(build_failure(*make_gemini_adapter(), gemini, body).param,
            "messages[0].content[0].image_url.url");
}

TEST(GeminiRequest, AnImageUrlWithoutAKnownExtensionIsRefused) {
  Deployment deployment = gemini_deployment();
  deployment.settings["allow_image_urls"] = "true";
  const Failure failure = build_failure(
      *make_gemini_adapter(), deployment,
      R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x.test/image"}}]}]})");
  EXPECT_EQ(failure.status, 400);
  EXPECT_EQ(failure.param, "messages[0].content[0].image_url.url");
}

TEST(GeminiRequest, AToolResultThatIsAJsonArrayStaysText) {
  const UpstreamRequest request = build_ok(
      *make_gemini_adapter(), gemini_deployment(),
      R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":""}}]},{"role":"tool","tool_call_id":"c","content":"[1,2]"}]})");
  EXPECT_EQ(
      normalise_json(request.body),
      R"({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"content":"[1,2]"}}}]}]})");
}

TEST(GeminiRequest, OnlySystemMessagesIsRefused) {
  const Failure failure = build_failure(*make_gemini_adapter(), gemini_deployment(),
                                        R"({"messages":[{"role":"system","content":"x"}]})");
  EXPECT_EQ(failure.param, "messages");
}

TEST(GeminiRequest, NullParametersCountAsUnset) {
  const UpstreamRequest request = build_ok(
      *make_gemini_adapter(), gemini_deployment(),
      R"({"messages":[{"role":"user","content":"hi"}],"logit_bias":null,"temperature":null})");
  EXPECT_EQ(normalise_json(request.body),
            R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})");
}

TEST(GeminiRequest, WrongTypesNameTheField) {
  const auto adapter = make_gemini_adapter();
  const Deployment deployment = gemini_deployment();
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":0})", "max_tokens"},
      {R"({"messages":[{"role":"user","content":"x"}],"temperature":"hot"})", "temperature"},
      {R"({"messages":[{"role":"user","content":"x"}],"stop":[1]})", "stop"},
      {R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})", "stream"},
      {R"({"messages":[{"role":"user","content":"x"}],"logprobs":true})", "logprobs"},
      {R"({"messages":[{"role":"user","content":"x"}],"tool_choice":"any"})", "tool_choice"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"xml"}})",
       "response_format.type"},
      {R"({"messages":[{"role":"function","content":"x"}]})", "messages[0].role"},
      {R"({"messages":[{"role":"user","content":[{"type":"video"}]}]})",
       "messages[0].content[0].type"},
      {R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"retrieval"}]})",
       "tools[0].type"},
      {R"({"messages":[]})", "messages"},
  };
  for (const auto& [body, param] : cases) {
    const Failure failure = build_failure(*adapter, deployment, body);
    EXPECT_EQ(failure.status, 400) << body;
    EXPECT_EQ(failure.param, param) << body;
    EXPECT_FALSE(failure.message.empty()) << body;
  }
}

TEST(GeminiSchema, ARecursiveReferenceIsRefusedNotFollowedForever) {
  const Failure failure = build_failure(
      *make_gemini_adapter(), gemini_deployment(),
      R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"node":{"$ref":"#/$defs/Node"}},"$defs":{"Node":{"type":"object","properties":{"next":{"$ref":"#/$defs/Node"}}}}}}}]})");
  EXPECT_EQ(failure.status, 400);
  EXPECT_NE(failure.message.find("nests deeper than"), std::string::npos) << failure.message;
}

TEST(GeminiSchema, AnUnresolvableReferenceNamesTheField) {
  const Failure failure = build_failure(
      *make_gemini_adapter(), gemini_deployment(),
      R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"$ref":"https://x.test/s.json"}}}}}]})");
  EXPECT_EQ(failure.param, "tools[0].function.parameters.properties.a");
}

TEST(GeminiRequest, DeeplyNestedArgumentsAreRefusedWithoutCrashing) {
  std::string arguments(100000, '[');
  arguments = "{\\\"a\\\":" + arguments;
  const std::string body =
      R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":")" +
      arguments + R"("}}]}]})";
  const Failure failure = build_failure(*make_gemini_adapter(), gemini_deployment(), body);
  EXPECT_EQ(failure.param, "messages[0].tool_calls[0].function.arguments");
}

// ---- responses ----

TEST(GeminiResponse, ToolCallIdsAreStablePerAnswerAndDifferAcrossAnswers) {
  const auto adapter = make_gemini_adapter();
  const auto translate = [&](std::string_view id) {
    const std::string body =
        R"({"responseId":")" + std::string(id) +
        R"(","candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP"}]})";
    std::string out;
    Failure failure;
    EXPECT_TRUE(adapter->translate_response(Endpoint::chat_completions, body,
                                            golden_response_context(), &out, &failure));
    return out;
  };
  EXPECT_EQ(translate("a"), translate("a"));
  const std::string first = translate("a");
  const std::string second = translate("b");
  const auto id_of = [](const std::string& text) {
    const size_t at = text.find("call_");
    return text.substr(at, text.find('"', at) - at);
  };
  EXPECT_NE(id_of(first), id_of(second));
}

TEST(GeminiResponse, AnErrorObjectIn2xxIsAFailure) {
  std::string out;
  Failure failure;
  EXPECT_FALSE(make_gemini_adapter()->translate_response(
      Endpoint::chat_completions,
      R"({"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}})",
      golden_response_context(), &out, &failure));
  EXPECT_EQ(failure.status, 429);
  EXPECT_EQ(failure.message, "slow down");
}

// ---- stream decoder state ----

TEST(GeminiStream, NothingFollowsAFinishAndUsageIsOwedOnce) {
  auto decoder =
      make_gemini_adapter()->stream_decoder(Endpoint::chat_completions, golden_response_context());
  std::vector<std::string> chunks;
  Failure failure;
  ASSERT_TRUE(decoder->feed(
      R"({"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2}})",
      &chunks, &failure));
  ASSERT_TRUE(decoder->feed(R"({"candidates":[{"content":{"parts":[{"text":"late"}]}}]})", &chunks,
                            &failure));
  ASSERT_TRUE(decoder->feed(" \r\n", &chunks, &failure));
  EXPECT_EQ(chunks.size(), 3u);  // role, "a", finish
  ASSERT_TRUE(decoder->finish(&chunks, &failure));
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_NE(chunks.back().find("\"usage\""), std::string::npos);
  ASSERT_TRUE(decoder->finish(&chunks, &failure));
  EXPECT_EQ(chunks.size(), 4u);
}

TEST(GeminiStream, AnEmptyStreamIsTruncated) {
  auto decoder =
      make_vertex_adapter()->stream_decoder(Endpoint::chat_completions, golden_response_context());
  std::vector<std::string> chunks;
  Failure failure;
  EXPECT_FALSE(decoder->finish(&chunks, &failure));
  EXPECT_EQ(failure.status, 502);
  EXPECT_EQ(failure.message, "vertex_ai's stream ended before a finish reason");
}

TEST(GeminiStream, ACandidateIndexOutOfRangeIsABrokenStream) {
  auto decoder =
      make_gemini_adapter()->stream_decoder(Endpoint::chat_completions, golden_response_context());
  std::vector<std::string> chunks;
  Failure failure;
  EXPECT_FALSE(decoder->feed(R"({"candidates":[{"index":100000000}]})", &chunks, &failure));
  EXPECT_EQ(failure.status, 502);
  EXPECT_TRUE(chunks.empty());
}

// ---- errors ----

TEST(GeminiError, EveryCopyOfTheKeyIsRemoved) {
  const std::string key(kApiKey);
  const std::string body = R"({"error":{"code":400,"message":")" + key + " and " + key +
                           R"(","status":"INVALID_ARGUMENT"}})";
  const Failure failure = make_gemini_adapter()->translate_error(400, body, gemini_deployment());
  EXPECT_EQ(failure.message, "[redacted] and [redacted]");
  const Failure raw =
      make_gemini_adapter()->translate_error(500, "oops " + key, gemini_deployment());
  EXPECT_EQ(raw.message, "gemini answered HTTP 500: oops [redacted]");
}

TEST(GeminiError, LongAndInvalidTextIsBoundedAndValidUtf8) {
  std::string message(10000, 'x');
  message += "\xC3";  // a cut two-byte character
  const std::string body = "\xFF\xFE" + message;
  const Failure failure = make_gemini_adapter()->translate_error(500, body, gemini_deployment());
  EXPECT_LE(failure.message.size(), 600u);
  EXPECT_EQ(failure.message.substr(0, 32), "gemini answered HTTP 500: \xEF\xBF\xBD\xEF\xBF\xBD");
  const std::string long_json = R"({"error":{"code":500,"message":")" + std::string(10000, 'y') +
                                R"(","status":"INTERNAL"}})";
  const Failure bounded =
      make_gemini_adapter()->translate_error(500, long_json, gemini_deployment());
  EXPECT_EQ(bounded.message.size(), 4096u);
  EXPECT_EQ(bounded.status, 500);
}

TEST(GeminiError, UnknownStatusNamesKeepTheHttpStatus) {
  const Failure failure = make_gemini_adapter()->translate_error(
      418, R"({"error":{"code":418,"message":"teapot","status":"TEAPOT"}})", gemini_deployment());
  EXPECT_EQ(failure.status, 418);
  EXPECT_EQ(failure.code, "TEAPOT");
  EXPECT_EQ(failure.type, "invalid_request_error");
}

TEST(GeminiError, StatusNamesMapToTheDocumentedHttpStatus) {
  const std::pair<std::string_view, int> names[] = {
      {"RESOURCE_EXHAUSTED", 429}, {"INVALID_ARGUMENT", 400}, {"PERMISSION_DENIED", 403},
      {"UNAUTHENTICATED", 401},    {"NOT_FOUND", 404},        {"UNAVAILABLE", 503},
      {"INTERNAL", 500},           {"DEADLINE_EXCEEDED", 504}};
  for (const auto& [name, status] : names) {
    const std::string body =
        R"({"error":{"code":500,"message":"m","status":")" + std::string(name) + R"("}})";
    EXPECT_EQ(make_vertex_adapter()->translate_error(500, body, vertex_deployment()).status, status)
        << name;
  }
}

}  // namespace
}  // namespace sluice::providers::gemini
