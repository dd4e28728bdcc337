// Schema errors found by walking the YAML along the Bootstrap descriptor: each with its line and
// path, all of them, in file order.

#include "core/config/schema_check.h"

#include <gtest/gtest.h>

#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using testing::errors_of;
using testing::kMinimal;
using testing::load;
using testing::load_env;
using testing::only_error;

// kMinimal plus `extra`; the first line of `extra` is line 5.
LoadResult load_with(std::string_view extra) {
  return load(std::string(kMinimal) + std::string(extra));
}

TEST(SchemaCheck, UnknownFieldSuggestsTheClosestName) {
  const Diagnostic e =
      only_error(load("listeners:\n"
                      "  - port: 8080\n"
                      "    adress: 0.0.0.0\n"
                      "chains:\n"
                      "  - name: main\n"));
  EXPECT_EQ(e.format(),
            "test.yaml:3: listeners[0].adress: unknown field 'adress'; did you mean 'address'?");
}

TEST(SchemaCheck, UnknownFieldWithoutCloseNameListsAllowedFields) {
  const Diagnostic e = only_error(load_with("admin:\n  color: blue\n"));
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.path, "admin.color");
  EXPECT_EQ(e.message, "unknown field 'color'; allowed fields: disabled, address, port");
}

TEST(SchemaCheck, UnknownTopLevelField) {
  const Diagnostic e = only_error(load_with("listner: {}\n"));
  EXPECT_EQ(e.line, 5);
  EXPECT_EQ(e.path, "listner");
  EXPECT_EQ(e.message, "unknown field 'listner'; did you mean 'listeners'?");
}

TEST(SchemaCheck, StringWhereAMappingIsExpected) {
  const Diagnostic e = only_error(load_with("limits: fast\n"));
  EXPECT_EQ(e.format(), "test.yaml:5: limits: expected a mapping (Limits), got a string");
}

TEST(SchemaCheck, ListWhereAScalarIsExpected) {
  const Diagnostic e = only_error(load_with("workers: [1, 2]\n"));
  EXPECT_EQ(e.format(), "test.yaml:5: workers: expected an integer (uint32), got a list");
}

TEST(SchemaCheck, MappingWhereAStringIsExpected) {
  const Diagnostic e = only_error(load_with("plugin_dir: {a: 1}\n"));
  EXPECT_EQ(e.format(), "test.yaml:5: plugin_dir: expected a string, got a mapping");
}

TEST(SchemaCheck, ScalarWhereAListIsExpected) {
  const Diagnostic e = only_error(load_with("    match:\n      methods: POST\n"));
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.path, "chains[0].match.methods");
  EXPECT_NE(e.message.find("expected a list, got a string"), std::string::npos);
}

TEST(SchemaCheck, NumberOutOfRangeForUint32) {
  const Diagnostic e = only_error(load_with("workers: 5000000000\n"));
  EXPECT_EQ(e.format(),
            "test.yaml:5: workers: 5000000000 is out of range for uint32 (0..4294967295)");
  EXPECT_EQ(only_error(load_with("workers: -1\n")).message,
            "-1 is out of range for uint32 (0..4294967295)");
  EXPECT_EQ(only_error(load_with("workers: 99999999999999999999999\n")).message,
            "99999999999999999999999 is out of range for uint32 (0..4294967295)");
}

TEST(SchemaCheck, NonIntegerForAnIntegerField) {
  EXPECT_EQ(only_error(load_with("drain_timeout_ms: 1.5\n")).message,
            "expected an integer (uint32), got 1.5");
  EXPECT_EQ(only_error(load_with("drain_timeout_ms: soon\n")).message,
            "expected an integer (uint32), got 'soon'");
}

TEST(SchemaCheck, Uint64AcceptsLargeValues) {
  const LoadResult r = load_with("limits:\n  max_body_bytes: 0x40000000\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.limits().max_body_bytes(), 1073741824u);
}

TEST(SchemaCheck, UnknownEnumNameSuggestsTheClosest) {
  const Diagnostic e =
      only_error(load_with("    filters:\n"
                           "      - type: a\n"
                           "        failure_policy: FAILURE_POLICY_OPN\n"));
  EXPECT_EQ(e.line, 7);
  EXPECT_EQ(e.path, "chains[0].filters[0].failure_policy");
  EXPECT_EQ(e.message,
            "unknown FailurePolicy value 'FAILURE_POLICY_OPN'; did you mean "
            "'FAILURE_POLICY_OPEN'?");
  EXPECT_EQ(only_error(load_with("    filters:\n      - type: a\n        failure_policy: open\n"))
                .message,
            "unknown FailurePolicy value 'open'; allowed: FAILURE_POLICY_CLOSED, "
            "FAILURE_POLICY_OPEN");
}

TEST(SchemaCheck, EnumByNameOrNumber) {
  const LoadResult r = load_with(
      "    filters:\n"
      "      - type: a\n"
      "        failure_policy: FAILURE_POLICY_OPEN\n"
      "      - type: b\n"
      "        failure_policy: 1\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.chains(0).filters(0).failure_policy(), v1::FAILURE_POLICY_OPEN);
  EXPECT_EQ(r.config->bootstrap.chains(0).filters(1).failure_policy(), v1::FAILURE_POLICY_OPEN);
  EXPECT_NE(only_error(load_with("    filters:\n      - type: a\n        failure_policy: 7\n"))
                .message.find("unknown FailurePolicy value 7"),
            std::string::npos);
}

TEST(SchemaCheck, BoolFieldRejectsYes) {
  const Diagnostic e = only_error(load_with("admin:\n  disabled: yes\n"));
  EXPECT_EQ(e.format(), "test.yaml:6: admin.disabled: expected true or false, got 'yes'");
}

TEST(SchemaCheck, NumbersAndBoolsAreReadAsTextForStringFields) {
  const std::string cert = testing::write_temp_file("s_cert.pem", "cert");
  const std::string key = testing::write_temp_file("s_key.pem", "key");
  const LoadResult r = load(
      "listeners:\n"
      "  - port: 8443\n"
      "    name: 443\n"
      "    tls:\n"
      "      cert_file: " +
      cert +
      "\n"
      "      key_file: " +
      key +
      "\n"
      "      min_version: 1.3\n"
      "chains:\n"
      "  - name: true\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(0).name(), "443");
  EXPECT_EQ(r.config->bootstrap.listeners(0).tls().min_version(), "1.3");
  EXPECT_EQ(r.config->bootstrap.chains(0).name(), "true");
}

TEST(SchemaCheck, JsonNamesAreAcceptedAndLinesUseProtoNames) {
  const LoadResult r = load_with(
      "providers:\n"
      "  - name: p\n"
      "    type: openai\n"
      "    apiKey: sk-1234\n"
      "    apiBase: https://api.example\n"
      "limits:\n"
      "  maxHeaderBytes: 4096\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.providers(0).api_key(), "sk-1234");
  EXPECT_EQ(r.config->bootstrap.limits().max_header_bytes(), 4096u);
  EXPECT_EQ(r.config->line_of("providers[0].api_key"), 8);
  EXPECT_EQ(r.config->line_of("providers[0].apiKey"), 8);
  EXPECT_EQ(r.config->line_of("limits.max_header_bytes"), 11);
}

TEST(SchemaCheck, SameFieldUnderBothNamesIsAnError) {
  const Diagnostic e =
      only_error(load_with("providers:\n"
                           "  - name: p\n"
                           "    type: openai\n"
                           "    api_base: https://a\n"
                           "    apiBase: https://b\n"));
  EXPECT_EQ(e.line, 9);
  EXPECT_EQ(e.path, "providers[0].api_base");
  EXPECT_EQ(e.message, "field 'api_base' is given twice (as 'api_base' and 'apiBase')");
}

TEST(SchemaCheck, OneofMembersAreExclusive) {
  const Diagnostic e =
      only_error(load_with("stores:\n"
                           "  sql:\n"
                           "    sqlite: {path: a.db}\n"
                           "    postgres: {dsn: \"postgres://u:pw@h/db\"}\n"));
  EXPECT_EQ(e.line, 8);
  EXPECT_EQ(e.path, "stores.sql.postgres");
  EXPECT_EQ(e.message,
            "'sqlite' and 'postgres' are both set; only one of 'sqlite' or 'postgres' may be "
            "given");
  EXPECT_EQ(e.format().find("pw@"), std::string::npos);
}

TEST(SchemaCheck, OpaqueFieldsAcceptAnyJson) {
  const LoadResult r = load(
      "listeners: [{port: 8080}]\n"
      "providers:\n"
      "  - name: p\n"
      "    type: azure\n"
      "    settings: {api_version: \"2024-02-01\", regions: [eu, us], retries: 3, x: null}\n"
      "models:\n"
      "  - name: m\n"
      "    deployments:\n"
      "      - provider: p\n"
      "        params: {temperature: 0.2, stop: [\"\\n\"], nested: {deep: [1, {a: true}]}}\n"
      "chains:\n"
      "  - name: main\n"
      "    filters:\n"
      "      - type: a\n"
      "        config: [1, two, {three: 3}]\n"
      "      - type: b\n"
      "        config: just a string\n"
      "      - type: c\n"
      "        config: {unknown_to_sluice: yes}\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.providers(0).settings().fields().at("retries").number_value(), 3);
  EXPECT_EQ(r.config->filter_config_json[0][0], R"([1,"two",{"three":3}])");
  EXPECT_EQ(r.config->filter_config_json[0][1], R"("just a string")");
  EXPECT_EQ(r.config->line_of("models[0].deployments[0].params.nested.deep[1].a"), 10);
}

TEST(SchemaCheck, StructFieldRejectsAScalar) {
  const Diagnostic e =
      only_error(load_with("providers:\n  - name: p\n    type: t\n    settings: 5\n"));
  EXPECT_EQ(e.format(), "test.yaml:8: providers[0].settings: expected a mapping, got a number");
}

TEST(SchemaCheck, EmptyListItemIsAnError) {
  const Diagnostic e =
      only_error(load("listeners:\n"
                      "  - port: 8080\n"
                      "  - ~\n"
                      "chains:\n"
                      "  - name: main\n"));
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.path, "listeners[1]");
}

TEST(SchemaCheck, RootMustBeAMapping) {
  const Diagnostic e = only_error(load("- a\n- b\n"));
  EXPECT_EQ(e.path, "(root)");
  EXPECT_NE(e.message.find("must be a mapping"), std::string::npos);
}

TEST(SchemaCheck, EveryErrorIsReportedInFileOrder) {
  const LoadResult r = load_env(
      "listeners:\n"                         // 1
      "  - port: eighty\n"                   // 2  not an integer
      "    adress: 0.0.0.0\n"                // 3  unknown field
      "workers: many\n"                      // 4  not an integer
      "chains:\n"                            // 5
      "  - name: main\n"                     // 6
      "    filters:\n"                       // 7
      "      - type: ${FILTER_TYPE}\n"       // 8  unset variable
      "        failure_policy: sometimes\n"  // 9  unknown enum value
      "        config: {a: 1, a: 2}\n"       // 10 duplicate key
      "logging:\n"                           // 11
      "  levle: debug\n",                    // 12 unknown field
      {});
  ASSERT_EQ(r.config, nullptr);
  std::vector<std::pair<int, std::string>> got;
  for (const Diagnostic& e : r.errors) got.emplace_back(e.line, e.path);
  const std::vector<std::pair<int, std::string>> want = {
      {2, "listeners[0].port"},
      {3, "listeners[0].adress"},
      {4, "workers"},
      {8, "chains[0].filters[0].type"},
      {9, "chains[0].filters[0].failure_policy"},
      {10, "chains[0].filters[0].config.a"},
      {12, "logging.levle"},
  };
  EXPECT_EQ(got, want) << errors_of(r);
}

TEST(SchemaCheck, EditDistance) {
  EXPECT_EQ(detail::edit_distance("adress", "address"), 1u);
  EXPECT_EQ(detail::edit_distance("", "abc"), 3u);
  EXPECT_EQ(detail::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(detail::edit_distance("same", "same"), 0u);
}

TEST(SchemaCheck, SecretOptionIsVisibleThroughTheDescriptor) {
  const auto* provider = v1::Provider::descriptor();
  EXPECT_TRUE(detail::is_secret_field(*provider->FindFieldByName("api_key")));
  EXPECT_FALSE(detail::is_secret_field(*provider->FindFieldByName("api_base")));
  EXPECT_TRUE(detail::is_secret_field(*v1::PostgresStore::descriptor()->FindFieldByName("dsn")));
}

}  // namespace
}  // namespace sluice::config
