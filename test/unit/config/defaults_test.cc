// Defaults from the bootstrap.proto comments, and the --host / --port overrides.

#include "core/config/defaults.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using testing::env_of;
using testing::errors_of;
using testing::kMinimal;
using testing::load;
using testing::only_error;
using testing::options_with;

TEST(Defaults, MinimalConfigGetsEveryDefault) {
  const LoadResult r = load(std::string(kMinimal) +
                            "    filters:\n"
                            "      - type: direct_response\n"
                            "providers: [{name: p, type: openai}]\n"
                            "models: [{name: m, deployments: [{provider: p}]}]\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  EXPECT_EQ(b.listeners(0).name(), "listener0");
  EXPECT_EQ(b.listeners(0).address(), "127.0.0.1");
  EXPECT_FALSE(b.listeners(0).has_tls());
  EXPECT_EQ(b.workers(), std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(b.busy_poll_us(), 0u);  // off
  EXPECT_EQ(b.limits().max_header_bytes(), 65536u);
  EXPECT_EQ(b.limits().max_header_count(), 100u);
  EXPECT_EQ(b.limits().max_url_bytes(), 8192u);
  EXPECT_EQ(b.limits().max_body_bytes(), 33554432u);
  EXPECT_EQ(b.limits().header_timeout_ms(), 10000u);
  EXPECT_EQ(b.limits().body_idle_timeout_ms(), 30000u);
  EXPECT_EQ(b.limits().keepalive_idle_timeout_ms(), 60000u);
  EXPECT_EQ(b.limits().max_connections_per_worker(), 10000u);
  EXPECT_EQ(b.limits().max_json_depth(), 64u);
  EXPECT_EQ(b.limits().max_response_buffer_bytes(), 1048576u);
  EXPECT_FALSE(b.admin().disabled());
  EXPECT_EQ(b.admin().address(), "127.0.0.1");
  EXPECT_EQ(b.admin().port(), 9901u);
  EXPECT_EQ(b.plugin_dir(), "");
  EXPECT_EQ(b.drain_timeout_ms(), 30000u);
  EXPECT_EQ(b.logging().level(), "info");
  EXPECT_EQ(b.stores().sql().sqlite().path(), "sluice.db");
  EXPECT_TRUE(b.stores().kv().has_memory());
  EXPECT_EQ(b.chains(0).match().path_prefix(), "/");
  EXPECT_EQ(b.chains(0).match().methods_size(), 0);
  EXPECT_EQ(b.chains(0).filters(0).name(), "direct_response");
  EXPECT_EQ(b.chains(0).filters(0).failure_policy(), v1::FAILURE_POLICY_CLOSED);
  EXPECT_EQ(b.models(0).deployments(0).weight(), 1u);
}

TEST(Defaults, GivenValuesAreKept) {
  const LoadResult r = load(
      "listeners: [{name: pub, address: 0.0.0.0, port: 80}]\n"
      "workers: 3\n"
      "busy_poll_us: 300\n"
      "limits: {max_header_count: 50}\n"
      "admin: {address: \"::1\", port: 9000}\n"
      "plugin_dir: /opt/sluice/plugins\n"
      "drain_timeout_ms: 5000\n"
      "logging: {level: debug}\n"
      "stores: {sql: {sqlite: {path: /var/lib/s.db}}, kv: {redis: {url: \"redis://h:6379\"}}}\n"
      "providers: [{name: p, type: openai}]\n"
      "models: [{name: m, deployments: [{provider: p, weight: 7}]}]\n"
      "chains: [{name: main, match: {path_prefix: /v1}, filters: [{type: t, name: n}]}]\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const v1::Bootstrap& b = r.config->bootstrap;
  EXPECT_EQ(b.listeners(0).name(), "pub");
  EXPECT_EQ(b.listeners(0).address(), "0.0.0.0");
  EXPECT_EQ(b.workers(), 3u);
  EXPECT_EQ(b.busy_poll_us(), 300u);
  EXPECT_EQ(b.limits().max_header_count(), 50u);
  EXPECT_EQ(b.limits().max_header_bytes(), 65536u);  // the others still defaulted
  EXPECT_EQ(b.admin().address(), "::1");
  EXPECT_EQ(b.admin().port(), 9000u);
  EXPECT_EQ(b.plugin_dir(), "/opt/sluice/plugins");
  EXPECT_EQ(b.drain_timeout_ms(), 5000u);
  EXPECT_EQ(b.logging().level(), "debug");
  EXPECT_EQ(b.stores().sql().sqlite().path(), "/var/lib/s.db");
  EXPECT_TRUE(b.stores().kv().has_redis());
  EXPECT_EQ(b.models(0).deployments(0).weight(), 7u);
  EXPECT_EQ(b.chains(0).match().path_prefix(), "/v1");
  EXPECT_EQ(b.chains(0).filters(0).name(), "n");
}

TEST(Defaults, SqliteWithoutPathAndPostgres) {
  const LoadResult sqlite = load(std::string(kMinimal) + "stores: {sql: {sqlite: {}}}\n");
  ASSERT_TRUE(sqlite.config) << errors_of(sqlite);
  EXPECT_EQ(sqlite.config->bootstrap.stores().sql().sqlite().path(), "sluice.db");
  const LoadResult postgres =
      load(std::string(kMinimal) + "stores: {sql: {postgres: {dsn: \"host=db\"}}}\n");
  ASSERT_TRUE(postgres.config) << errors_of(postgres);
  EXPECT_FALSE(postgres.config->bootstrap.stores().sql().has_sqlite());
}

TEST(Defaults, ExplicitZeroIsNotReplacedByTheDefault) {
  const Diagnostic e = only_error(load(std::string(kMinimal) + "limits: {max_json_depth: 0}\n"));
  EXPECT_EQ(e.path, "limits.max_json_depth");
  EXPECT_NE(e.message.find("got 0"), std::string::npos);
}

TEST(Defaults, WorkersZeroMeansOnePerCore) {
  const LoadResult r = load(std::string(kMinimal) + "workers: 0\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_GE(r.config->bootstrap.workers(), 1u);
}

TEST(Overrides, HostAndPortReplaceTheFirstListener) {
  LoadOptions options = options_with(env_of({}));
  options.host = "0.0.0.0";
  options.port = 9999;
  const LoadResult r = load(kMinimal, options);
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(0).address(), "0.0.0.0");
  EXPECT_EQ(r.config->bootstrap.listeners(0).port(), 9999u);
  EXPECT_TRUE(r.config->warnings.empty());
}

TEST(Overrides, PortAloneKeepsTheAddress) {
  LoadOptions options = options_with(env_of({}));
  options.port = 1234;
  const LoadResult r =
      load("listeners: [{port: 80, address: \"::1\"}]\nchains: [{name: m}]\n", options);
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(0).address(), "::1");
  EXPECT_EQ(r.config->bootstrap.listeners(0).port(), 1234u);
}

TEST(Overrides, PortSuppliesAMissingListenerPort) {
  LoadOptions options = options_with(env_of({}));
  options.port = 8000;
  const LoadResult r = load("listeners: [{name: a}]\nchains: [{name: m}]\n", options);
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(0).port(), 8000u);
}

TEST(Overrides, WithSeveralListenersOnlyTheFirstChangesAndAWarningSaysSo) {
  LoadOptions options = options_with(env_of({}));
  options.port = 7000;
  const LoadResult r = load("listeners: [{port: 80}, {port: 81}]\nchains: [{name: m}]\n", options);
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(1).port(), 81u);
  ASSERT_EQ(r.config->warnings.size(), 1u);
  EXPECT_NE(r.config->warnings[0].message.find("--port applies to the first listener only"),
            std::string::npos);
}

TEST(Overrides, NoListenerToOverrideIsAnError) {
  LoadOptions options = options_with(env_of({}));
  options.host = "0.0.0.0";
  const LoadResult r = load("chains: [{name: m}]\n", options);
  ASSERT_EQ(r.config, nullptr);
  ASSERT_EQ(r.errors.size(), 2u) << errors_of(r);
  EXPECT_EQ(r.errors[0].message, "--host was given but the config has no listener to override");
  EXPECT_EQ(r.errors[1].message, "at least one listener is required");
}

TEST(Overrides, InvalidOverrideValuesNameTheFlag) {
  LoadOptions options = options_with(env_of({}));
  options.host = "my-host";
  options.port = 0;
  const LoadResult r = load(kMinimal, options);
  ASSERT_EQ(r.errors.size(), 2u) << errors_of(r);
  EXPECT_EQ(r.errors[0].message, "port is required (1..65535) (set by --port)");
  EXPECT_NE(r.errors[1].message.find("(set by --host)"), std::string::npos);
}

}  // namespace
}  // namespace sluice::config
