// Compiling chains from a config: matching, router detection, config errors with file:line.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

int line_of(const std::string& yaml, std::string_view needle) {
  size_t at = yaml.find(needle);
  if (at == std::string::npos) return -1;
  return 1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + static_cast<long>(at), '\n'));
}

Chain chain_with(std::string prefix, std::vector<std::string> methods = {}) {
  Chain c;
  c.path_prefix = std::move(prefix);
  c.methods = std::move(methods);
  return c;
}

TEST(ChainMatchTest, PathPrefixMatchesWholeSegments) {
  Chain v1 = chain_with("/v1");
  EXPECT_TRUE(v1.matches("GET", "/v1"));
  EXPECT_TRUE(v1.matches("GET", "/v1/"));
  EXPECT_TRUE(v1.matches("GET", "/v1/chat/completions"));
  EXPECT_FALSE(v1.matches("GET", "/v1x"));
  EXPECT_FALSE(v1.matches("GET", "/v1x/chat"));
  EXPECT_FALSE(v1.matches("GET", "/v"));
  EXPECT_FALSE(v1.matches("GET", "/"));
  EXPECT_FALSE(v1.matches("GET", "/v2/chat"));

  Chain slash = chain_with("/v1/");
  EXPECT_TRUE(slash.matches("GET", "/v1/x"));
  EXPECT_TRUE(slash.matches("GET", "/v1"));
  EXPECT_FALSE(slash.matches("GET", "/v1x"));

  Chain root = chain_with("/");
  EXPECT_TRUE(root.matches("GET", "/"));
  EXPECT_TRUE(root.matches("GET", "/anything/at/all"));
}

TEST(ChainMatchTest, MethodsRestrictTheChain) {
  Chain post = chain_with("/v1", {"POST", "PUT"});
  EXPECT_TRUE(post.matches("POST", "/v1/x"));
  EXPECT_TRUE(post.matches("PUT", "/v1/x"));
  EXPECT_FALSE(post.matches("GET", "/v1/x"));
  EXPECT_FALSE(post.matches("post", "/v1/x"));
  EXPECT_FALSE(post.matches("POST", "/v1x"));
}

using ChainConfigTest = RuntimeTest;

TEST_F(ChainConfigTest, TheFirstMatchingChainAnswers) {
  ASSERT_TRUE(use(config_yaml(
      {chain("v1-post", "{path_prefix: /v1, methods: [POST]}",
             {script("p", R"(on_request_headers: "reply:201")")}),
       chain("v1-any", "{path_prefix: /v1}", {script("q", R"(on_request_headers: "reply:202")")}),
       chain("rest", "{path_prefix: /}", {script("s", R"(on_request_headers: "reply:203")")})})));
  struct Case {
    const char* method;
    const char* path;
    int status;
  };
  for (const Case& c :
       {Case{"POST", "/v1/chat", 201}, Case{"POST", "/v1", 201}, Case{"GET", "/v1/chat", 202},
        Case{"POST", "/v1x", 203}, Case{"POST", "/v1x/chat", 203}, Case{"GET", "/", 203}}) {
    sink_ = FakeSink();
    send(c.method, c.path, "", {});
    EXPECT_EQ(sink_.head.status, c.status) << c.method << " " << c.path;
    finish_exchange();
  }
}

TEST_F(ChainConfigTest, OnlyARouteFilterMakesTheFiltersAfterItPerAttempt) {
  Built built =
      build(config_yaml({chain("plain", "{path_prefix: /plain}", {script("a"), script("b")}),
                         chain("routed", "{path_prefix: /}",
                               {script("a"), filter("test.router", "r", "set_plan: true"),
                                filter("test.upstream", "u"), script("b")})}));
  ASSERT_NE(built.runtime, nullptr) << built.errors_text();
  const auto& chains = built.runtime->chains();
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0]->router_index, Chain::kNoRouter);
  EXPECT_EQ(chains[1]->router_index, 1u);

  std::string error;
  const FilterType* direct = catalog().find("direct_response", "", &error);
  ASSERT_NE(direct, nullptr) << error;
  EXPECT_FALSE(direct->is_router()) << "a plain SDK filter must not be a router";
  for (const char* type : {"test.script", "test.upstream"}) {
    const FilterType* t = catalog().find(type, test_plugin(), &error);
    ASSERT_NE(t, nullptr) << error;
    EXPECT_FALSE(t->is_router()) << type;
    EXPECT_EQ(t->plugin_abi_minor, static_cast<uint32_t>(SLUICE_ABI_MINOR));
  }
  const FilterType* router = catalog().find("test.router", test_plugin(), &error);
  ASSERT_NE(router, nullptr) << error;
  EXPECT_TRUE(router->is_router());
}

TEST_F(ChainConfigTest, BuiltInFilterIsFoundByTypeInThePluginDir) {
  ASSERT_TRUE(use(config_yaml({chain("builtin", "{path_prefix: /}",
                                     {script("a", "trace_header: x-trace"),
                                      "      - type: direct_response\n"
                                      "        config: {status: 503, body: '{\"down\":true}', "
                                      "headers: {retry-after: \"7\"}}\n"})})));
  send("GET", "/health", "", {});
  EXPECT_EQ(sink_.head.status, 503);
  EXPECT_EQ(sink_.body, R"({"down":true})");
  EXPECT_EQ(sink_.header("retry-after"), "7");
  EXPECT_EQ(sink_.header("x-trace"), "a");
}

TEST_F(ChainConfigTest, ConfigRefusedByTheFilterCarriesFileAndLine) {
  std::string yaml = config_yaml({chain("refusing", "{path_prefix: /}",
                                        {script("a"),
                                         "      - name: b\n"
                                         "        type: test.script\n"
                                         "        library: " +
                                             test_plugin() +
                                             "\n"
                                             "        config:\n"
                                             "          refuse: b does not like this\n"})});
  Built built = build(yaml);
  EXPECT_EQ(built.runtime, nullptr);
  ASSERT_EQ(built.errors.size(), 1u) << built.errors_text();
  const config::Diagnostic& error = built.errors[0];
  EXPECT_EQ(error.file, "test.yaml");
  EXPECT_EQ(error.path, "chains[0].filters[1].config");
  EXPECT_EQ(error.message, "filter 'b' (test.script) refused its config: b does not like this");
  int config_line = line_of(yaml, "        config:");
  int first_key_line = line_of(yaml, "          refuse:");
  EXPECT_TRUE(error.line == config_line || error.line == first_key_line)
      << "line " << error.line << ", expected " << config_line << " (or " << first_key_line << ")\n"
      << yaml;
  EXPECT_TRUE(error.format().starts_with("test.yaml:" + std::to_string(error.line) +
                                         ": chains[0].filters[1].config: filter 'b'"))
      << error.format();
}

TEST_F(ChainConfigTest, EveryBadFilterIsReported) {
  std::string yaml = config_yaml(
      {chain("one", "{path_prefix: /one}", {script("a", "on_request_headers: dance")}),
       chain("two", "{path_prefix: /}",
             {script("b"), "      - {name: c, type: nosuch}\n", script("d", "colour: blue")})});
  Built built = build(yaml);
  EXPECT_EQ(built.runtime, nullptr);
  ASSERT_EQ(built.errors.size(), 3u) << built.errors_text();
  EXPECT_EQ(built.errors[0].path, "chains[0].filters[0].config");
  EXPECT_EQ(built.errors[0].message,
            "filter 'a' (test.script) refused its config: bad action for on_request_headers");
  EXPECT_EQ(built.errors[1].path, "chains[1].filters[1].type");
  EXPECT_EQ(built.errors[1].message, "no plugin provides filter type 'nosuch' (looked for " +
                                         bin_path("libnosuch.so") +
                                         "; set `library:` or plugin_dir)");
  EXPECT_EQ(built.errors[1].line, line_of(yaml, "{name: c, type: nosuch}"));
  EXPECT_EQ(built.errors[2].path, "chains[1].filters[2].config");
  EXPECT_EQ(built.errors[2].message,
            "filter 'd' (test.script) refused its config: unknown key 'colour'");
  EXPECT_EQ(built.errors[2].line, line_of(yaml, "{name: d,"));
}

TEST_F(ChainConfigTest, AReloadedConfigServesNewRequestsWhileTheOldOneFinishes) {
  ASSERT_TRUE(
      use(config_yaml({chain("old", "{path_prefix: /}",
                             {script("old-a", R"(on_request_headers: "stop_then_resume:300")"),
                              script("old-b", R"(on_request_headers: "reply:201")")})})));
  start("GET", "/x", "", {});
  run_for(2);
  ASSERT_FALSE(sink_.done);
  // Publish a new config mid-request: the request in flight keeps its chain.
  ASSERT_TRUE(use(config_yaml({chain("new", "{path_prefix: /}",
                                     {script("new-a", R"(on_request_headers: "reply:202")")})})));
  ASSERT_TRUE(run_until_response());
  EXPECT_EQ(sink_.head.status, 201);
  finish_exchange();
  sink_ = FakeSink();
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 202);
}

}  // namespace
}  // namespace sluice::runtime::testing
