// The Mistral adapter's deployment checks, URL and credentials, the endpoints it serves, and
// the tool call ids it gives Mistral.

#include <gtest/gtest.h>

#include <set>

#include <rapidjson/document.h>

#include "providers/mistral/adapter.h"
#include "providers/mistral/translation.h"

namespace sluice::providers::mistral {
namespace {

constexpr std::string_view kBody =
    R"({"model":"my-mistral","messages":[{"role":"user","content":"Hi"}]})";

Deployment deployment() {
  Deployment d;
  d.name = "my-mistral#0";
  d.provider_type = "mistral";
  d.model = "mistral-large-latest";
  d.api_key = "mistral-key-0123456789abcdef";
  return d;
}

TEST(MistralAdapter, AcceptsAKeyedDeploymentWithOrWithoutApiBase) {
  const auto adapter = make_mistral_adapter();
  EXPECT_EQ(adapter->check(deployment()), "");
  Deployment proxied = deployment();
  proxied.base_url = "http://mistral-proxy.internal/v1";
  EXPECT_EQ(adapter->check(proxied), "");
}

TEST(MistralAdapter, RefusesBadDeploymentsNamingWhatIsWrong) {
  const auto adapter = make_mistral_adapter();
  struct Case {
    std::string_view what;
    void (*edit)(Deployment&);
    std::string_view named;
  };
  const Case cases[] = {
      {"unknown setting", [](Deployment& d) { d.settings["api_version"] = "1"; }, "api_version"},
      {"api_base not http", [](Deployment& d) { d.base_url = "api.mistral.ai/v1"; }, "api_base"},
      {"no model", [](Deployment& d) { d.model.clear(); }, "model"},
      {"no key", [](Deployment& d) { d.api_key.clear(); }, "api_key"},
      {"key with a line break", [](Deployment& d) { d.api_key = "abc\r\nx-evil: 1"; }, "api_key"},
  };
  for (const Case& c : cases) {
    Deployment d = deployment();
    c.edit(d);
    const std::string problem = adapter->check(d);
    EXPECT_NE(problem.find(c.named), std::string::npos) << c.what << ": " << problem;
    EXPECT_EQ(problem.find("evil"), std::string::npos) << "the key is never repeated";
  }
}

TEST(MistralAdapter, DefaultsToLaPlateformeAndSendsTheKeyAsBearer) {
  const auto adapter = make_mistral_adapter();
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(
      adapter->build_request(Endpoint::chat_completions, kBody, deployment(), &request, &failure));
  EXPECT_EQ(request.url, "https://api.mistral.ai/v1/chat/completions");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.auth, Auth::ready);
  ASSERT_EQ(request.headers.size(), 2u);
  EXPECT_EQ(request.headers[1].name, "authorization");
  EXPECT_EQ(request.headers[1].value, "Bearer mistral-key-0123456789abcdef");

  Deployment proxied = deployment();
  proxied.base_url = "http://mistral-proxy.internal/v1";
  ASSERT_TRUE(adapter->build_request(Endpoint::embeddings, kBody, proxied, &request, &failure));
  EXPECT_EQ(request.url, "http://mistral-proxy.internal/v1/embeddings");
}

// A tool's parameters nested `levels` deep inside a chat request.
std::string request_with_deep_schema(int levels) {
  std::string schema;
  for (int i = 0; i < levels; ++i) schema += R"({"type":"object","properties":{"a":)";
  schema += R"({"type":"string"})";
  for (int i = 0; i < levels; ++i) schema += "}}";
  return R"({"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function",)"
         R"("function":{"name":"f","parameters":)" +
         schema + "}}]}";
}

TEST(MistralAdapter, ADeepToolSchemaIsSentWholeOrRefusedNeverCutShort) {
  // The request is written back value by value: whatever goes to Mistral must be the whole
  // schema, as valid JSON; what nests too deep to copy is refused before anything is sent.
  const auto adapter = make_mistral_adapter();
  for (int levels : {10, 25, 31, 32, 40, 60, 100}) {
    UpstreamRequest request;
    Failure failure;
    const std::string body = request_with_deep_schema(levels);
    if (adapter->build_request(Endpoint::chat_completions, body, deployment(), &request,
                               &failure)) {
      rapidjson::Document sent;
      sent.Parse(request.body.c_str(), request.body.size());
      ASSERT_FALSE(sent.HasParseError()) << levels << " levels: " << request.body;
      ASSERT_TRUE(sent["tools"][0]["function"].HasMember("parameters")) << levels;
    } else {
      EXPECT_EQ(failure.status, 400) << levels;
    }
  }
  // Shallow schemas, the real ones, always go.
  UpstreamRequest request;
  Failure failure;
  EXPECT_TRUE(adapter->build_request(Endpoint::chat_completions, request_with_deep_schema(10),
                                     deployment(), &request, &failure));
}

TEST(MistralAdapter, ServesChatAndEmbeddingsButNotTextCompletions) {
  const auto adapter = make_mistral_adapter();
  EXPECT_TRUE(adapter->supports(Endpoint::chat_completions));
  EXPECT_TRUE(adapter->supports(Endpoint::embeddings));
  EXPECT_FALSE(adapter->supports(Endpoint::completions));
}

TEST(MistralAdapter, SeedIsSentAsRandomSeedUnlessTheClientSetMistralsOwn) {
  const auto adapter = make_mistral_adapter();
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"model":"m","messages":[],"seed":5})", R"("random_seed":5)"},
      {R"({"model":"m","messages":[],"seed":5,"random_seed":null})", R"("random_seed":5)"},
      {R"({"model":"m","messages":[],"seed":5,"random_seed":6})", R"("random_seed":6)"},
  };
  for (const auto& [body, expected] : cases) {
    UpstreamRequest request;
    Failure failure;
    ASSERT_TRUE(
        adapter->build_request(Endpoint::chat_completions, body, deployment(), &request, &failure));
    EXPECT_NE(request.body.find(expected), std::string::npos) << body << " -> " << request.body;
    EXPECT_EQ(request.body.find("\"seed\""), std::string::npos) << request.body;
  }
}

TEST(MistralToolCallIds, KeepsMistralsOwnAndRewritesOthersToNineLettersAndDigits) {
  EXPECT_EQ(mistral_tool_call_id("D681PevKs"), "D681PevKs");
  std::set<std::string> seen;
  for (const char* id : {"call_Xa81kq0LzB2mT9hYw3", "call_1", "toolu_01A09q90qw90lq917835lq9", "",
                         "D681PevK", "D681PevKs0", "D681-evKs", "é12345678"}) {
    const std::string rewritten = mistral_tool_call_id(id);
    EXPECT_TRUE(is_mistral_tool_call_id(rewritten)) << id << " -> " << rewritten;
    EXPECT_EQ(mistral_tool_call_id(id), rewritten) << "the same id gives the same replacement";
    EXPECT_EQ(mistral_tool_call_id(rewritten), rewritten);
    seen.insert(rewritten);
  }
  EXPECT_EQ(seen.size(), 8u) << "different ids give different replacements";
}

TEST(MistralToolCallIds, ACallAndItsResultStillMatchInTheRequest) {
  const auto adapter = make_mistral_adapter();
  const std::string body =
      R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"call_abc","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_abc","content":"ok"}]})";
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(
      adapter->build_request(Endpoint::chat_completions, body, deployment(), &request, &failure));
  rapidjson::Document sent;
  sent.Parse(request.body.c_str());
  ASSERT_TRUE(sent.IsObject());
  const std::string call_id = sent["messages"][0]["tool_calls"][0]["id"].GetString();
  EXPECT_TRUE(is_mistral_tool_call_id(call_id)) << call_id;
  EXPECT_EQ(std::string(sent["messages"][1]["tool_call_id"].GetString()), call_id);
}

}  // namespace
}  // namespace sluice::providers::mistral
