// The real LiteLLM config.yaml files users bring: AWS's "Multi-Provider Generative AI Gateway"
// guidance (the single-file default, and the current base + us-east-1 split). The files under
// data/litellm/ are byte-for-byte copies of shared/litellm-configs/ (see data/litellm/README.md),
// so the tests do not depend on where ../shared is. They must load with no environment at all.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/config/masking.h"
#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using testing::env_of;
using testing::errors_of;
using testing::options_with;

std::string data_file(const std::string& name) {
  // From the source tree given at build time: __FILE__ may be relative to the build folder
  // (ccache rewrites paths under its base dir), and tests run from another folder.
  return (std::filesystem::path(SLUICE_SOURCE_DIR) / "test" / "unit" / "config" / "data" /
          "litellm" / name)
      .string();
}

LoadResult load_shared(const std::string& name) {
  return load_file(data_file(name), options_with(env_of({})));  // no variable set at all
}

const v1::Model* find_model(const v1::Bootstrap& b, std::string_view name) {
  for (const v1::Model& model : b.models()) {
    if (model.name() == name) return &model;
  }
  return nullptr;
}

const v1::Provider* find_provider(const v1::Bootstrap& b, std::string_view name) {
  for (const v1::Provider& provider : b.providers()) {
    if (provider.name() == name) return &provider;
  }
  return nullptr;
}

int deployment_count(const v1::Bootstrap& b) {
  int count = 0;
  for (const v1::Model& model : b.models()) count += model.deployments_size();
  return count;
}

std::vector<std::string> provider_names(const v1::Bootstrap& b) {
  std::vector<std::string> names;
  for (const v1::Provider& provider : b.providers()) names.push_back(provider.name());
  return names;
}

const Diagnostic* find_warning(const LoadedConfig& config, std::string_view path) {
  for (const Diagnostic& warning : config.warnings) {
    if (warning.path == path) return &warning;
  }
  return nullptr;
}

// The chain every LiteLLM file becomes.
void expect_litellm_chain(const LoadedConfig& config) {
  const v1::Bootstrap& b = config.bootstrap;
  ASSERT_EQ(b.listeners_size(), 1);
  EXPECT_EQ(b.listeners(0).address(), "127.0.0.1");
  EXPECT_EQ(b.listeners(0).port(), 4000u);
  EXPECT_EQ(b.admin().port(), 9901u);
  ASSERT_EQ(b.chains_size(), 1);
  EXPECT_EQ(b.chains(0).name(), "litellm");
  EXPECT_EQ(b.chains(0).match().path_prefix(), "/");
  ASSERT_EQ(b.chains(0).filters_size(), 3);
  EXPECT_EQ(b.chains(0).filters(0).type(), "log");
  EXPECT_EQ(b.chains(0).filters(1).type(), "route");
  EXPECT_EQ(b.chains(0).filters(2).type(), "translate");
  EXPECT_EQ(config.filter_config_json[0][1], "{}");  // no num_retries in these files
  EXPECT_TRUE(config.litellm.translated);
  EXPECT_TRUE(config.litellm.master_key.empty());
}

TEST(LitellmSharedConfigs, DefaultConfigLoads) {
  const LoadResult r = load_shared("aws-guidance-default-config.yaml");
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  expect_litellm_chain(*r.config);
  EXPECT_EQ(b.models_size(), 125);
  EXPECT_EQ(deployment_count(b), 125);
  EXPECT_EQ(
      provider_names(b),
      (std::vector<std::string>{"bedrock", "openai", "gemini", "anthropic", "mistral",
                                "text-completion-codestral", "cohere", "huggingface", "nvidia_nim",
                                "xai", "perplexity", "groq", "github", "deepseek", "ai21"}));

  // Bedrock: the provider type, no region in the file (taken from the environment at run time,
  // as LiteLLM does), model ids with ':' kept whole.
  const v1::Provider* bedrock = find_provider(b, "bedrock");
  ASSERT_NE(bedrock, nullptr);
  EXPECT_EQ(bedrock->type(), "bedrock");
  EXPECT_FALSE(bedrock->settings().fields().contains("aws_region_name"));
  EXPECT_TRUE(bedrock->api_key().empty());
  const v1::Model* sonnet = find_model(b, "anthropic.claude-3-5-sonnet-20240620-v1:0");
  ASSERT_NE(sonnet, nullptr);
  ASSERT_EQ(sonnet->deployments_size(), 1);
  EXPECT_EQ(sonnet->deployments(0).provider(), "bedrock");
  EXPECT_EQ(sonnet->deployments(0).model(), "anthropic.claude-3-5-sonnet-20240620-v1:0");
  EXPECT_EQ(sonnet->deployments(0).weight(), 1u);
  const v1::Model* premier = find_model(b, "amazon.titan-text-premier-v1");
  ASSERT_NE(premier, nullptr);
  EXPECT_EQ(premier->deployments(0).model(), "amazon.titan-text-premier-v1:0");

  // Only the first '/' separates the provider; model names may contain '/'; trailing blanks of
  // a plain scalar are not part of the name.
  const v1::Model* llama = find_model(b, "meta-llama/Llama-3.2-1B");
  ASSERT_NE(llama, nullptr);
  EXPECT_EQ(llama->deployments(0).provider(), "huggingface");
  EXPECT_EQ(llama->deployments(0).model(), "meta-llama/Llama-3.2-1B");
  const v1::Model* nim = find_model(b, "nvidia/nemotron-4-340b-reward");
  ASSERT_NE(nim, nullptr);
  EXPECT_EQ(nim->deployments(0).model(), "nvidia/nemotron-4-340b-reward");
  ASSERT_NE(find_model(b, "github/llama-3.1-8b-instant"), nullptr);
  const v1::Model* codestral = find_model(b, "text-completion-codestral/codestral-latest");
  ASSERT_NE(codestral, nullptr);
  EXPECT_EQ(codestral->deployments(0).provider(), "text-completion-codestral");
  EXPECT_EQ(codestral->deployments(0).model(), "codestral-latest");
  const v1::Model* pplx = find_model(b, "pplx-7b-chat");  // quoted in the file
  ASSERT_NE(pplx, nullptr);
  EXPECT_EQ(pplx->deployments(0).provider(), "perplexity");

  // Lines point into the LiteLLM file.
  const LoadedConfig& c = *r.config;
  EXPECT_EQ(c.line_of("models[0]"), 17);
  EXPECT_EQ(c.line_of("models[0].deployments[0].model"), 21);
  EXPECT_EQ(c.line_of("providers[0]"), 20);
}

TEST(LitellmSharedConfigs, DefaultConfigWarnsAboutEveryIgnoredSetting) {
  const LoadResult r = load_shared("aws-guidance-default-config.yaml");
  ASSERT_TRUE(r.config) << errors_of(r);
  const LoadedConfig& c = *r.config;
  const std::vector<std::pair<std::string, int>> expected = {
      {"router_settings.routing_strategy", 741},
      {"router_settings.redis_host", 742},
      {"router_settings.redis_port", 743},
      {"router_settings.redis_password", 744},
      {"router_settings.enable_pre_call_check", 745},
      {"environment_variables", 750},
      {"litellm_settings.cache", 755},
      {"litellm_settings.debug", 756},
      {"litellm_settings.detailed_debug", 757},
      {"litellm_settings.cache_params", 758},
      {"litellm_settings.max_budget", 764},
      {"litellm_settings.budget_duration", 765},
      {"litellm_settings.max_internal_user_budget", 767},
      {"litellm_settings.internal_user_budget_duration", 768},
      {"litellm_settings.success_callback", 770},
      {"litellm_settings.failure_callback", 771},
      {"litellm_settings.service_callback", 772},
      {"litellm_settings.s3_callback_params", 773},
  };
  ASSERT_EQ(c.warnings.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(c.warnings[i].path, expected[i].first);
    EXPECT_EQ(c.warnings[i].line, expected[i].second) << expected[i].first;
    EXPECT_EQ(c.warnings[i].file, data_file("aws-guidance-default-config.yaml"));
  }
  EXPECT_EQ(find_warning(c, "litellm_settings.cache")->format(),
            data_file("aws-guidance-default-config.yaml") +
                ":755: litellm_settings.cache: not supported yet, ignored (response caching)");
  EXPECT_NE(
      find_warning(c, "router_settings.routing_strategy")->message.find("usage-based-routing-v2"),
      std::string::npos);
  // REDIS_HOST & co. are unset, but only ignored settings use them: no warning names them.
  for (const Diagnostic& warning : c.warnings) {
    EXPECT_EQ(warning.message.find("REDIS"), std::string::npos) << warning.format();
  }
}

TEST(LitellmSharedConfigs, BaseConfigLoads) {
  const LoadResult r = load_shared("aws-guidance-default-config-base.yaml");
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  expect_litellm_chain(*r.config);
  EXPECT_EQ(b.models_size(), 87);
  EXPECT_EQ(deployment_count(b), 87);
  EXPECT_EQ(b.providers_size(), 14);
  EXPECT_EQ(find_provider(b, "bedrock"), nullptr);
  const v1::Model* gpt4o = find_model(b, "gpt-4o");
  ASSERT_NE(gpt4o, nullptr);
  EXPECT_EQ(gpt4o->deployments(0).provider(), "openai");
  EXPECT_EQ(gpt4o->deployments(0).model(), "gpt-4o");
  EXPECT_EQ(r.config->warnings.size(), 18u);  // the same settings as the default config
  ASSERT_NE(find_warning(*r.config, "litellm_settings.cache"), nullptr);
  EXPECT_EQ(find_warning(*r.config, "litellm_settings.cache")->line, 407);
}

TEST(LitellmSharedConfigs, UsEast1ConfigLoads) {
  const LoadResult r = load_shared("aws-guidance-default-config-us-east-1.yaml");
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  expect_litellm_chain(*r.config);
  EXPECT_EQ(b.models_size(), 48);
  EXPECT_EQ(deployment_count(b), 48);
  ASSERT_EQ(b.providers_size(), 1);  // bedrock/converse/... is the same provider
  EXPECT_EQ(b.providers(0).name(), "bedrock");
  EXPECT_EQ(b.providers(0).type(), "bedrock");

  // LiteLLM's converse/ route prefix is not part of the Bedrock model id.
  const v1::Model* sonnet37 = find_model(b, "us.anthropic.claude-3-7-sonnet-20250219-v1:0");
  ASSERT_NE(sonnet37, nullptr);
  EXPECT_EQ(sonnet37->deployments(0).model(), "us.anthropic.claude-3-7-sonnet-20250219-v1:0");
  const v1::Model* jamba = find_model(b, "ai21.jamba-1-5-large-v1:0");
  ASSERT_NE(jamba, nullptr);
  EXPECT_EQ(jamba->deployments(0).model(), "ai21.jamba-1-5-large-v1:0");

  // drop_params is LiteLLM's own switch: warned about, never sent as a request parameter.
  const v1::Model* embed = find_model(b, "amazon.titan-embed-text-v1");
  ASSERT_NE(embed, nullptr);
  EXPECT_FALSE(embed->deployments(0).has_params());
  std::vector<int> lines;
  for (const Diagnostic& warning : r.config->warnings) {
    EXPECT_NE(warning.path.find(".litellm_params.drop_params"), std::string::npos);
    lines.push_back(warning.line);
  }
  EXPECT_EQ(lines, (std::vector<int>{54, 59, 64, 101}));
  EXPECT_EQ(r.config->warnings[0].path, "model_list[12].litellm_params.drop_params");
}

// print-config's output is itself a valid sluice file that loads to the same configuration.
TEST(LitellmSharedConfigs, PrintConfigOutputLoadsAsSluiceConfig) {
  for (const char* name :
       {"aws-guidance-default-config.yaml", "aws-guidance-default-config-base.yaml",
        "aws-guidance-default-config-us-east-1.yaml"}) {
    const LoadResult r = load_shared(name);
    ASSERT_TRUE(r.config) << errors_of(r);
    const std::string yaml = render_yaml(*r.config);
    EXPECT_EQ(yaml.rfind("# Translated from the LiteLLM config ", 0), 0u) << yaml.substr(0, 200);
    const LoadResult again = testing::load(yaml);
    ASSERT_TRUE(again.config) << name << "\n" << errors_of(again);
    EXPECT_FALSE(again.config->litellm.translated);
    v1::Bootstrap masked = r.config->bootstrap;
    detail::mask_secrets(&masked);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(masked, again.config->bootstrap))
        << name;
  }
}

}  // namespace
}  // namespace sluice::config
