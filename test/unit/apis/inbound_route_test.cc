// Which client API a request speaks, from its method and path; OpenAI error bodies read back.

#include <gtest/gtest.h>

#include <string>

#include "core/apis/inbound.h"

namespace sluice::apis {
namespace {

InboundRoute route(std::string_view method, std::string_view path, std::string* error) {
  error->clear();
  return inbound_route(method, path, error);
}

TEST(InboundRouteTest, OpenAiPathsAndOtherMethodsAreOpenAi) {
  std::string error;
  for (std::string_view path : {"/v1/chat/completions", "/chat/completions", "/v1/messages/x",
                                "/v1/messagesx", "/bedrock/model/m/invoke", "/bedrock/model/"}) {
    EXPECT_EQ(route("POST", path, &error).api, ClientApi::openai) << path;
    EXPECT_EQ(error, "") << path;
  }
  EXPECT_EQ(route("GET", "/v1/messages", &error).api, ClientApi::openai);
  EXPECT_EQ(route("GET", "/bedrock/model/m/converse", &error).api, ClientApi::openai);
}

TEST(InboundRouteTest, AnthropicMessages) {
  std::string error;
  InboundRoute r = route("POST", "/v1/messages", &error);
  EXPECT_EQ(r.api, ClientApi::anthropic_messages);
  EXPECT_EQ(r.model_id, "");
  EXPECT_EQ(error, "");
}

TEST(InboundRouteTest, BedrockConverseDecodesTheModelId) {
  std::string error;
  InboundRoute r =
      route("POST", "/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", &error);
  EXPECT_EQ(r.api, ClientApi::bedrock_converse);
  EXPECT_EQ(r.model_id, "anthropic.claude-3-haiku-20240307-v1:0");
  EXPECT_FALSE(r.stream_path);
  EXPECT_EQ(error, "");

  r = route("POST",
            "/bedrock/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F"
            "us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream",
            &error);
  EXPECT_EQ(r.api, ClientApi::bedrock_converse);
  EXPECT_EQ(r.model_id,
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
            "us.anthropic.claude-3-5-sonnet-20240620-v1:0");
  EXPECT_TRUE(r.stream_path);
  EXPECT_EQ(error, "");

  // Not encoded at all is fine too.
  r = route("POST", "/bedrock/model/us.amazon.nova-lite-v1:0/converse", &error);
  EXPECT_EQ(r.model_id, "us.amazon.nova-lite-v1:0");
}

TEST(InboundRouteTest, MalformedBedrockPathsStayBedrockWithAnError) {
  std::string error;
  for (std::string_view path :
       {"/bedrock/model//converse", "/bedrock/model/m%3/converse", "/bedrock/model/m%zz/converse",
        "/bedrock/model/m%00x/converse", "/bedrock/model/%/converse-stream"}) {
    InboundRoute r = route("POST", path, &error);
    EXPECT_EQ(r.api, ClientApi::bedrock_converse) << path;
    EXPECT_NE(error, "") << path;
    EXPECT_EQ(r.model_id, "") << path;
  }
  std::string long_path = "/bedrock/model/" + std::string(2049, 'm') + "/converse";
  EXPECT_EQ(route("POST", long_path, &error).api, ClientApi::bedrock_converse);
  EXPECT_NE(error, "");
}

TEST(InboundRouteTest, ApiNames) {
  EXPECT_EQ(api_name(ClientApi::openai), "openai");
  EXPECT_EQ(api_name(ClientApi::anthropic_messages), "anthropic");
  EXPECT_EQ(api_name(ClientApi::bedrock_converse), "bedrock");
}

TEST(ApiErrorFromOpenAiTest, ReadsTheErrorObject) {
  ApiError e = api_error_from_openai(
      429,
      R"({"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"x"}})");
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(e.message, "slow down");
  EXPECT_EQ(e.type, "rate_limit_error");
  EXPECT_EQ(e.code, "x");
}

TEST(ApiErrorFromOpenAiTest, OtherBodiesKeepTheirTextBounded) {
  ApiError e = api_error_from_openai(502, "bad gateway");
  EXPECT_EQ(e.message, "bad gateway");
  EXPECT_EQ(e.type, "api_error");
  e = api_error_from_openai(400, R"({"error":{"message":7}})");
  EXPECT_EQ(e.message, R"({"error":{"message":7}})");
  EXPECT_EQ(e.type, "invalid_request_error");
  e = api_error_from_openai(500, "");
  EXPECT_EQ(e.message, "HTTP 500");
  e = api_error_from_openai(500, std::string(5000, 'x'));
  EXPECT_EQ(e.message.size(), 2048u);
}

}  // namespace
}  // namespace sluice::apis
