// The `sluice` command line end to end: validate (errors with FILE:LINE, plugin ABI refusal,
// filter config refusal), print-config (secrets masked, ${VAR} errors), version and --help.

#include <sluice/filter.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/integration/harness.h"

namespace sluice::it {
namespace {

// Numbers each line from 1, for readable failure messages.
std::string numbered(const std::string& text) {
  std::string out;
  int line = 1;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out += std::to_string(line++) + "| " + text.substr(pos, end - pos) + "\n";
    pos = end + 1;
  }
  return out;
}

class CliTest : public ::testing::Test {
 protected:
  std::string write(const std::string& yaml) { return dir_.write("config.yaml", yaml); }
  TempDir dir_;
};

std::string abi_text(int major, int minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// ---- validate: line numbers ------------------------------------------------------------------

constexpr const char* kUnknownFieldAtLine5 =
    "listeners:\n"                      // 1
    "  - port: 18080\n"                 // 2
    "admin:\n"                          // 3
    "  disabled: true\n"                // 4
    "colour: blue\n"                    // 5  unknown field
    "chains:\n"                         // 6
    "  - name: c\n"                     // 7
    "    filters:\n"                    // 8
    "      - type: direct_response\n"   // 9
    "        config: {status: 200}\n";  // 10

constexpr const char* kBadFilterConfigAtLine10 =
    "listeners:\n"                      // 1
    "  - port: 18080\n"                 // 2
    "admin:\n"                          // 3
    "  disabled: true\n"                // 4
    "workers: 1\n"                      // 5
    "chains:\n"                         // 6
    "  - name: c\n"                     // 7
    "    filters:\n"                    // 8
    "      - type: direct_response\n"   // 9
    "        config: {status: 999}\n";  // 10 refused by the filter itself

constexpr const char* kBothErrors =
    "listeners:\n"                      // 1
    "  - port: 18080\n"                 // 2
    "admin:\n"                          // 3
    "  disabled: true\n"                // 4
    "colour: blue\n"                    // 5  unknown field
    "chains:\n"                         // 6
    "  - name: c\n"                     // 7
    "    filters:\n"                    // 8
    "      - type: direct_response\n"   // 9
    "        config: {status: 999}\n";  // 10 refused by the filter itself

TEST_F(CliTest, ValidateReportsAnUnknownFieldWithItsLine) {
  const std::string file = write(kUnknownFieldAtLine5);
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(file + ":5: "), std::string::npos)
      << r.err << numbered(kUnknownFieldAtLine5);
  EXPECT_NE(r.err.find("colour"), std::string::npos) << r.err;
}

TEST_F(CliTest, ValidateReportsABadFilterConfigWithItsLine) {
  const std::string file = write(kBadFilterConfigAtLine10);
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(file + ":10: "), std::string::npos)
      << r.err << numbered(kBadFilterConfigAtLine10);
  EXPECT_NE(r.err.find("999"), std::string::npos) << r.err;
}

TEST_F(CliTest, ValidateReportsBothASchemaErrorAndAFilterConfigError) {
  const std::string file = write(kBothErrors);
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(file + ":5: "), std::string::npos) << r.err << numbered(kBothErrors);
  EXPECT_NE(r.err.find(file + ":10: "), std::string::npos)
      << "the filter's own refusal (line 10) is missing:\n"
      << r.err << numbered(kBothErrors);
}

TEST_F(CliTest, ValidateAcceptsAGoodConfig) {
  const std::string file = write(
      "listeners:\n  - port: 18080\nadmin:\n  disabled: true\nchains:\n  - name: c\n"
      "    filters:\n      - type: direct_response\n        config: {status: 204}\n");
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out;
}

TEST_F(CliTest, MissingEnvironmentVariableIsNamed) {
  const std::string yaml =
      "listeners:\n"
      "  - port: 18080\n"
      "admin:\n"
      "  disabled: true\n"
      "providers:\n"
      "  - name: openai\n"
      "    type: openai\n"
      "    api_key: ${SLUICE_IT_NEVER_SET_VARIABLE}\n"  // line 8
      "chains:\n"
      "  - name: c\n"
      "    filters:\n"
      "      - type: direct_response\n";
  const std::string file = write(yaml);
  for (const char* command : {"validate", "print-config"}) {
    CommandResult r = run_sluice({command, "-c", file}, 10s, {}, {"SLUICE_IT_NEVER_SET_VARIABLE"});
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
    EXPECT_NE(r.err.find("SLUICE_IT_NEVER_SET_VARIABLE"), std::string::npos)
        << command << ": " << r.err;
    EXPECT_NE(r.err.find(file + ":8: "), std::string::npos) << command << ": " << r.err;
  }
}

// ---- print-config ------------------------------------------------------------------------------

TEST_F(CliTest, PrintConfigMasksSecrets) {
  const std::string literal_secret = "sk-it-literal-0123456789abcdef";
  const std::string env_secret = "sk-it-from-env-fedcba9876543210";
  const std::string yaml =
      "listeners:\n"
      "  - port: 18080\n"
      "admin:\n"
      "  disabled: true\n"
      "providers:\n"
      "  - name: one\n"
      "    type: openai\n"
      "    api_key: " +
      literal_secret +
      "\n"
      "  - name: two\n"
      "    type: openai\n"
      "    api_key: ${SLUICE_IT_SECRET}\n"
      "chains:\n"
      "  - name: c\n"
      "    filters:\n"
      "      - type: direct_response\n";
  const std::string file = write(yaml);
  CommandResult r =
      run_sluice({"print-config", "-c", file}, 10s, {"SLUICE_IT_SECRET=" + env_secret});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find(literal_secret), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(env_secret), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find(literal_secret), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(env_secret), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("<redacted>"), std::string::npos) << r.out;
  // The rest is there, defaults included.
  EXPECT_NE(r.out.find("18080"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("max_header_bytes"), std::string::npos) << r.out;
}

TEST_F(CliTest, PrintConfigOutputValidatesAgain) {
  const std::string file = write(
      "listeners:\n  - port: 18080\nadmin:\n  port: 18081\nchains:\n  - name: c\n"
      "    match: {path_prefix: /v1, methods: [POST]}\n"
      "    filters:\n      - type: direct_response\n        config: {status: 202, body: x}\n"
      "      - type: example.add_header\n        config: {name: x-a, value: b}\n");
  CommandResult printed = run_sluice({"print-config", "-c", file});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  const std::string again = dir_.write("printed.yaml", printed.out);
  CommandResult r = run_sluice({"validate", "-c", again});
  EXPECT_EQ(r.exit_code, 0) << r.err << "\n" << numbered(printed.out);
  CommandResult reprinted = run_sluice({"print-config", "-c", again});
  EXPECT_EQ(reprinted.out, printed.out) << "print-config is not a fixed point";
}

TEST_F(CliTest, PrintConfigAppliesPortOverride) {
  const std::string file = write(
      "listeners:\n  - port: 18080\nadmin:\n  disabled: true\nchains:\n  - name: c\n"
      "    filters:\n      - type: direct_response\n");
  CommandResult r = run_sluice({"print-config", "-c", file, "--port", "18181"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("18181"), std::string::npos) << r.out;
}

TEST_F(CliTest, PrintConfigShowsBusyPollAndValidateRefusesTooMuch) {
  const std::string base =
      "listeners:\n  - port: 18080\nadmin:\n  disabled: true\nchains:\n  - name: c\n"
      "    filters:\n      - type: direct_response\n";
  CommandResult shown = run_sluice({"print-config", "-c", write(base + "busy_poll_us: 250\n")});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("\nbusy_poll_us: 250\n"), std::string::npos) << shown.out;
  CommandResult defaulted = run_sluice({"print-config", "-c", write(base)});
  ASSERT_EQ(defaulted.exit_code, 0) << defaulted.err;
  EXPECT_NE(defaulted.out.find("\nbusy_poll_us: 0\n"), std::string::npos) << defaulted.out;
  const std::string file = write(base + "busy_poll_us: 10001\n");  // line 9
  CommandResult refused = run_sluice({"validate", "-c", file});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find(file + ":9: busy_poll_us: busy_poll_us must be at most 10000"),
            std::string::npos)
      << refused.err;
}

// ---- plugin ABI refusal ----------------------------------------------------------------------

std::string plugin_chain_config(const std::string& type, const std::string& library) {
  std::string yaml =
      "listeners:\n"
      "  - port: 18080\n"
      "admin:\n"
      "  disabled: true\n"
      "chains:\n"
      "  - name: c\n"
      "    filters:\n"
      "      - type: " +
      type + "\n";
  if (!library.empty()) yaml += "        library: " + library + "\n";  // line 9
  return yaml;
}

TEST_F(CliTest, PluginForAnotherAbiMajorIsRefusedNamingBothVersions) {
  const std::string library = bin_dir() + "/libit.abi_future.so";
  const std::string file = write(plugin_chain_config("it.abi_future", library));
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(file + ":9: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ABI " + abi_text(SLUICE_ABI_MAJOR + 1, SLUICE_ABI_MINOR)),
            std::string::npos)
      << "the plugin's version is not named: " << r.err;
  EXPECT_NE(r.err.find("ABI " + abi_text(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR)), std::string::npos)
      << "the host's version is not named: " << r.err;
}

TEST_F(CliTest, PluginForAnotherAbiMajorIsRefusedThroughPluginDir) {
  const std::string yaml =
      "plugin_dir: " + bin_dir() + "\n" + plugin_chain_config("it.abi_future", "");
  const std::string file = write(yaml);
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ABI " + abi_text(SLUICE_ABI_MAJOR + 1, SLUICE_ABI_MINOR)),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("ABI " + abi_text(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR)), std::string::npos)
      << r.err;
}

TEST_F(CliTest, PluginForANewerAbiMinorIsRefused) {
  const std::string library = bin_dir() + "/libit.abi_newer_minor.so";
  const std::string file = write(plugin_chain_config("it.abi_newer_minor", library));
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ABI " + abi_text(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR + 1)),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("ABI " + abi_text(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR)), std::string::npos)
      << r.err;
}

TEST_F(CliTest, RunRefusesAPluginForAnotherAbiMajor) {
  const std::string library = bin_dir() + "/libit.abi_future.so";
  const std::string file = write(plugin_chain_config("it.abi_future", library));
  CommandResult r = run_sluice({"run", "-c", file, "--port", std::to_string(free_port())}, 10s);
  EXPECT_FALSE(r.timed_out) << "sluice run served a config with a refused plugin";
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ABI " + abi_text(SLUICE_ABI_MAJOR + 1, SLUICE_ABI_MINOR)),
            std::string::npos)
      << r.err;
}

TEST_F(CliTest, MissingPluginIsReported) {
  const std::string file = write(plugin_chain_config("it.no_such_filter", ""));
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(file + ":8: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("it.no_such_filter"), std::string::npos) << r.err;
}

// ---- example plugins: their config checks through validate -----------------------------------

std::string example_config(const std::string& filter_block) {
  return "listeners:\n"
         "  - port: 18080\n"
         "admin:\n"
         "  disabled: true\n"
         "chains:\n"
         "  - name: c\n"
         "    filters:\n" +
         filter_block;  // starts at line 8
}

TEST_F(CliTest, ExamplePluginsValidateFromPluginDirAndLibrary) {
  const std::string file =
      write(example_config("      - type: example.add_header\n"
                           "        config: {name: x-a, value: b}\n"
                           "      - type: example.require_header\n"
                           "        library: " +
                           bin_dir() +
                           "/libexample.require_header.so\n"
                           "        config: {header: x-team}\n"
                           "      - type: direct_response\n"));
  CommandResult r = run_sluice({"validate", "-c", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 filter(s)"), std::string::npos) << r.out;
}

TEST_F(CliTest, AddHeaderRefusesBadConfigs) {
  struct Case {
    std::string config;
    std::string message;
  };
  const Case cases[] = {
      {"{name: 'bad name', value: v}", "not a valid header name"},
      {"{name: x-a}", "\"value\" is required"},
      {"{value: v}", "\"name\" is required"},
      {"{name: x-a, value: v, extra: 1}", "unknown field"},
      {"{name: x-a, value: 5}", "\"value\" must be a string"},
      {"{name: x-a, value: \"a\\r\\nb\"}", "CR, LF or NUL"},
      {"{name: x-a, value: \"a\\0b\"}", "CR, LF or NUL"},
      {"{name: content-length, value: '5'}", "framing header"},
      {"{name: [x], value: v}", "\"name\" must be a string"},
      {"[1, 2]", "expected an object"},
  };
  for (const Case& c : cases) {
    const std::string file =
        write(example_config("      - type: example.add_header\n"
                             "        config: " +
                             c.config + "\n"));
    CommandResult r = run_sluice({"validate", "-c", file});
    EXPECT_EQ(r.exit_code, 1) << c.config << ": " << r.err;
    EXPECT_NE(r.err.find(file + ":9: "), std::string::npos) << c.config << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.config << ": " << r.err;
  }
}

TEST_F(CliTest, RequireHeaderRefusesBadConfigs) {
  struct Case {
    std::string config;
    std::string message;
  };
  const Case cases[] = {
      {"{status: 400}", "header is required"},
      {"{header: x-team, status: 500}", "400 to 499"},
      {"{header: x-team, status: 399}", "400 to 499"},
      {"{header: 'x team'}", "valid header name"},
      {"{header: x-team, color: red}", "unknown field"},
      {"{header: x-team, message: 5}", "message must be a string"},
  };
  for (const Case& c : cases) {
    const std::string file =
        write(example_config("      - type: example.require_header\n"
                             "        config: " +
                             c.config + "\n"));
    CommandResult r = run_sluice({"validate", "-c", file});
    EXPECT_EQ(r.exit_code, 1) << c.config << ": " << r.err;
    EXPECT_NE(r.err.find(file + ":9: "), std::string::npos) << c.config << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.config << ": " << r.err;
  }
}

// ---- version and help
// ----------------------------------------------------------------------------

TEST_F(CliTest, VersionPrintsTheAbi) {
  CommandResult r = run_sluice({"version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ABI " + abi_text(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR)), std::string::npos)
      << r.out;
}

TEST_F(CliTest, EveryCommandHasHelp) {
  for (const char* command : {"run", "validate", "print-config", "version"}) {
    CommandResult r = run_sluice({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
    EXPECT_NE(r.out.find(std::string("Usage: sluice ") + command), std::string::npos)
        << command << ": " << r.out;
  }
  CommandResult r = run_sluice({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage:"), std::string::npos) << r.out;
}

TEST_F(CliTest, UsageErrorsExitNonZero) {
  EXPECT_NE(run_sluice({"validate"}).exit_code, 0);
  EXPECT_NE(run_sluice({"no-such-command"}).exit_code, 0);
  EXPECT_NE(run_sluice({"validate", "-c", dir_.path() + "/missing.yaml"}).exit_code, 0);
}

}  // namespace
}  // namespace sluice::it
