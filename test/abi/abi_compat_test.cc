// Permanent ABI compatibility tests (ABI rule 6): what the current host must keep accepting
// (a plugin built against the frozen 1.0 header) and what it must refuse, with messages a
// plugin author can act on. Part of runtime_tests; the fixtures are built in test/abi.

#include <gtest/gtest.h>

#include <sluice/filter.h>

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/runtime/plugin_loader.h"
#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

std::string fixture(std::string_view name) {
  return bin_path("libsluice_abi_" + std::string(name) + ".so");
}

// The 1.0 plugin as a filter entry of a chain.
std::string abi10_entry(std::string_view name, std::string_view value) {
  return fmt::format(
      "      - {{name: {}, type: abi10.header, library: {}, config: {{value: {}}}}}\n", name,
      fixture("v1_0"), value);
}

using AbiCompatTest = RuntimeTest;

TEST_F(AbiCompatTest, PluginBuiltAgainstTheFrozen1_0HeaderLoads) {
  std::string error;
  const FilterType* type = catalog().find("abi10.header", fixture("v1_0"), &error);
  ASSERT_NE(type, nullptr) << error;
  EXPECT_EQ(type->plugin_abi_minor, 0u);
  // Its descriptor ends before the 1.1 hook: the host must read that hook as absent.
  EXPECT_LT(type->hooks.struct_size, sizeof(sluice_filter));
  EXPECT_EQ(type->hooks.on_attempt_done, nullptr);
  EXPECT_FALSE(type->is_router());
}

TEST_F(AbiCompatTest, PluginBuiltAgainstTheFrozen1_0HeaderWorksInAChain) {
  ASSERT_TRUE(use(config_yaml({chain(
      "old", "{path_prefix: /}",
      {abi10_entry("old", "hello"),
       script("b",
              R"(request_header_get: {p: x-abi10-path}, on_request_headers: "reply:200")")})})));
  send("GET", "/v1/x?y=1", "", {});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-b-p"), "/v1/x");  // 1.0 plugin wrote a request header
  EXPECT_EQ(sink_.header("x-abi10"), "hello");  // and response headers
  EXPECT_EQ(sink_.header("x-abi10-path"), "/v1/x");
}

TEST_F(AbiCompatTest, PluginBuiltAgainstTheFrozen1_0HeaderWorksAsAPerAttemptFilter) {
  ASSERT_TRUE(use(config_yaml(
      {chain("old-attempt", "{path_prefix: /}",
             {filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m}]"),
              abi10_entry("old", "per-attempt"),
              filter("test.upstream", "u", R"(url: "http://up/{deployment}")")})})));
  transport_->script({FakeResponse{}});
  send("POST", "/v1/chat", R"({"model":"m"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-abi10"), "per-attempt");
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(*http::find_header(transport_->sent[0].request.headers, "x-abi10-path"), "/v1/chat");
}

TEST_F(AbiCompatTest, NextMajorIsRefusedNamingBothVersions) {
  std::string error;
  EXPECT_EQ(catalog().find("abi.version", fixture("major_next"), &error), nullptr);
  EXPECT_EQ(error, fmt::format("plugin {} was built for sluice filter ABI {}.{}, but this host "
                               "provides ABI {}.{}; rebuild it against this host's "
                               "sluice/filter.h",
                               fixture("major_next"), SLUICE_ABI_MAJOR + 1, SLUICE_ABI_MINOR,
                               SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR));
}

TEST_F(AbiCompatTest, NewerMinorThanTheHostIsRefusedNamingBothVersions) {
  std::string error;
  EXPECT_EQ(catalog().find("abi.version", fixture("minor_next"), &error), nullptr);
  EXPECT_EQ(error, fmt::format("plugin {} was built for sluice filter ABI {}.{}, but this host "
                               "provides ABI {}.{}; rebuild it against this host's "
                               "sluice/filter.h",
                               fixture("minor_next"), SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR + 1,
                               SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR));
  // Refused for good: asking again gives the same answer, not a half-loaded library.
  std::string again;
  EXPECT_EQ(catalog().find("abi.version", fixture("minor_next"), &again), nullptr);
  EXPECT_EQ(again, error);
}

TEST_F(AbiCompatTest, SharedObjectWithoutEntryPointIsRefused) {
  std::string error;
  EXPECT_EQ(catalog().find("anything", fixture("no_entry"), &error), nullptr);
  EXPECT_EQ(error, fixture("no_entry") +
                       " is not a sluice plugin: it exports no "
                       "sluice_plugin_entry");
}

TEST_F(AbiCompatTest, MissingLibraryIsReportedWithThePathAndTheReason) {
  std::string error;
  EXPECT_EQ(catalog().find("x", "/nonexistent/libsluice_nope.so", &error), nullptr);
  EXPECT_TRUE(error.starts_with("cannot load plugin /nonexistent/libsluice_nope.so: ")) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST_F(AbiCompatTest, TypeMissingFromThePluginIsReportedWithWhatItProvides) {
  std::string error;
  EXPECT_EQ(catalog().find("test.nosuch", test_plugin(), &error), nullptr);
  EXPECT_EQ(error, "plugin " + test_plugin() +
                       " has no filter type 'test.nosuch' (it provides: test.script, "
                       "test.router, test.upstream, test.callout, test.passive)");
}

TEST_F(AbiCompatTest, RefusedPluginFailsTheConfigAtItsLibraryLine) {
  std::string yaml = config_yaml(
      {chain("refused", "{path_prefix: /}",
             {script("a"),
              fmt::format("      - name: bad\n        type: abi.version\n        library: {}\n",
                          fixture("major_next"))})});
  Built built = build(yaml);
  EXPECT_EQ(built.runtime, nullptr);
  ASSERT_EQ(built.errors.size(), 1u) << built.errors_text();
  const config::Diagnostic& error = built.errors[0];
  EXPECT_EQ(error.file, "test.yaml");
  EXPECT_EQ(error.path, "chains[0].filters[1].library");
  // Line of "library:" (1-based): count the lines before it.
  size_t at = yaml.find("        library: ");
  int line = 1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + at, '\n'));
  EXPECT_EQ(error.line, line) << yaml;
  EXPECT_NE(error.message.find(fmt::format("ABI {}.{}", SLUICE_ABI_MAJOR + 1, SLUICE_ABI_MINOR)),
            std::string::npos)
      << error.message;
}

}  // namespace
}  // namespace sluice::runtime::testing
