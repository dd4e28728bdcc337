// render_yaml / render_json: the effective config, every secret masked; secrets never in errors.

#include "core/config/masking.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using testing::env_of;
using testing::errors_of;
using testing::kMinimal;
using testing::load;
using testing::load_env;
using testing::only_error;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Masking, SensitiveKeys) {
  for (const char* key : {"api_key", "apiKey", "KEY", "client_secret", "access_token", "Password",
                          "passwd", "credentials", "dsn", "Authorization", "x-api-key",
                          "sessionToken", "aws_secret_access_key", "private.key"}) {
    EXPECT_TRUE(detail::is_sensitive_key(key)) << key;
  }
  for (const char* key : {"region", "status", "body", "model", "api_version", "headers",
                          "max_tokens", "maxTokens", "keyword", "monkey", "tokenizer"}) {
    EXPECT_FALSE(detail::is_sensitive_key(key)) << key;
  }
}

constexpr std::string_view kSecrets =
    "listeners: [{port: 8080}]\n"
    "stores:\n"
    "  sql: {postgres: {dsn: \"postgres://user:SECRET03@db/sluice\"}}\n"
    "  kv: {redis: {url: \"redis://:SECRET04@cache:6379\"}}\n"
    "providers:\n"
    "  - name: openai\n"
    "    type: openai\n"
    "    api_key: ${OPENAI_API_KEY}\n"
    "    settings: {region: eu-west-1, aws_secret_access_key: SECRET09, session_token: \"\"}\n"
    "models:\n"
    "  - name: gpt\n"
    "    deployments:\n"
    "      - provider: openai\n"
    "        api_key: SECRET02\n"
    "        params: {temperature: 0.5, x_dsn: SECRET10}\n"
    "chains:\n"
    "  - name: main\n"
    "    filters:\n"
    "      - type: auth\n"
    "        config:\n"
    "          api_key: SECRET05\n"
    "          headers: {Authorization: \"Bearer SECRET06\", Accept: json}\n"
    "          clients: [{id: c1, client_secret: SECRET07}]\n"
    "          password: SECRET08\n"
    "          credential: {nested: SECRET11}\n"
    "          visible: shown\n";

LoadResult load_secrets() {
  return load_env(kSecrets, {{"OPENAI_API_KEY", "SECRET01"}});
}

TEST(Masking, RenderedOutputsContainNoSecret) {
  const LoadResult r = load_secrets();
  ASSERT_TRUE(r.config) << errors_of(r);
  for (const std::string& out : {render_yaml(*r.config), render_json(*r.config)}) {
    EXPECT_FALSE(contains(out, "SECRET")) << out;
    EXPECT_TRUE(contains(out, "<redacted>"));
    EXPECT_TRUE(contains(out, "eu-west-1"));
    EXPECT_TRUE(contains(out, "shown"));
    EXPECT_TRUE(contains(out, "c1"));
    EXPECT_TRUE(contains(out, "json"));
  }
  // The loaded config itself keeps the real values: the runtime needs them.
  EXPECT_EQ(r.config->bootstrap.providers(0).api_key(), "SECRET01");
  EXPECT_TRUE(contains(r.config->filter_config_json[0][0], "SECRET05"));
}

TEST(Masking, ProtoSecretFieldsBecomeRedacted) {
  const LoadResult r = load_secrets();
  ASSERT_TRUE(r.config) << errors_of(r);
  v1::Bootstrap parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(render_json(*r.config), &parsed).ok());
  EXPECT_EQ(parsed.providers(0).api_key(), "<redacted>");
  EXPECT_EQ(parsed.models(0).deployments(0).api_key(), "<redacted>");
  EXPECT_EQ(parsed.stores().sql().postgres().dsn(), "<redacted>");
  EXPECT_EQ(parsed.stores().kv().redis().url(), "<redacted>");
  const auto& settings = parsed.providers(0).settings().fields();
  EXPECT_EQ(settings.at("aws_secret_access_key").string_value(), "<redacted>");
  EXPECT_EQ(settings.at("session_token").string_value(), "");  // empty stays empty
  EXPECT_EQ(settings.at("region").string_value(), "eu-west-1");
  EXPECT_EQ(parsed.models(0).deployments(0).params().fields().at("temperature").number_value(),
            0.5);
  const auto& config = parsed.chains(0).filters(0).config().struct_value().fields();
  EXPECT_EQ(config.at("headers").struct_value().fields().at("Authorization").string_value(),
            "<redacted>");
  EXPECT_EQ(config.at("credential").string_value(), "<redacted>");  // the whole value
  EXPECT_EQ(config.at("clients")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("client_secret")
                .string_value(),
            "<redacted>");
}

TEST(Masking, EmptySecretFieldIsNotMarkedRedacted) {
  const LoadResult r = load(std::string(kMinimal) + "providers: [{name: p, type: openai}]\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_TRUE(contains(render_json(*r.config), "\"api_key\": \"\""));
  EXPECT_FALSE(contains(render_json(*r.config), "<redacted>"));
}

TEST(Masking, ErrorsNeverEchoASecretValue) {
  // The same credential pasted into a non-secret field: the error would quote it; it is scrubbed.
  const LoadResult r = load(std::string(kMinimal) +
                            "providers: [{name: p, type: openai, api_key: sk-live-0123456789}]\n"
                            "drain_timeout_ms: sk-live-0123456789\n");
  const Diagnostic e = only_error(r);
  EXPECT_EQ(e.path, "drain_timeout_ms");
  EXPECT_FALSE(contains(e.format(), "sk-live")) << e.format();
  EXPECT_TRUE(contains(e.message, "<redacted>")) << e.message;
}

TEST(Masking, ErrorAboutASecretFieldDoesNotShowItsValue) {
  const LoadResult r = load(std::string(kMinimal) +
                            "stores: {sql: {postgres: {dsn: [\"postgres://u:pw0rd@h/db\"]}}}\n");
  const Diagnostic e = only_error(r);
  EXPECT_EQ(e.path, "stores.sql.postgres.dsn");
  EXPECT_FALSE(contains(e.format(), "pw0rd")) << e.format();
}

TEST(Render, AmbiguousStringsAreQuotedAndRoundTrip) {
  const LoadResult r = load(std::string(kMinimal) +
                            "providers:\n"
                            "  - name: \"123\"\n"
                            "    type: azure\n"
                            "    settings: {api_version: \"2024\", flag: \"true\", none: \"~\","
                            " num: 2024}\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const std::string yaml = render_yaml(*r.config);
  EXPECT_TRUE(contains(yaml, "api_version: \"2024\"")) << yaml;
  EXPECT_TRUE(contains(yaml, "flag: \"true\"")) << yaml;
  EXPECT_TRUE(contains(yaml, "num: 2024")) << yaml;
  const LoadResult again = load(yaml);
  ASSERT_TRUE(again.config) << errors_of(again) << yaml;
  const auto& settings = again.config->bootstrap.providers(0).settings().fields();
  EXPECT_EQ(settings.at("api_version").string_value(), "2024");
  EXPECT_EQ(settings.at("flag").string_value(), "true");
  EXPECT_EQ(settings.at("none").string_value(), "~");
  EXPECT_EQ(settings.at("num").number_value(), 2024);
  EXPECT_EQ(again.config->bootstrap.providers(0).name(), "123");
}

}  // namespace
}  // namespace sluice::config
