// LiteLLM config.yaml -> sluice: model_list into providers and models (deployments, weights,
// rpm/tpm, provider settings, default params), router/litellm settings into the route filter's
// config, os.environ/VAR and environment_variables, --host/--port.

#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using testing::env_of;
using testing::errors_of;
using testing::load;
using testing::load_env;
using testing::options_with;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

std::string json_of(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

const Diagnostic* warning_at(const LoadedConfig& config, std::string_view path) {
  for (const Diagnostic& warning : config.warnings) {
    if (warning.path == path) return &warning;
  }
  return nullptr;
}

TEST(LitellmTranslate, SameModelNameTwiceIsOneModelWithTwoWeightedDeployments) {
  const LoadResult r = load_env(
      "model_list:\n"                                          // 1
      "  - model_name: gpt-4o\n"                               // 2
      "    litellm_params:\n"                                  // 3
      "      model: azure/gpt-4o-eu\n"                         // 4
      "      api_base: https://eu.example.openai.azure.com\n"  // 5
      "      api_key: os.environ/AZURE_KEY\n"                  // 6
      "      api_version: \"2024-08-01-preview\"\n"            // 7
      "      weight: 3\n"                                      // 8
      "  - model_name: gpt-4o\n"                               // 9
      "    litellm_params:\n"                                  // 10
      "      model: openai/gpt-4o\n"                           // 11
      "      api_key: os.environ/OPENAI_KEY\n"                 // 12
      "      weight: 1\n"                                      // 13
      "  - model_name: mini\n"                                 // 14
      "    litellm_params:\n"                                  // 15
      "      model: gpt-4o-mini\n",                            // 16
      {{"AZURE_KEY", "azure-secret-1"}, {"OPENAI_KEY", "openai-secret-2"}});
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  ASSERT_EQ(b.models_size(), 2);
  const v1::Model& gpt = b.models(0);
  EXPECT_EQ(gpt.name(), "gpt-4o");
  ASSERT_EQ(gpt.deployments_size(), 2);
  EXPECT_EQ(gpt.deployments(0).provider(), "azure");
  EXPECT_EQ(gpt.deployments(0).model(), "gpt-4o-eu");
  EXPECT_EQ(gpt.deployments(0).weight(), 3u);
  EXPECT_EQ(gpt.deployments(1).provider(), "openai");
  EXPECT_EQ(gpt.deployments(1).model(), "gpt-4o");
  EXPECT_EQ(gpt.deployments(1).weight(), 1u);
  // No prefix: LiteLLM's default provider; without the other openai entry's api_key it is a
  // provider of its own.
  EXPECT_EQ(b.models(1).deployments(0).provider(), "openai-2");
  EXPECT_EQ(b.models(1).deployments(0).model(), "gpt-4o-mini");

  ASSERT_EQ(b.providers_size(), 3);
  EXPECT_EQ(b.providers(0).name(), "azure");
  EXPECT_EQ(b.providers(0).type(), "azure");
  EXPECT_EQ(b.providers(0).api_base(), "https://eu.example.openai.azure.com");
  EXPECT_EQ(b.providers(0).api_key(), "azure-secret-1");
  EXPECT_EQ(b.providers(0).settings().fields().at("api_version").string_value(),
            "2024-08-01-preview");
  EXPECT_EQ(b.providers(1).name(), "openai");
  EXPECT_EQ(b.providers(1).api_key(), "openai-secret-2");
  EXPECT_EQ(b.providers(2).name(), "openai-2");  // another api_key: another provider
  EXPECT_EQ(b.providers(2).type(), "openai");
  EXPECT_TRUE(b.providers(2).api_key().empty());

  const LoadedConfig& c = *r.config;
  EXPECT_EQ(c.line_of("models[0].deployments[1]"), 9);
  EXPECT_EQ(c.line_of("models[0].deployments[1].weight"), 13);
  EXPECT_EQ(c.line_of("providers[0].api_key"), 6);
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0].format();
}

TEST(LitellmTranslate, ProvidersAreSharedByTypeBaseKeyAndSettings) {
  const LoadResult r = load(
      "model_list:\n"
      "  - model_name: a\n"
      "    litellm_params: {model: bedrock/m1, aws_region_name: us-east-1, aws_role_name: r}\n"
      "  - model_name: b\n"
      "    litellm_params: {model: bedrock/m2, aws_role_name: r, aws_region_name: us-east-1}\n"
      "  - model_name: c\n"
      "    litellm_params: {model: bedrock/m3, aws_region_name: us-west-2}\n"
      "  - model_name: d\n"
      "    litellm_params: {model: bedrock/m4}\n"
      "  - model_name: e\n"
      "    litellm_params: {model: openai/m5, api_base: \"http://127.0.0.1:8000/v1\"}\n"
      "  - model_name: f\n"
      "    litellm_params: {model: openai/m6, base_url: \"http://127.0.0.1:8000/v1\"}\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  ASSERT_EQ(b.providers_size(), 4);
  EXPECT_EQ(b.providers(0).name(), "bedrock");
  EXPECT_EQ(b.providers(0).settings().fields().at("aws_region_name").string_value(), "us-east-1");
  EXPECT_EQ(b.providers(1).name(), "bedrock-2");
  EXPECT_EQ(b.providers(1).settings().fields().at("aws_region_name").string_value(), "us-west-2");
  EXPECT_EQ(b.providers(2).name(), "bedrock-3");
  EXPECT_EQ(b.providers(2).settings().fields_size(), 0);
  EXPECT_EQ(b.providers(3).name(), "openai");
  EXPECT_EQ(b.providers(3).api_base(), "http://127.0.0.1:8000/v1");
  const std::vector<std::string> expected = {"bedrock",   "bedrock", "bedrock-2",
                                             "bedrock-3", "openai",  "openai"};
  for (int m = 0; m < b.models_size(); ++m) {
    EXPECT_EQ(b.models(m).deployments(0).provider(), expected[m]) << b.models(m).name();
  }
}

TEST(LitellmTranslate, BedrockCredentialsGoToSettingsAndAreMasked) {
  const LoadResult r = load_env(
      "model_list:\n"
      "  - model_name: claude\n"
      "    litellm_params:\n"
      "      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0\n"
      "      aws_region_name: eu-central-1\n"
      "      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID\n"
      "      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY\n"
      "      aws_session_token: os.environ/AWS_SESSION_TOKEN\n"
      "      temperature: 0.7\n"
      "      top_k: 1\n"
      "      max_tokens: 512\n",
      {{"AWS_ACCESS_KEY_ID", "AKIASECRETID"},
       {"AWS_SECRET_ACCESS_KEY", "aws-very-secret"},
       {"AWS_SESSION_TOKEN", "aws-session-secret"}});
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Provider& p = r.config->bootstrap.providers(0);
  EXPECT_EQ(p.type(), "bedrock");
  const auto& settings = p.settings().fields();
  EXPECT_EQ(settings.at("aws_region_name").string_value(), "eu-central-1");
  EXPECT_EQ(settings.at("aws_access_key_id").string_value(), "AKIASECRETID");
  EXPECT_EQ(settings.at("aws_secret_access_key").string_value(), "aws-very-secret");
  EXPECT_EQ(settings.at("aws_session_token").string_value(), "aws-session-secret");
  const v1::Deployment& d = r.config->bootstrap.models(0).deployments(0);
  EXPECT_EQ(d.model(), "anthropic.claude-3-5-sonnet-20240620-v1:0");
  EXPECT_EQ(d.params().fields().at("temperature").number_value(), 0.7);
  EXPECT_EQ(d.params().fields().at("top_k").number_value(), 1);
  EXPECT_EQ(d.params().fields().at("max_tokens").number_value(), 512);
  EXPECT_FALSE(d.params().fields().contains("aws_region_name"));

  for (const std::string& out : {render_yaml(*r.config), render_json(*r.config)}) {
    EXPECT_FALSE(contains(out, "SECRET")) << out;
    EXPECT_FALSE(contains(out, "secret\n")) << out;
    EXPECT_FALSE(contains(out, "aws-very-secret")) << out;
    EXPECT_FALSE(contains(out, "aws-session-secret")) << out;
    EXPECT_TRUE(contains(out, "eu-central-1")) << out;
    EXPECT_TRUE(contains(out, "temperature")) << out;
  }
}

TEST(LitellmTranslate, CustomProviderAndRoutePrefixes) {
  const LoadResult r = load(
      "model_list:\n"                                                              // 1
      "  - model_name: local\n"                                                    // 2
      "    litellm_params: {model: my-model, custom_llm_provider: hosted_vllm}\n"  // 3
      "  - model_name: local2\n"                                                   // 4
      "    litellm_params: {model: hosted_vllm/x/y, custom_llm_provider: hosted_vllm}\n"
      "  - model_name: nova\n"                                                // 6
      "    litellm_params: {model: bedrock/invoke/amazon.nova-pro-v1:0}\n");  // 7
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  EXPECT_EQ(b.providers(0).type(), "hosted_vllm");
  EXPECT_EQ(b.models(0).deployments(0).model(), "my-model");
  EXPECT_EQ(b.models(1).deployments(0).model(), "x/y");
  EXPECT_EQ(b.models(2).deployments(0).model(), "amazon.nova-pro-v1:0");
  const Diagnostic* invoke = warning_at(*r.config, "model_list[2].litellm_params.model");
  ASSERT_NE(invoke, nullptr);
  EXPECT_EQ(invoke->line, 7);
  EXPECT_TRUE(contains(invoke->message, "invoke/")) << invoke->message;
}

TEST(LitellmTranslate, FractionalWeightsAreScaledInProportion) {
  const LoadResult r = load(
      "model_list:\n"
      "  - model_name: m\n"
      "    litellm_params: {model: openai/a, weight: 0.75}\n"
      "  - model_name: m\n"
      "    litellm_params: {model: openai/b, weight: 0.25}\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Model& m = r.config->bootstrap.models(0);
  EXPECT_EQ(m.deployments(0).weight(), 3u);
  EXPECT_EQ(m.deployments(1).weight(), 1u);
  ASSERT_EQ(r.config->warnings.size(), 1u);
  EXPECT_TRUE(contains(r.config->warnings[0].message, "same proportions"));
  EXPECT_EQ(r.config->warnings[0].line, 3);
}

TEST(LitellmTranslate, MissingWeightBesideWeightedDeploymentsIsWarned) {
  const LoadResult r = load(
      "model_list:\n"                                       // 1
      "  - model_name: m\n"                                 // 2
      "    litellm_params: {model: openai/a, weight: 4}\n"  // 3
      "  - model_name: m\n"                                 // 4
      "    litellm_params: {model: openai/b}\n");           // 5
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.models(0).deployments(0).weight(), 4u);
  EXPECT_EQ(r.config->bootstrap.models(0).deployments(1).weight(), 1u);
  const Diagnostic* w = warning_at(*r.config, "model_list[1].litellm_params.weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->line, 4);
}

TEST(LitellmTranslate, RpmAndTpmAreLimitsAndShuffleWeights) {
  const LoadResult r = load(
      "model_list:\n"                                                   // 1
      "  - model_name: m\n"                                             // 2
      "    rpm: 900\n"                                                  // 3
      "    litellm_params: {model: openai/a, rpm: 600, tpm: 100000}\n"  // 4
      "  - model_name: m\n"                                             // 5
      "    litellm_params: {model: openai/b, rpm: 300}\n"               // 6
      "    model_info: {tpm: 5000, mode: chat}\n");                     // 7
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Model& m = r.config->bootstrap.models(0);
  // rpm: the entry's own first, then litellm_params', then model_info's.
  EXPECT_EQ(m.deployments(0).rpm(), 900u);
  EXPECT_EQ(m.deployments(0).tpm(), 100000u);
  EXPECT_EQ(m.deployments(1).rpm(), 300u);
  EXPECT_EQ(m.deployments(1).tpm(), 5000u);
  EXPECT_EQ(r.config->line_of("models[0].deployments[0].rpm"), 3);
  EXPECT_EQ(r.config->line_of("models[0].deployments[1].tpm"), 7);
  // No weight: LiteLLM's simple-shuffle weighs by litellm_params.rpm, 600:300.
  EXPECT_EQ(m.deployments(0).weight(), 2u);
  EXPECT_EQ(m.deployments(1).weight(), 1u);
  // model_info's other keys are metadata sluice does not keep.
  const Diagnostic* mode = warning_at(*r.config, "model_list[1].model_info.mode");
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->line, 7);
  EXPECT_EQ(r.config->warnings.size(), 1u);
}

TEST(LitellmTranslate, LitellmOnlyParamsAreWarnedNotSentUpstream) {
  const LoadResult r = load(
      "model_list:\n"                      // 1
      "  - model_name: m\n"                // 2
      "    litellm_params:\n"              // 3
      "      model: anthropic/claude-3\n"  // 4
      "      order: 1\n"                   // 5
      "      timeout: 30\n"                // 6
      "      drop_params: true\n"          // 7
      "      input_cost_per_token: 0.1\n"  // 8
      "      stop: [\"END\"]\n"            // 9
      "      seed: 7\n"                    // 10
      "    tags: [x]\n");                  // 11
  ASSERT_TRUE(r.config) << errors_of(r);
  const auto& params = r.config->bootstrap.models(0).deployments(0).params().fields();
  EXPECT_EQ(params.size(), 2u);
  EXPECT_TRUE(params.contains("stop"));
  EXPECT_TRUE(params.contains("seed"));
  const std::vector<std::pair<std::string, int>> expected = {
      {"model_list[0].litellm_params.order", 5},
      {"model_list[0].litellm_params.timeout", 6},
      {"model_list[0].litellm_params.drop_params", 7},
      {"model_list[0].litellm_params.input_cost_per_token", 8},
      {"model_list[0].tags", 11}};
  ASSERT_EQ(r.config->warnings.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.config->warnings[i].path, expected[i].first);
    EXPECT_EQ(r.config->warnings[i].line, expected[i].second);
    EXPECT_TRUE(contains(r.config->warnings[i].message, "not supported yet, ignored"));
  }
  EXPECT_TRUE(contains(r.config->warnings[0].message, "priority"));
}

TEST(LitellmTranslate, NumRetriesAndTimeoutConfigureTheRouteFilter) {
  const std::string models = "model_list: [{model_name: m, litellm_params: {model: openai/m}}]\n";
  {
    const LoadResult r = load(models +
                              "router_settings:\n"   // 2
                              "  num_retries: 4\n"   // 3
                              "  timeout: 2.5\n"     // 4
                              "litellm_settings:\n"  // 5
                              "  num_retries: 1\n"   // 6
                              "  request_timeout: 600\n");
    ASSERT_TRUE(r.config) << errors_of(r);
    EXPECT_EQ(r.config->filter_config_json[0][1], R"({"num_retries":4,"per_try_timeout_ms":2500})");
    EXPECT_EQ(r.config->line_of("chains[0].filters[1].config.num_retries"), 3);
    EXPECT_EQ(r.config->line_of("chains[0].filters[1].config.per_try_timeout_ms"), 4);
    EXPECT_TRUE(r.config->warnings.empty()) << r.config->warnings[0].format();
  }
  {
    const LoadResult r = load(models + "litellm_settings: {num_retries: 3, request_timeout: 60}\n");
    ASSERT_TRUE(r.config) << errors_of(r);
    EXPECT_EQ(r.config->filter_config_json[0][1],
              R"({"num_retries":3,"per_try_timeout_ms":60000})");
  }
  {
    const LoadResult r = load(models + "router_settings: {num_retries: 25}\n");
    ASSERT_TRUE(r.config) << errors_of(r);
    EXPECT_EQ(r.config->filter_config_json[0][1], R"({"num_retries":10})");
    const Diagnostic* w = warning_at(*r.config, "router_settings.num_retries");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->line, 2);
  }
  {
    const LoadResult r = load(models + "router_settings: {routing_strategy: simple-shuffle}\n");
    ASSERT_TRUE(r.config) << errors_of(r);
    EXPECT_EQ(r.config->filter_config_json[0][1], "{}");
    EXPECT_TRUE(r.config->warnings.empty());  // simple-shuffle is what sluice does
  }
}

TEST(LitellmTranslate, OsEnvironValuesAndEnvironmentVariables) {
  const std::string yaml =
      "environment_variables:\n"                   // 1
      "  GATEWAY_BASE: http://10.0.0.5:8000/v1\n"  // 2
      "model_list:\n"                              // 3
      "  - model_name: m\n"                        // 4
      "    litellm_params:\n"                      // 5
      "      model: openai/m\n"                    // 6
      "      api_base: os.environ/GATEWAY_BASE\n"  // 7
      "      api_key: os.environ/GATEWAY_KEY\n"    // 8
      "      max_tokens: os.environ/MAX_TOKENS\n"  // 9
      "router_settings:\n"                         // 10
      "  num_retries: os.environ/RETRIES\n"        // 11
      "  redis_host: os.environ/REDIS_HOST\n";     // 12
  {
    const LoadResult r = load_env(yaml, {{"GATEWAY_KEY", "gw-secret-key"},
                                         {"MAX_TOKENS", "256"},
                                         {"RETRIES", "5"},
                                         {"GATEWAY_BASE", "http://overridden"}});
    ASSERT_TRUE(r.config) << errors_of(r);
    const v1::Provider& p = r.config->bootstrap.providers(0);
    // LiteLLM puts environment_variables into its environment first: the file's value wins.
    EXPECT_EQ(p.api_base(), "http://10.0.0.5:8000/v1");
    EXPECT_EQ(p.api_key(), "gw-secret-key");
    EXPECT_EQ(r.config->bootstrap.models(0)
                  .deployments(0)
                  .params()
                  .fields()
                  .at("max_tokens")
                  .string_value(),
              "256");
    EXPECT_EQ(r.config->filter_config_json[0][1], R"({"num_retries":5})");
  }
  {
    // Nothing set: no error (LiteLLM resolves these lazily); each value sluice uses is left out
    // with a warning naming the variable; the ignored redis_host's variable is not mentioned.
    const LoadResult r = load(yaml);
    ASSERT_TRUE(r.config) << errors_of(r);
    const v1::Provider& p = r.config->bootstrap.providers(0);
    EXPECT_EQ(p.api_base(), "http://10.0.0.5:8000/v1");
    EXPECT_TRUE(p.api_key().empty());
    EXPECT_FALSE(r.config->bootstrap.models(0).deployments(0).has_params());
    EXPECT_EQ(r.config->filter_config_json[0][1], "{}");
    std::vector<std::string> unset;
    for (const Diagnostic& warning : r.config->warnings) {
      if (contains(warning.message, "is not set")) {
        unset.push_back(std::to_string(warning.line) + " " + warning.path);
      }
      EXPECT_FALSE(contains(warning.message, "REDIS_HOST")) << warning.format();
    }
    EXPECT_EQ(unset, (std::vector<std::string>{"8 model_list[0].litellm_params.api_key",
                                               "9 model_list[0].litellm_params.max_tokens",
                                               "11 router_settings.num_retries"}));
    const Diagnostic* key = warning_at(*r.config, "model_list[0].litellm_params.api_key");
    EXPECT_EQ(key->message,
              "environment variable 'GATEWAY_KEY' is not set (os.environ/GATEWAY_KEY); the value "
              "is left out");
  }
}

TEST(LitellmTranslate, DollarBraceVariablesKeepSluiceRules) {
  const LoadResult r = load(
      "model_list:\n"
      "  - model_name: m\n"
      "    litellm_params: {model: openai/m, api_key: \"${NOPE}\"}\n");
  ASSERT_EQ(r.config, nullptr);
  ASSERT_EQ(r.errors.size(), 1u) << errors_of(r);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_TRUE(contains(r.errors[0].message, "'NOPE' is not set")) << r.errors[0].message;
}

TEST(LitellmTranslate, SluiceFilesStillRequireTheirOsEnvironVariables) {
  const LoadResult r = load(std::string(testing::kMinimal) +
                            "providers: [{name: p, type: openai, api_key: os.environ/NOPE}]\n");
  ASSERT_EQ(r.config, nullptr);
  ASSERT_EQ(r.errors.size(), 1u) << errors_of(r);
  EXPECT_TRUE(contains(r.errors[0].message, "os.environ/NOPE")) << r.errors[0].message;
}

TEST(LitellmTranslate, PortAndHostOverridesApply) {
  LoadOptions options = options_with(env_of({}));
  options.port = 8000;
  options.host = "0.0.0.0";
  const LoadResult r =
      load_text("model_list: [{model_name: m, litellm_params: {model: openai/m}}]\n",
                "litellm.yaml", options);
  ASSERT_TRUE(r.config) << errors_of(r);
  ASSERT_EQ(r.config->bootstrap.listeners_size(), 1);
  EXPECT_EQ(r.config->bootstrap.listeners(0).port(), 8000u);
  EXPECT_EQ(r.config->bootstrap.listeners(0).address(), "0.0.0.0");
  EXPECT_TRUE(contains(render_yaml(*r.config), "port: 8000"));
}

TEST(LitellmTranslate, EmptyModelListLoadsWithAWarning) {
  const LoadResult r = load("model_list: []\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.models_size(), 0);
  ASSERT_EQ(r.config->warnings.size(), 1u);
  EXPECT_EQ(r.config->warnings[0].path, "model_list");
  EXPECT_EQ(r.config->warnings[0].line, 1);
}

TEST(LitellmTranslate, WildcardModelNamesAreSkippedWithAWarning) {
  const LoadResult r = load(
      "model_list:\n"
      "  - model_name: \"*\"\n"
      "    litellm_params: {model: \"openai/*\"}\n"
      "  - model_name: m\n"
      "    litellm_params: {model: openai/m}\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  ASSERT_EQ(r.config->bootstrap.models_size(), 1);
  EXPECT_EQ(r.config->bootstrap.models(0).name(), "m");
  const Diagnostic* w = warning_at(*r.config, "model_list[0].model_name");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->line, 2);
}

TEST(LitellmTranslate, VertexSettingsAndDeploymentAsTheyParse) {
  const LoadResult r = load(
      "model_list:\n"
      "  - model_name: m\n"
      "    litellm_params: {model: vertex_ai/gemini-pro, vertex_project: p1,"
      " vertex_location: us-central1, temperature: 0}\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Provider& p = r.config->bootstrap.providers(0);
  EXPECT_EQ(p.name(), "vertex_ai");
  EXPECT_EQ(p.type(), "vertex_ai");
  ASSERT_EQ(p.settings().fields_size(), 2);  // a map: printed in no particular order
  EXPECT_EQ(p.settings().fields().at("vertex_project").string_value(), "p1");
  EXPECT_EQ(p.settings().fields().at("vertex_location").string_value(), "us-central1");
  // One params member only, so the JSON text is stable.
  EXPECT_EQ(
      json_of(r.config->bootstrap.models(0).deployments(0)),
      R"({"provider":"vertex_ai","model":"gemini-pro","weight":1,"params":{"temperature":0}})");
}

TEST(LitellmTranslate, ImageFetchSettingsGoToTheProviderNotIntoRequests) {
  const LoadResult r = load(
      "model_list:\n"
      "  - model_name: claude\n"
      "    litellm_params:\n"
      "      model: anthropic/claude-3-5-sonnet-20241022\n"
      "      fetch_image_urls: true\n"
      "      image_fetch_max_bytes: 1048576\n"
      "      image_fetch_timeout_ms: 2000\n"
      "      image_fetch_allow_private: false\n"
      "      temperature: 0.5\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const auto& settings = r.config->bootstrap.providers(0).settings().fields();
  EXPECT_TRUE(settings.at("fetch_image_urls").bool_value());
  EXPECT_EQ(settings.at("image_fetch_max_bytes").number_value(), 1048576);
  EXPECT_EQ(settings.at("image_fetch_timeout_ms").number_value(), 2000);
  EXPECT_FALSE(settings.at("image_fetch_allow_private").bool_value());
  const auto& params = r.config->bootstrap.models(0).deployments(0).params().fields();
  EXPECT_EQ(params.size(), 1u);  // temperature only
  EXPECT_TRUE(params.contains("temperature"));
  EXPECT_TRUE(r.config->warnings.empty()) << r.config->warnings[0].format();
}

}  // namespace
}  // namespace sluice::config
