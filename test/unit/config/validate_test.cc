// Semantic rules: one test (at least) per rule, each checking path, line and message.

#include "core/config/validate.h"

#include <gtest/gtest.h>

#include "core/config/defaults.h"
#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using testing::errors_of;
using testing::kMinimal;
using testing::load;
using testing::only_error;

LoadResult load_with(std::string_view extra) {
  return load(std::string(kMinimal) + std::string(extra));
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Validate, AtLeastOneListener) {
  const Diagnostic e = only_error(load("chains:\n  - name: main\n"));
  EXPECT_EQ(e.path, "listeners");
  EXPECT_EQ(e.line, 1);  // nearest known line: the document
  EXPECT_EQ(e.message, "at least one listener is required");
}

TEST(Validate, ListenerPortRequiredAndInRange) {
  const Diagnostic missing =
      only_error(load("listeners:\n"
                      "  - address: 0.0.0.0\n"
                      "chains:\n"
                      "  - name: main\n"));
  EXPECT_EQ(missing.format(), "test.yaml:2: listeners[0].port: port is required (1..65535)");
  const Diagnostic big = only_error(load("listeners:\n  - port: 70000\nchains:\n  - name: m\n"));
  EXPECT_EQ(big.format(), "test.yaml:2: listeners[0].port: port must be 1..65535, got 70000");
  EXPECT_EQ(only_error(load("listeners:\n  - port: 0\nchains:\n  - name: m\n")).message,
            "port is required (1..65535)");
}

TEST(Validate, ListenerAddressMustBeAnIpLiteralOrLocalhost) {
  const Diagnostic e =
      only_error(load("listeners:\n"
                      "  - port: 8080\n"
                      "    address: example.com\n"
                      "chains:\n"
                      "  - name: main\n"));
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.path, "listeners[0].address");
  EXPECT_TRUE(contains(e.message, "'example.com' is not an IPv4 or IPv6 address")) << e.message;
  for (const char* ok : {"localhost", "0.0.0.0", "::1", "::", "10.1.2.3", "fe80::1"}) {
    EXPECT_TRUE(detail::is_valid_address(ok)) << ok;
  }
  for (const char* bad : {"LOCALHOST", "256.1.1.1", "[::1]", "", "1.2.3", "host.local"}) {
    EXPECT_FALSE(detail::is_valid_address(bad)) << bad;
  }
}

TEST(Validate, ListenerNamesUnique) {
  const Diagnostic e =
      only_error(load("listeners:\n"
                      "  - {name: public, port: 8080}\n"
                      "  - {name: public, port: 8081}\n"
                      "chains: [{name: main}]\n"));
  EXPECT_EQ(e.format(),
            "test.yaml:3: listeners[1].name: listener name 'public' is already used by "
            "listeners[0]");
}

TEST(Validate, DefaultListenerNamesDoNotCollide) {
  const LoadResult r = load("listeners: [{port: 8080}, {port: 8081}]\nchains: [{name: main}]\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(1).name(), "listener1");
}

TEST(Validate, TwoListenersOnTheSameAddressAndPort) {
  const Diagnostic e =
      only_error(load("listeners:\n"
                      "  - port: 8080\n"
                      "  - port: 8080\n"
                      "    address: 127.0.0.1\n"
                      "chains: [{name: main}]\n"));
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.path, "listeners[1]");
  EXPECT_TRUE(contains(e.message, "bind the same address and port")) << e.message;
}

TEST(Validate, WildcardOverlapsASpecificAddressOnThePort) {
  EXPECT_EQ(only_error(load("listeners:\n"
                            "  - {port: 8080, address: 0.0.0.0}\n"
                            "  - {port: 8080, address: localhost}\n"
                            "chains: [{name: main}]\n"))
                .path,
            "listeners[1]");
  const LoadResult different_ports = load(
      "listeners:\n"
      "  - {port: 8080, address: 0.0.0.0}\n"
      "  - {port: 8081, address: 0.0.0.0}\n"
      "  - {port: 8080, address: \"::1\"}\n"
      "chains: [{name: main}]\n");
  EXPECT_TRUE(different_ports.config) << errors_of(different_ports);
}

TEST(Validate, AdminPortMustNotCollideWithAListener) {
  const Diagnostic e = only_error(load_with("admin:\n  port: 8080\n"));
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.path, "admin.port");
  EXPECT_TRUE(contains(e.message, "same address and port as listeners[0]")) << e.message;
  // Disabled admin is not bound, so no collision.
  EXPECT_TRUE(load_with("admin:\n  port: 8080\n  disabled: true\n").config);
  // Another address: fine.
  EXPECT_TRUE(load_with("admin:\n  port: 8080\n  address: 127.0.0.2\n").config);
}

TEST(Validate, AdminPortAndAddress) {
  EXPECT_EQ(only_error(load_with("admin:\n  port: 0\n")).format(),
            "test.yaml:6: admin.port: port is required (1..65535)");
  EXPECT_EQ(only_error(load_with("admin:\n  port: 65536\n")).message,
            "port must be 1..65535, got 65536");
  EXPECT_EQ(only_error(load_with("admin:\n  address: admin.internal\n")).path, "admin.address");
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = testing::write_temp_file("cert.pem", "-----BEGIN CERTIFICATE-----\n");
    key_ = testing::write_temp_file("key.pem", "-----BEGIN PRIVATE KEY-----\n");
  }
  LoadResult load_tls(const std::string& tls_lines) {
    return load("listeners:\n  - port: 8443\n    tls:\n" + tls_lines + "chains: [{name: main}]\n");
  }
  std::string cert_, key_;
};

TEST_F(TlsTest, ValidFilesAndDefaultMinVersion) {
  const LoadResult r = load_tls("      cert_file: " + cert_ + "\n      key_file: " + key_ + "\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(0).tls().min_version(), "1.2");
}

TEST_F(TlsTest, BothFilesRequired) {
  const Diagnostic e = only_error(load_tls("      cert_file: " + cert_ + "\n"));
  EXPECT_EQ(e.format(),
            "test.yaml:3: listeners[0].tls.key_file: key_file is required when tls is set");
  const LoadResult none = load_tls("      min_version: \"1.3\"\n");
  ASSERT_EQ(none.errors.size(), 2u) << errors_of(none);
  EXPECT_EQ(none.errors[0].path, "listeners[0].tls.cert_file");
  EXPECT_EQ(none.errors[1].path, "listeners[0].tls.key_file");
}

TEST_F(TlsTest, UnreadableFileIsNamed) {
  const std::string missing = ::testing::TempDir() + "sluice_no_such_cert.pem";
  const Diagnostic e =
      only_error(load_tls("      cert_file: " + missing + "\n      key_file: " + key_ + "\n"));
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.path, "listeners[0].tls.cert_file");
  EXPECT_TRUE(contains(e.message, "cannot read '" + missing + "'")) << e.message;
  const Diagnostic dir = only_error(
      load_tls("      cert_file: " + cert_ + "\n      key_file: " + ::testing::TempDir() + "\n"));
  EXPECT_TRUE(contains(dir.message, "not a regular file")) << dir.message;
}

TEST_F(TlsTest, MinVersion) {
  const Diagnostic e = only_error(load_tls(
      "      cert_file: " + cert_ + "\n      key_file: " + key_ + "\n      min_version: 1.1\n"));
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.message, "min_version must be \"1.2\" or \"1.3\", got '1.1'");
}

TEST(Validate, WorkersAtMost256) {
  EXPECT_EQ(only_error(load_with("workers: 257\n")).format(),
            "test.yaml:5: workers: workers must be at most 256, got 257");
  const LoadResult r = load_with("workers: 256\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.workers(), 256u);
}

TEST(Validate, BusyPollAtMost10000Microseconds) {
  EXPECT_EQ(only_error(load_with("busy_poll_us: 10001\n")).format(),
            "test.yaml:5: busy_poll_us: busy_poll_us must be at most 10000 (10 ms), got 10001");
  for (uint32_t ok : {0u, 1u, 10000u}) {
    const LoadResult r = load_with("busy_poll_us: " + std::to_string(ok) + "\n");
    ASSERT_TRUE(r.config) << errors_of(r);
    EXPECT_EQ(r.config->bootstrap.busy_poll_us(), ok);
  }
}

TEST(Validate, EveryLimitIsRangeChecked) {
  for (const detail::LimitRule& rule : detail::limit_rules()) {
    SCOPED_TRACE(std::string(rule.field));
    const std::string prefix = "limits:\n  " + std::string(rule.field) + ": ";
    for (uint64_t bad : {rule.min - 1, rule.max + 1}) {
      const Diagnostic e = only_error(load_with(prefix + std::to_string(bad) + "\n"));
      EXPECT_EQ(e.line, 6);
      EXPECT_EQ(e.path, "limits." + std::string(rule.field));
      EXPECT_EQ(e.message, std::string(rule.field) + " must be " + std::to_string(rule.min) + ".." +
                               std::to_string(rule.max) + " (" + std::string(rule.range_text) +
                               "), got " + std::to_string(bad));
    }
    for (uint64_t good : {rule.min, rule.max}) {
      const LoadResult r = load_with(prefix + std::to_string(good) + "\n");
      ASSERT_TRUE(r.config) << errors_of(r);
      EXPECT_EQ(detail::get_limit(r.config->bootstrap.limits(), rule.field), good);
    }
  }
}

TEST(Validate, LimitRangesAreTheDocumentedOnes) {
  EXPECT_EQ(detail::limit_rules().size(),
            static_cast<size_t>(v1::Limits::descriptor()->field_count()));
  for (const detail::LimitRule& rule : detail::limit_rules()) {
    EXPECT_NE(v1::Limits::descriptor()->FindFieldByName(std::string(rule.field)), nullptr)
        << rule.field;
  }
  const LoadResult r = load_with(
      "limits:\n"
      "  max_header_bytes: 1023\n"
      "  max_url_bytes: 63\n"
      "  max_response_buffer_bytes: 4095\n"
      "  header_timeout_ms: 86400001\n"
      "  max_body_bytes: 1073741825\n");
  EXPECT_EQ(r.errors.size(), 5u) << errors_of(r);
}

TEST(Validate, LoggingLevel) {
  EXPECT_EQ(only_error(load_with("logging:\n  level: verbose\n")).format(),
            "test.yaml:6: logging.level: level must be one of debug, info, warn, error; got "
            "'verbose'");
  for (const char* level : {"debug", "info", "warn", "error"}) {
    EXPECT_TRUE(load_with("logging:\n  level: " + std::string(level) + "\n").config) << level;
  }
}

TEST(Validate, DrainTimeoutAtMostADay) {
  EXPECT_EQ(only_error(load_with("drain_timeout_ms: 86400001\n")).path, "drain_timeout_ms");
  const LoadResult zero = load_with("drain_timeout_ms: 0\n");
  ASSERT_TRUE(zero.config) << errors_of(zero);
  EXPECT_EQ(zero.config->bootstrap.drain_timeout_ms(), 0u);  // explicit 0: do not wait
}

TEST(Validate, AtLeastOneChain) {
  const Diagnostic e = only_error(load("listeners: [{port: 8080}]\n"));
  EXPECT_EQ(e.path, "chains");
  EXPECT_EQ(e.message, "at least one chain is required");
}

TEST(Validate, ChainNamesRequiredAndUnique) {
  const LoadResult r = load(
      "listeners: [{port: 8080}]\n"
      "chains:\n"
      "  - name: main\n"
      "  - match: {path_prefix: /v1}\n"
      "  - name: main\n");
  ASSERT_EQ(r.errors.size(), 2u) << errors_of(r);
  EXPECT_EQ(r.errors[0].format(), "test.yaml:4: chains[1].name: name is required");
  EXPECT_EQ(r.errors[1].format(),
            "test.yaml:5: chains[2].name: chain name 'main' is already used by chains[0]");
}

TEST(Validate, PathPrefixStartsWithSlash) {
  const Diagnostic e = only_error(load_with("    match:\n      path_prefix: v1/chat\n"));
  EXPECT_EQ(e.format(),
            "test.yaml:6: chains[0].match.path_prefix: path_prefix must start with '/', got "
            "'v1/chat'");
}

TEST(Validate, MethodsAreUpperCaseTokens) {
  const LoadResult r = load_with("    match:\n      methods: [POST, get, \"PO ST\", M-SEARCH]\n");
  ASSERT_EQ(r.errors.size(), 2u) << errors_of(r);
  EXPECT_EQ(r.errors[0].path, "chains[0].match.methods[1]");
  EXPECT_EQ(r.errors[0].line, 6);
  EXPECT_TRUE(contains(r.errors[0].message, "'get' is not an upper-case HTTP method"));
  EXPECT_EQ(r.errors[1].path, "chains[0].match.methods[2]");
}

TEST(Validate, FilterTypeRequiredAndWellFormed) {
  const LoadResult r = load_with(
      "    filters:\n"
      "      - name: x\n"
      "      - type: Direct Response\n"
      "      - type: ok_type.v2-x\n");
  ASSERT_EQ(r.errors.size(), 2u) << errors_of(r);
  EXPECT_EQ(r.errors[0].format(), "test.yaml:6: chains[0].filters[0].type: type is required");
  EXPECT_EQ(r.errors[1].format(),
            "test.yaml:7: chains[0].filters[1].type: type 'Direct Response' may only contain "
            "a-z, 0-9, '_', '.' and '-'");
}

TEST(Validate, FilterInstanceNamesUniqueWithinAChain) {
  const Diagnostic e =
      only_error(load("listeners: [{port: 8080}]\n"
                      "chains:\n"
                      "  - name: a\n"
                      "    filters:\n"
                      "      - type: log\n"
                      "      - type: log\n"
                      "  - name: b\n"
                      "    filters:\n"
                      "      - type: log\n"));
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.path, "chains[0].filters[1].name");
  EXPECT_TRUE(contains(e.message, "filter name 'log' is already used by chains[0].filters[0]"));
  const LoadResult named = load(
      "listeners: [{port: 8080}]\n"
      "chains:\n"
      "  - name: a\n"
      "    filters: [{type: log, name: first}, {type: log, name: second}]\n");
  EXPECT_TRUE(named.config) << errors_of(named);
}

TEST(Validate, ProvidersNamesUniqueAndTypeRequired) {
  const LoadResult r = load_with(
      "providers:\n"
      "  - {name: openai, type: openai}\n"
      "  - {name: openai, type: openai}\n"
      "  - {name: other}\n"
      "  - {type: openai}\n");
  ASSERT_EQ(r.errors.size(), 3u) << errors_of(r);
  EXPECT_EQ(r.errors[0].format(),
            "test.yaml:7: providers[1].name: provider name 'openai' is already used by "
            "providers[0]");
  EXPECT_EQ(r.errors[1].format(),
            "test.yaml:8: providers[2].type: type is required (openai, azure, anthropic, ...)");
  EXPECT_EQ(r.errors[2].format(), "test.yaml:9: providers[3].name: name is required");
}

TEST(Validate, ModelsNamesDeploymentsProvidersWeights) {
  const LoadResult r = load_with(
      "providers:\n"                             // 5
      "  - {name: openai, type: openai}\n"       // 6
      "models:\n"                                // 7
      "  - name: gpt\n"                          // 8
      "    deployments:\n"                       // 9
      "      - provider: opena\n"                // 10
      "      - provider: openai\n"               // 11
      "        weight: 0\n"                      // 12
      "      - model: x\n"                       // 13
      "  - name: gpt\n"                          // 14
      "    deployments: [{provider: nobody}]\n"  // 15
      "  - name: empty\n");                      // 16
  std::vector<std::string> got;
  for (const Diagnostic& e : r.errors) got.push_back(e.format());
  const std::vector<std::string> want = {
      "test.yaml:10: models[0].deployments[0].provider: unknown provider 'opena'; did you mean "
      "'openai'?",
      "test.yaml:12: models[0].deployments[1].weight: weight must be at least 1",
      "test.yaml:13: models[0].deployments[2].provider: provider is required",
      "test.yaml:14: models[1].name: model name 'gpt' is already used by models[0]",
      "test.yaml:15: models[1].deployments[0].provider: unknown provider 'nobody'; defined "
      "providers: openai",
      "test.yaml:16: models[2].deployments: a model needs at least one deployment",
  };
  EXPECT_EQ(got, want);
}

TEST(Validate, StoresNeedTheirConnectionString) {
  EXPECT_EQ(only_error(load_with("stores:\n  sql:\n    postgres: {}\n")).path,
            "stores.sql.postgres.dsn");
  EXPECT_EQ(only_error(load_with("stores:\n  kv:\n    redis: {}\n")).path, "stores.kv.redis.url");
}

TEST(Validate, AllSemanticErrorsAreCollectedInFileOrder) {
  const LoadResult r = load(
      "logging: {level: loud}\n"
      "listeners:\n"
      "  - port: 8080\n"
      "    address: somewhere\n"
      "workers: 1000\n"
      "chains:\n"
      "  - match: {path_prefix: nope}\n");
  std::vector<std::pair<int, std::string>> got;
  for (const Diagnostic& e : r.errors) got.emplace_back(e.line, e.path);
  const std::vector<std::pair<int, std::string>> want = {
      {1, "logging.level"},  {4, "listeners[0].address"},        {5, "workers"},
      {7, "chains[0].name"}, {7, "chains[0].match.path_prefix"},
  };
  EXPECT_EQ(got, want) << errors_of(r);
}

}  // namespace
}  // namespace sluice::config
