// filters/translate with provider type "mistral" through the real runtime: the request is
// rebuilt by providers/mistral (La Plateforme's URL, the key as bearer, OpenAI's parameters in
// Mistral's names) and the answer comes back in OpenAI's terms; a deployment without a key
// anywhere loads and answers 500 naming MISTRAL_API_KEY.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "test/filters/filter_test_support.h"

namespace sluice::filters::testing {
namespace {

constexpr const char* kRegistry = R"(providers:
  - {name: mist, type: mistral, api_key: ms-secret-1234}
  - {name: mist-proxy, type: mistral, api_base: "http://mistral-proxy.test/v1/", api_key: ms-proxy-5678}
  - {name: mist-keyless, type: mistral}
models:
  - name: large
    deployments:
      - {provider: mist, model: mistral-large-latest}
  - name: proxied
    deployments:
      - {provider: mist-proxy, model: mistral-small-latest}
  - name: keyless
    deployments:
      - {provider: mist-keyless, model: mistral-small-latest}
)";

std::string chain_yaml() {
  return gateway(kRegistry, filter_item("route", "backoff_base_ms: 1") + filter_item("translate"));
}

FakeResponse mistral_answer(std::string_view finish_reason) {
  return status_answer(
      200, R"({"id":"cmpl-1","object":"chat.completion","created":1702256327,)"
           R"("model":"mistral-large-latest","choices":[{"index":0,"message":{"role":"assistant",)"
           R"("content":"It was a dark and"},"finish_reason":")" +
               std::string(finish_reason) +
               R"("}],"usage":{"prompt_tokens":16,"completion_tokens":4,"total_tokens":20}})");
}

class MistralTranslateTest : public FilterTest {
 protected:
  void SetUp() override {
    unsetenv("MISTRAL_API_KEY");  // the keyless deployment must find none
    FilterTest::SetUp();
  }
};

TEST_F(MistralTranslateTest, RequestGoesToLaPlateformeInMistralsTerms) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({mistral_answer("model_length")});
  post("/v1/chat/completions",
       R"({"model":"large","messages":[{"role":"user","content":"Tell a story."}],)"
       R"("max_completion_tokens":4,"seed":42,"user":"u-1","tool_choice":"required",)"
       R"("tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]})");
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sent(0).url, "https://api.mistral.ai/v1/chat/completions");
  EXPECT_EQ(sent_header(0, "authorization"), "Bearer ms-secret-1234");
  const std::string& body = sent(0).body;
  EXPECT_EQ(json_at(body, "/model"), "\"mistral-large-latest\"");
  EXPECT_EQ(json_at(body, "/max_tokens"), "4");
  EXPECT_EQ(json_at(body, "/random_seed"), "42");
  EXPECT_EQ(json_at(body, "/tool_choice"), "\"any\"");
  EXPECT_EQ(json_at(body, "/user"), "<absent>");
  EXPECT_EQ(json_at(body, "/max_completion_tokens"), "<absent>");
  // And back in OpenAI's terms, with the client's model name.
  EXPECT_EQ(json_at(sink_.body, "/model"), "\"large\"");
  EXPECT_EQ(json_at(sink_.body, "/choices/0/finish_reason"), "\"length\"");
}

TEST_F(MistralTranslateTest, AnApiBaseOfTheProviderIsUsed) {
  ASSERT_TRUE(use(chain_yaml()));
  transport_->script({mistral_answer("stop")});
  post("/v1/chat/completions",
       R"({"model":"proxied","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  EXPECT_EQ(sent(0).url, "http://mistral-proxy.test/v1/chat/completions");
  EXPECT_EQ(sent_header(0, "authorization"), "Bearer ms-proxy-5678");
}

TEST_F(MistralTranslateTest, WithoutAKeyTheDeploymentAnswers500NamingTheVariable) {
  ASSERT_TRUE(use(chain_yaml()));
  post("/v1/chat/completions",
       R"({"model":"keyless","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_NE(sink_.body.find("MISTRAL_API_KEY"), std::string::npos) << sink_.body;
  EXPECT_TRUE(transport_->sent.empty());
}

TEST_F(MistralTranslateTest, TextCompletionsAreRefusedAndNothingIsSent) {
  ASSERT_TRUE(use(chain_yaml()));
  post("/v1/completions", R"({"model":"large","prompt":"def f():"})");
  EXPECT_EQ(sink_.head.status, 400) << sink_.body;
  EXPECT_TRUE(transport_->sent.empty());
}

}  // namespace
}  // namespace sluice::filters::testing
