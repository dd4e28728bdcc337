// The whole pipeline: a full config through load, render and load again; filter configs and
// their lines; Diagnostic::format; load_file; process_env.

#include "core/config/loader.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "core/config/masking.h"
#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::env_of;
using testing::errors_of;
using testing::kMinimal;
using testing::load;
using testing::only_error;
using testing::options_with;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class FullConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = testing::write_temp_file("full_cert.pem", "cert");
    key_ = testing::write_temp_file("full_key.pem", "key");
    // Every field is set except limits.max_json_depth, admin.address and logging, which show
    // their defaults.
    yaml_ =
        "listeners:\n"            // 1
        "  - name: public\n"      // 2
        "    address: 0.0.0.0\n"  // 3
        "    port: ${PORT}\n"     // 4
        "    tls:\n"              // 5
        "      cert_file: " +
        cert_ +
        "\n"  // 6
        "      key_file: " +
        key_ +
        "\n"                                                            // 7
        "      min_version: 1.3\n"                                      // 8
        "  - name: internal\n"                                          // 9
        "    address: \"::1\"\n"                                        // 10
        "    port: 8081\n"                                              // 11
        "workers: 4\n"                                                  // 12
        "limits:\n"                                                     // 13
        "  max_header_bytes: 32768\n"                                   // 14
        "  max_header_count: 50\n"                                      // 15
        "  max_url_bytes: 4096\n"                                       // 16
        "  max_body_bytes: 1048576\n"                                   // 17
        "  header_timeout_ms: 5000\n"                                   // 18
        "  body_idle_timeout_ms: 6000\n"                                // 19
        "  keepalive_idle_timeout_ms: 7000\n"                           // 20
        "  max_connections_per_worker: 500\n"                           // 21
        "  max_response_buffer_bytes: 65536\n"                          // 22
        "admin:\n"                                                      // 23
        "  disabled: false\n"                                           // 24
        "  port: 9902\n"                                                // 25
        "plugin_dir: /opt/sluice/plugins\n"                             // 26
        "stores:\n"                                                     // 27
        "  sql:\n"                                                      // 28
        "    postgres:\n"                                               // 29
        "      dsn: os.environ/PG_DSN\n"                                // 30
        "  kv:\n"                                                       // 31
        "    redis:\n"                                                  // 32
        "      url: redis://cache:6379/0\n"                             // 33
        "providers:\n"                                                  // 34
        "  - name: azure-eu\n"                                          // 35
        "    type: azure\n"                                             // 36
        "    api_base: https://eu.example.azure.com\n"                  // 37
        "    api_key: ${AZURE_KEY}\n"                                   // 38
        "    settings:\n"                                               // 39
        "      api_version: \"2024-02-01\"\n"                           // 40
        "      regions: [westeurope, northeurope]\n"                    // 41
        "models:\n"                                                     // 42
        "  - name: gpt-4o\n"                                            // 43
        "    deployments:\n"                                            // 44
        "      - provider: azure-eu\n"                                  // 45
        "        model: gpt-4o-2024-08-06\n"                            // 46
        "        weight: 3\n"                                           // 47
        "        rpm: 600\n"                                            // 48
        "        tpm: 100000\n"                                         // 49
        "        api_base: https://eu2.example.azure.com\n"             // 50
        "        api_key: deploy-key-1\n"                               // 51
        "        params: {temperature: 0.2, max_tokens: 256}\n"         // 52
        "chains:\n"                                                     // 53
        "  - name: openai\n"                                            // 54
        "    match:\n"                                                  // 55
        "      path_prefix: /v1\n"                                      // 56
        "      methods: [POST, GET]\n"                                  // 57
        "    filters:\n"                                                // 58
        "      - type: request_log\n"                                   // 59
        "      - name: teapot\n"                                        // 60
        "        type: direct_response\n"                               // 61
        "        library: /opt/sluice/plugins/libdirect_response.so\n"  // 62
        "        failure_policy: FAILURE_POLICY_OPEN\n"                 // 63
        "        config:\n"                                             // 64
        "          status: 418\n"                                       // 65
        "          body: \"I'm a teapot\"\n"                            // 66
        "          headers: {x-tag: \"${TAG:-none}\"}\n"                // 67
        "drain_timeout_ms: 15000\n"                                     // 68
        "busy_poll_us: 250\n";                                          // 69
    env_ = env_of({{"PORT", "8443"},
                   {"AZURE_KEY", "azure-secret-key"},
                   {"PG_DSN", "postgres://u:pg-secret@db/s"}});
  }

  LoadResult load_full() { return load(yaml_, options_with(env_)); }

  std::string cert_, key_, yaml_;
  EnvLookup env_;
};

TEST_F(FullConfig, LoadsEveryField) {
  const LoadResult r = load_full();
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  ASSERT_EQ(b.listeners_size(), 2);
  EXPECT_EQ(b.listeners(0).port(), 8443u);
  EXPECT_EQ(b.listeners(0).tls().cert_file(), cert_);
  EXPECT_EQ(b.listeners(0).tls().min_version(), "1.3");
  EXPECT_EQ(b.listeners(1).address(), "::1");
  EXPECT_EQ(b.workers(), 4u);
  EXPECT_EQ(b.limits().max_body_bytes(), 1048576u);
  EXPECT_EQ(b.limits().max_json_depth(), 64u);  // default
  EXPECT_EQ(b.admin().port(), 9902u);
  EXPECT_EQ(b.admin().address(), "127.0.0.1");  // default
  EXPECT_EQ(b.stores().sql().postgres().dsn(), "postgres://u:pg-secret@db/s");
  EXPECT_EQ(b.stores().kv().redis().url(), "redis://cache:6379/0");
  EXPECT_EQ(b.providers(0).api_key(), "azure-secret-key");
  EXPECT_EQ(b.providers(0).settings().fields().at("regions").list_value().values_size(), 2);
  const v1::Deployment& d = b.models(0).deployments(0);
  EXPECT_EQ(d.weight(), 3u);
  EXPECT_EQ(d.rpm(), 600u);
  EXPECT_EQ(d.tpm(), 100000u);
  EXPECT_EQ(d.api_key(), "deploy-key-1");
  EXPECT_EQ(b.chains(0).match().methods(1), "GET");
  EXPECT_EQ(b.chains(0).filters(0).name(), "request_log");
  EXPECT_EQ(b.chains(0).filters(1).failure_policy(), v1::FAILURE_POLICY_OPEN);
  EXPECT_EQ(b.chains(0).filters(1).config().struct_value().fields().at("status").number_value(),
            418);
  EXPECT_EQ(b.drain_timeout_ms(), 15000u);
  EXPECT_EQ(b.busy_poll_us(), 250u);
  EXPECT_EQ(b.logging().level(), "info");  // default
  EXPECT_TRUE(r.config->warnings.empty());
}

TEST_F(FullConfig, FilterConfigJsonAndLines) {
  const LoadResult r = load_full();
  ASSERT_TRUE(r.config) << errors_of(r);
  const LoadedConfig& c = *r.config;
  ASSERT_EQ(c.filter_config_json.size(), 1u);
  ASSERT_EQ(c.filter_config_json[0].size(), 2u);
  EXPECT_EQ(c.filter_config_json[0][0], "{}");
  EXPECT_EQ(c.filter_config_json[0][1],
            R"({"status":418,"body":"I'm a teapot","headers":{"x-tag":"none"}})");
  EXPECT_EQ(c.line_of("chains[0].filters[1].config"), 64);
  EXPECT_EQ(c.line_of("chains[0].filters[1].config.status"), 65);
  EXPECT_EQ(c.line_of("chains[0].filters[1].config.headers.x-tag"), 67);
  EXPECT_EQ(c.line_of("chains[0].filters[1].config.nope.deeper"), 64);  // nearest ancestor
  EXPECT_EQ(c.line_of("chains[0].filters[0].name"), 59);                // defaulted: its filter
  EXPECT_EQ(c.line_of("listeners[1]"), 9);
  EXPECT_EQ(c.line_of("providers[0].settings.regions[1]"), 41);
  EXPECT_EQ(c.line_of("logging.level"), 1);  // absent: the document
  EXPECT_EQ(c.line_of("(root)"), 1);
  EXPECT_EQ(c.line_of(""), 1);
}

TEST_F(FullConfig, RoundTripsThroughRenderYaml) {
  const LoadResult r = load_full();
  ASSERT_TRUE(r.config) << errors_of(r);
  const std::string yaml = render_yaml(*r.config);
  // Defaults are visible.
  EXPECT_TRUE(contains(yaml, "max_json_depth: 64")) << yaml;
  EXPECT_TRUE(contains(yaml, "level: info")) << yaml;
  EXPECT_TRUE(contains(yaml, "address: 127.0.0.1")) << yaml;
  EXPECT_TRUE(contains(yaml, "name: request_log")) << yaml;
  EXPECT_FALSE(contains(yaml, "azure-secret-key"));
  EXPECT_FALSE(contains(yaml, "pg-secret"));
  EXPECT_FALSE(contains(yaml, "deploy-key-1"));

  const LoadResult again = load(yaml);  // no variables needed: everything is explicit now
  ASSERT_TRUE(again.config) << errors_of(again) << yaml;
  v1::Bootstrap masked = r.config->bootstrap;
  detail::mask_secrets(&masked);
  std::string diff;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(masked, again.config->bootstrap)) << diff;
  EXPECT_EQ(render_yaml(*again.config), yaml);  // stable
}

TEST_F(FullConfig, RenderJsonIsTheMaskedProtoWithDefaults) {
  const LoadResult r = load_full();
  ASSERT_TRUE(r.config) << errors_of(r);
  const std::string json = render_json(*r.config);
  EXPECT_TRUE(contains(json, "\"max_json_depth\": 64")) << json;
  EXPECT_TRUE(contains(json, "\"plugin_dir\": \"/opt/sluice/plugins\"")) << json;
  EXPECT_TRUE(contains(json, "\"failure_policy\": \"FAILURE_POLICY_CLOSED\"")) << json;
  v1::Bootstrap parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
  v1::Bootstrap masked = r.config->bootstrap;
  detail::mask_secrets(&masked);
  EXPECT_TRUE(MessageDifferencer::Equals(masked, parsed));
}

TEST(Loader, MinimalRenderShowsEveryDefault) {
  const LoadResult r = load(kMinimal);
  ASSERT_TRUE(r.config) << errors_of(r);
  const std::string yaml = render_yaml(*r.config);
  for (const char* line :
       {"name: listener0", "address: 127.0.0.1", "port: 8080", "max_header_bytes: 65536",
        "max_body_bytes: 33554432", "port: 9901", "plugin_dir: \"\"", "path: sluice.db",
        "memory: {}", "path_prefix: /", "methods: []", "drain_timeout_ms: 30000", "level: info",
        "disabled: false", "busy_poll_us: 0"}) {
    EXPECT_TRUE(contains(yaml, line)) << line << "\n" << yaml;
  }
}

TEST(Loader, DiagnosticFormat) {
  EXPECT_EQ((Diagnostic{"a.yaml", 12, "chains[0].name", "name is required"}).format(),
            "a.yaml:12: chains[0].name: name is required");
  EXPECT_EQ((Diagnostic{"a.yaml", 0, "(root)", "the config is empty"}).format(),
            "a.yaml: (root): the config is empty");
  EXPECT_EQ((Diagnostic{"a.yaml", 0, "", "x"}).format(), "a.yaml: (root): x");
}

TEST(Loader, LoadFileReadsAndNamesTheFile) {
  const std::string path = testing::write_temp_file("ok.yaml", std::string(kMinimal));
  const LoadResult r = load_file(path, options_with(env_of({})));
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->file, path);

  const std::string bad = testing::write_temp_file("bad.yaml", "listeners:\n  - prt: 1\n");
  const Diagnostic e = only_error(load_file(bad, options_with(env_of({}))));
  EXPECT_EQ(e.format(), bad + ":2: listeners[0].prt: unknown field 'prt'; did you mean 'port'?");
  std::remove(path.c_str());
  std::remove(bad.c_str());
}

TEST(Loader, MissingFileIsAnError) {
  const std::string path = (testing::temp_folder() / "missing.yaml").string();
  const Diagnostic e = only_error(load_file(path));
  EXPECT_EQ(e.file, path);
  EXPECT_EQ(e.line, 0);
  EXPECT_TRUE(contains(e.message, "cannot read the config")) << e.message;
}

TEST(Loader, ProcessEnvReadsTheEnvironment) {
  ::setenv("SLUICE_CONFIG_TEST_PORT", "8123", 1);
  ::unsetenv("SLUICE_CONFIG_TEST_UNSET");
  const EnvLookup env = process_env();
  EXPECT_EQ(env("SLUICE_CONFIG_TEST_PORT"), "8123");
  EXPECT_EQ(env("SLUICE_CONFIG_TEST_UNSET"), std::nullopt);
  const LoadResult r = load_text(
      "listeners: [{port: \"${SLUICE_CONFIG_TEST_PORT}\"}]\n"
      "chains: [{name: m}]\n",
      "env.yaml");  // default options: the process environment
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(0).port(), 8123u);
}

}  // namespace
}  // namespace sluice::config
