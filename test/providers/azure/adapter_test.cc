// The Azure OpenAI adapter's deployment checks, URL, credentials and secret removal.

#include <gtest/gtest.h>

#include "providers/azure/adapter.h"

namespace sluice::providers::azure {
namespace {

constexpr std::string_view kBody =
    R"({"model":"my-gpt","messages":[{"role":"user","content":"Hi"}]})";

Deployment deployment() {
  Deployment d;
  d.name = "my-gpt#0";
  d.provider_type = "azure";
  d.base_url = "https://contoso.openai.azure.com";
  d.model = "gpt-4o-prod";
  d.api_key = "azure-key-0123456789abcdef";
  d.settings["api_version"] = "2024-10-21";
  return d;
}

std::vector<std::string> header_names(const UpstreamRequest& request) {
  std::vector<std::string> names;
  for (const Header& h : request.headers) names.push_back(h.name);
  return names;
}

TEST(AzureAdapter, AcceptsAKeyOrATokenDeployment) {
  const auto adapter = make_azure_adapter();
  EXPECT_EQ(adapter->check(deployment()), "");
  Deployment token = deployment();
  token.api_key.clear();
  token.settings["azure_ad_token"] = "eyJ0eXAiOiJKV1QifQ.e30.sig";
  EXPECT_EQ(adapter->check(token), "");
}

TEST(AzureAdapter, RefusesBadDeploymentsNamingWhatIsWrong) {
  const auto adapter = make_azure_adapter();
  struct Case {
    std::string_view what;
    void (*edit)(Deployment&);
    std::string_view named;
  };
  const Case cases[] = {
      {"unknown setting", [](Deployment& d) { d.settings["region"] = "eu"; }, "region"},
      {"no api_version", [](Deployment& d) { d.settings.erase("api_version"); }, "api_version"},
      {"api_version breaking the query",
       [](Deployment& d) { d.settings["api_version"] = "2024-10-21&x=1"; }, "api_version"},
      {"no api_base", [](Deployment& d) { d.base_url.clear(); }, "api_base"},
      {"api_base not http", [](Deployment& d) { d.base_url = "contoso.openai.azure.com"; },
       "api_base"},
      {"no deployment name", [](Deployment& d) { d.model.clear(); }, "model"},
      {"no credential", [](Deployment& d) { d.api_key.clear(); }, "api_key"},
      {"empty token", [](Deployment& d) { d.settings["azure_ad_token"] = ""; }, "azure_ad_token"},
      {"token with a line break",
       [](Deployment& d) { d.settings["azure_ad_token"] = "abc\r\nx-evil: 1"; }, "azure_ad_token"},
      {"key with a line break", [](Deployment& d) { d.api_key = "abc\nx"; }, "api_key"},
  };
  for (const Case& c : cases) {
    Deployment d = deployment();
    c.edit(d);
    const std::string problem = adapter->check(d);
    EXPECT_NE(problem.find(c.named), std::string::npos) << c.what << ": " << problem;
    EXPECT_EQ(problem.find("abc"), std::string::npos) << "a credential was echoed: " << problem;
  }
}

TEST(AzureAdapter, SupportsEveryEndpoint) {
  const auto adapter = make_azure_adapter();
  EXPECT_TRUE(adapter->supports(Endpoint::chat_completions));
  EXPECT_TRUE(adapter->supports(Endpoint::completions));
  EXPECT_TRUE(adapter->supports(Endpoint::embeddings));
}

TEST(AzureAdapter, TheTokenWinsOverTheKeyAsABearerHeader) {
  const auto adapter = make_azure_adapter();
  Deployment d = deployment();
  d.settings["azure_ad_token"] = "eyJ0eXAiOiJKV1QifQ.e30.sig";
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(adapter->build_request(Endpoint::chat_completions, kBody, d, &request, &failure));
  EXPECT_EQ(header_names(request), (std::vector<std::string>{"content-type", "authorization"}));
  EXPECT_EQ(request.headers[1].value, "Bearer eyJ0eXAiOiJKV1QifQ.e30.sig");
  EXPECT_EQ(request.auth, Auth::ready);
}

TEST(AzureAdapter, TheDeploymentNameIsOnePathSegment) {
  const auto adapter = make_azure_adapter();
  Deployment d = deployment();
  d.model = "team a/gpt?x";
  d.base_url = "http://localhost:9911/azure";
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(
      adapter->build_request(Endpoint::embeddings, R"({"input":"x"})", d, &request, &failure));
  EXPECT_EQ(request.url,
            "http://localhost:9911/azure/openai/deployments/team%20a%2Fgpt%3Fx/embeddings"
            "?api-version=2024-10-21");
}

TEST(AzureAdapter, TheTokenIsRemovedFromErrorsToo) {
  const auto adapter = make_azure_adapter();
  Deployment d = deployment();
  d.settings["azure_ad_token"] = "eyJ0eXAiOiJKV1QifQ.e30.sig";
  const Failure failure = adapter->translate_error(
      401,
      R"({"error":{"code":"401","message":"token eyJ0eXAiOiJKV1QifQ.e30.sig expired","param":"eyJ0eXAiOiJKV1QifQ.e30.sig"}})",
      d);
  EXPECT_EQ(failure.message, "token [redacted] expired");
  EXPECT_EQ(failure.param, "[redacted]");
  EXPECT_EQ(failure.status, 401);
}

TEST(AzureAdapter, ABodyThatIsNotAJsonObjectIsRefused) {
  const auto adapter = make_azure_adapter();
  for (const std::string& body :
       std::vector<std::string>{"", "null", "{", std::string(100000, '[')}) {
    UpstreamRequest request;
    Failure failure;
    EXPECT_FALSE(
        adapter->build_request(Endpoint::chat_completions, body, deployment(), &request, &failure));
    EXPECT_EQ(failure.status, 400);
    EXPECT_EQ(failure.code, "invalid_json");
  }
}

TEST(AzureAdapter, AStreamEndsWellWithoutDoneOnceAChoiceFinished) {
  const auto adapter = make_azure_adapter();
  auto decoder = adapter->stream_decoder(Endpoint::chat_completions, ResponseContext{});
  std::vector<std::string> chunks;
  Failure failure;
  ASSERT_TRUE(decoder->feed(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
                            &chunks, &failure));
  EXPECT_TRUE(decoder->finish(&chunks, &failure));
  // A failed stream stays failed.
  auto broken = adapter->stream_decoder(Endpoint::chat_completions, ResponseContext{});
  EXPECT_FALSE(broken->feed("nonsense", &chunks, &failure));
  EXPECT_FALSE(broken->feed(R"({"choices":[]})", &chunks, &failure));
  EXPECT_FALSE(broken->finish(&chunks, &failure));
}

}  // namespace
}  // namespace sluice::providers::azure
