// ${VAR} / ${VAR:-default} / $${ / os.environ/VAR expansion, alone and through the loader.

#include "core/config/env_expand.h"

#include <gtest/gtest.h>

#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using testing::env_of;
using testing::errors_of;
using testing::kMinimal;
using testing::load_env;
using testing::only_error;

detail::Expansion expand(std::string_view text) {
  static const EnvLookup env = env_of({{"HOST", "example.org"}, {"EMPTY", ""}, {"B", "bee"}});
  return detail::expand_variables(text, env);
}

TEST(EnvExpand, TextWithoutVariablesIsUntouched) {
  for (const char* text : {"plain", "$HOME", "a$b", "cost: $5", "{x}", "$"}) {
    const detail::Expansion e = expand(text);
    EXPECT_FALSE(e.expanded) << text;
    EXPECT_EQ(e.value, text);
    EXPECT_TRUE(e.errors.empty());
  }
}

TEST(EnvExpand, SetVariable) {
  const detail::Expansion e = expand("https://${HOST}:443/v1");
  EXPECT_TRUE(e.expanded);
  EXPECT_EQ(e.value, "https://example.org:443/v1");
  EXPECT_TRUE(e.errors.empty());
}

TEST(EnvExpand, DefaultUsedWhenUnsetOrEmpty) {
  EXPECT_EQ(expand("${NOPE:-fallback}").value, "fallback");
  EXPECT_EQ(expand("${EMPTY:-fallback}").value, "fallback");
  EXPECT_EQ(expand("${HOST:-fallback}").value, "example.org");
  EXPECT_EQ(expand("[${NOPE:-}]").value, "[]");
  EXPECT_EQ(expand("${NOPE:-${B}}").value, "bee");  // the default is expanded too
  EXPECT_EQ(expand("${EMPTY}").value, "");          // set but empty, no default: empty
}

TEST(EnvExpand, DoubleDollarEscapesALiteralDollarBrace) {
  const detail::Expansion e = expand("$${HOST} and ${HOST}");
  EXPECT_TRUE(e.expanded);
  EXPECT_EQ(e.value, "${HOST} and example.org");
  EXPECT_TRUE(e.errors.empty());
}

TEST(EnvExpand, OsEnvironForm) {
  EXPECT_EQ(expand("os.environ/HOST").value, "example.org");
  const detail::Expansion missing = expand("os.environ/OPENAI_API_KEY");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_NE(missing.errors[0].find("'OPENAI_API_KEY' is not set"), std::string::npos);
  // Only as the whole scalar.
  EXPECT_FALSE(expand("see os.environ/HOST").expanded);
}

TEST(EnvExpand, MissingVariableNamesIt) {
  const detail::Expansion e = expand("${A_MISSING} ${B} ${C_MISSING}");
  ASSERT_EQ(e.errors.size(), 2u);
  EXPECT_NE(e.errors[0].find("'A_MISSING'"), std::string::npos);
  EXPECT_NE(e.errors[1].find("'C_MISSING'"), std::string::npos);
}

TEST(EnvExpand, MalformedReferences) {
  EXPECT_NE(expand("${HOST").errors.at(0).find("unterminated"), std::string::npos);
  EXPECT_NE(expand("${1X}").errors.at(0).find("invalid variable name '1X'"), std::string::npos);
  EXPECT_NE(expand("${}").errors.at(0).find("invalid variable name"), std::string::npos);
}

TEST(EnvExpandLoader, MissingVariableIsAnErrorWithLineAndPath) {
  const Diagnostic e =
      only_error(load_env(std::string(kMinimal) + "providers:\n"
                                                  "  - name: openai\n"
                                                  "    type: openai\n"
                                                  "    api_key: ${OPENAI_API_KEY}\n",
                          {}));
  EXPECT_EQ(e.line, 8);
  EXPECT_EQ(e.path, "providers[0].api_key");
  EXPECT_NE(e.message.find("environment variable 'OPENAI_API_KEY' is not set"), std::string::npos);
}

TEST(EnvExpandLoader, PortFromVariableBecomesAnInteger) {
  const LoadResult r = load_env(
      "listeners:\n"
      "  - port: ${PORT}\n"
      "    address: ${HOST:-0.0.0.0}\n"
      "chains:\n"
      "  - name: main\n",
      {{"PORT", "9090"}});
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->bootstrap.listeners(0).port(), 9090u);
  EXPECT_EQ(r.config->bootstrap.listeners(0).address(), "0.0.0.0");
}

TEST(EnvExpandLoader, NonNumericPortFromVariableIsAnErrorThatDoesNotEchoTheValue) {
  const Diagnostic e =
      only_error(load_env("listeners:\n"
                          "  - port: ${PORT}\n"
                          "chains:\n"
                          "  - name: main\n",
                          {{"PORT", "sk-live-abcdef"}}));
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.path, "listeners[0].port");
  EXPECT_NE(e.message.find("expected an integer"), std::string::npos);
  EXPECT_EQ(e.format().find("sk-live"), std::string::npos) << e.format();
}

TEST(EnvExpandLoader, BoolFromVariable) {
  const LoadResult r = load_env(std::string(kMinimal) + "admin:\n  disabled: ${ADMIN_OFF}\n",
                                {{"ADMIN_OFF", "true"}});
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_TRUE(r.config->bootstrap.admin().disabled());
}

TEST(EnvExpandLoader, ExpandedValuesAreStringsInOpaqueConfig) {
  const LoadResult r = load_env(std::string(kMinimal) +
                                    "    filters:\n"
                                    "      - type: direct_response\n"
                                    "        config:\n"
                                    "          status: ${CODE}\n"
                                    "          plain: 201\n"
                                    "          literal: $${CODE}\n"
                                    "          key: os.environ/KEY\n",
                                {{"CODE", "201"}, {"KEY", "k"}});
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_EQ(r.config->filter_config_json[0][0],
            R"({"status":"201","plain":201,"literal":"${CODE}","key":"k"})");
}

}  // namespace
}  // namespace sluice::config
