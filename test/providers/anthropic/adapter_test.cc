// The Anthropic adapter's deployment checks, endpoints, upstream URL and headers.

#include <gtest/gtest.h>

#include "providers/anthropic/adapter.h"

namespace sluice::providers::anthropic {
namespace {

constexpr std::string_view kBody =
    R"({"model":"my-claude","messages":[{"role":"user","content":"Hi"}]})";

Deployment deployment() {
  Deployment d;
  d.name = "my-claude#0";
  d.provider_type = "anthropic";
  d.model = "claude-sonnet-4-5";
  d.api_key = "sk-ant-test-key";
  return d;
}

std::string header(const UpstreamRequest& request, std::string_view name) {
  for (const Header& h : request.headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

TEST(AnthropicAdapter, AcceptsTheDefaultsAndItsThreeSettings) {
  const auto adapter = make_anthropic_adapter();
  Deployment d = deployment();
  EXPECT_EQ(adapter->check(d), "");
  d.settings = {{"anthropic_version", "2023-06-01"},
                {"max_tokens_default", "1024"},
                {"allow_image_urls", "false"}};
  EXPECT_EQ(adapter->check(d), "");
}

TEST(AnthropicAdapter, RefusesUnknownAndMalformedSettingsNamingThem) {
  const auto adapter = make_anthropic_adapter();
  const std::pair<std::pair<std::string, std::string>, std::string> cases[] = {
      {{"api_version", "1"}, "api_version"},
      {{"max_tokens_default", "0"}, "max_tokens_default"},
      {{"max_tokens_default", "12x"}, "max_tokens_default"},
      {{"max_tokens_default", "-5"}, "max_tokens_default"},
      {{"allow_image_urls", "yes"}, "allow_image_urls"},
      {{"anthropic_version", ""}, "anthropic_version"},
      {{"anthropic_version", "2023\r\nx-evil: 1"}, "anthropic_version"},
  };
  for (const auto& [setting, named] : cases) {
    Deployment d = deployment();
    d.settings.insert(setting);
    const std::string problem = adapter->check(d);
    EXPECT_NE(problem.find(named), std::string::npos) << setting.first << ": " << problem;
  }
}

TEST(AnthropicAdapter, RefusesABaseUrlThatIsNotHttpAndAMissingModel) {
  const auto adapter = make_anthropic_adapter();
  Deployment d = deployment();
  d.base_url = "ftp://example.com";
  EXPECT_NE(adapter->check(d).find("api_base"), std::string::npos);
  d = deployment();
  d.model.clear();
  EXPECT_NE(adapter->check(d).find("model"), std::string::npos);
}

TEST(AnthropicAdapter, SupportsChatCompletionsOnly) {
  const auto adapter = make_anthropic_adapter();
  EXPECT_TRUE(adapter->supports(Endpoint::chat_completions));
  EXPECT_FALSE(adapter->supports(Endpoint::completions));
  EXPECT_FALSE(adapter->supports(Endpoint::embeddings));
  UpstreamRequest request;
  Failure failure;
  EXPECT_FALSE(
      adapter->build_request(Endpoint::embeddings, kBody, deployment(), &request, &failure));
  EXPECT_EQ(failure.status, 400);
  EXPECT_EQ(failure.code, "unsupported_endpoint");
}

TEST(AnthropicAdapter, SendsToMessagesWithTheKeyAndVersionHeadersOnly) {
  const auto adapter = make_anthropic_adapter();
  UpstreamRequest request;
  request.headers.push_back({"x-stale", "left from before"});
  Failure failure;
  ASSERT_TRUE(
      adapter->build_request(Endpoint::chat_completions, kBody, deployment(), &request, &failure))
      << failure.message;
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://api.anthropic.com/v1/messages");
  ASSERT_EQ(request.headers.size(), 3u);
  EXPECT_EQ(header(request, "x-api-key"), "sk-ant-test-key");
  EXPECT_EQ(header(request, "anthropic-version"), "2023-06-01");
  EXPECT_EQ(header(request, "content-type"), "application/json");
  EXPECT_EQ(request.auth, Auth::ready);
  EXPECT_FALSE(request.stream);
  EXPECT_NE(request.body.find("\"max_tokens\":4096"), std::string::npos);
}

TEST(AnthropicAdapter, UsesTheConfiguredBaseVersionAndDefaultMaxTokens) {
  const auto adapter = make_anthropic_adapter();
  Deployment d = deployment();
  d.base_url = "https://anthropic.internal.example:8443/proxy";
  d.api_key.clear();
  d.settings = {{"anthropic_version", "2024-01-01"}, {"max_tokens_default", "777"}};
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(adapter->build_request(
      Endpoint::chat_completions,
      R"({"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]})", d, &request,
      &failure));
  EXPECT_EQ(request.url, "https://anthropic.internal.example:8443/proxy/v1/messages");
  EXPECT_EQ(header(request, "anthropic-version"), "2024-01-01");
  EXPECT_EQ(header(request, "x-api-key"), "<absent>");  // no key configured: none sent
  EXPECT_TRUE(request.stream);
  EXPECT_NE(request.body.find("\"max_tokens\":777"), std::string::npos);
}

TEST(AnthropicAdapter, ABaseThatNamesTheEndpointIsTakenAsItIs) {
  const auto adapter = make_anthropic_adapter();
  Deployment d = deployment();
  d.base_url = "https://gateway.example/anthropic/v1/messages";
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(adapter->build_request(Endpoint::chat_completions, kBody, d, &request, &failure));
  EXPECT_EQ(request.url, "https://gateway.example/anthropic/v1/messages");
}

TEST(AnthropicAdapter, ANonChatAnswerIsNotTranslated) {
  const auto adapter = make_anthropic_adapter();
  std::string out;
  Failure failure;
  EXPECT_FALSE(
      adapter->translate_response(Endpoint::embeddings, "{}", ResponseContext{}, &out, &failure));
  EXPECT_EQ(failure.status, 502);
}

TEST(AnthropicAdapter, AStatusOutsideHttpBecomes502) {
  const auto adapter = make_anthropic_adapter();
  EXPECT_EQ(adapter->translate_error(0, "", deployment()).status, 502);
  EXPECT_EQ(adapter->translate_error(1000, "x", deployment()).status, 502);
}

TEST(AnthropicAdapter, ALongErrorTextIsBoundedWithoutCuttingACharacter) {
  const auto adapter = make_anthropic_adapter();
  std::string body = "x";
  for (int i = 0; i < 2000; ++i) body += "\xC3\xA9";  // 'é', two bytes each
  const Failure failure = adapter->translate_error(500, body, deployment());
  EXPECT_LE(failure.message.size(), 2048u);
  EXPECT_GE(failure.message.size(), 2040u);
  EXPECT_EQ(failure.message.size() % 2, 1u);  // "x" and whole 'é's only
}

}  // namespace
}  // namespace sluice::providers::anthropic
