// The `sluice` command: run, validate, print-config, version.

#include <sluice/filter.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/loader.h"
#include "core/runtime/chain.h"
#include "core/runtime/plugin_loader.h"
#include "core/server/server.h"

namespace {

constexpr std::string_view kVersion = "0.1.0";

constexpr std::string_view kUsage =
    R"(sluice - an LLM gateway

Usage:
  sluice run -c FILE [--host ADDR] [--port N]   serve FILE
  sluice validate -c FILE                       check FILE (and its filters' configs) without serving
  sluice print-config -c FILE [--host ADDR] [--port N]
                                                the effective config, defaults filled, secrets masked
  sluice version                                version and plugin ABI
  sluice COMMAND --help                         help for one command
)";

constexpr std::string_view kRunHelp =
    R"(Usage: sluice run -c FILE [--host ADDR] [--port N]

Serves the configuration in FILE until SIGTERM or SIGINT (graceful drain, exit 0).
SIGHUP reloads FILE: a valid new config applies to new requests, an invalid one is refused
and the old one keeps serving.

  -c, --config FILE   configuration file (YAML)
      --host ADDR     override the first listener's address
      --port N        override the first listener's port
)";

constexpr std::string_view kValidateHelp =
    R"(Usage: sluice validate -c FILE

Checks FILE as `sluice run` would, loading every filter plugin it names and letting each
filter validate its own config. Prints every error as FILE:LINE: path: message and exits 1,
or prints a summary and exits 0.

  -c, --config FILE   configuration file (YAML)
)";

constexpr std::string_view kPrintHelp =
    R"(Usage: sluice print-config -c FILE [--host ADDR] [--port N]

Prints the effective configuration as YAML: defaults filled in, ${VAR} and os.environ/VAR
expanded, secrets masked.

  -c, --config FILE   configuration file (YAML)
      --host ADDR     override the first listener's address
      --port N        override the first listener's port
)";

constexpr std::string_view kVersionHelp = "Usage: sluice version\n\nPrints the version.\n";

struct Args {
  std::string config;
  std::optional<std::string> host;
  std::optional<uint16_t> port;
  bool help = false;
};

int usage_error(std::string_view message, std::string_view help) {
  std::fprintf(stderr, "sluice: %.*s\n\n%.*s", static_cast<int>(message.size()), message.data(),
               static_cast<int>(help.size()), help.data());
  return 2;
}

// Parses the options of one command. Returns an exit code on error, nullopt on success.
std::optional<int> parse(int argc, char** argv, bool allow_overrides, std::string_view help,
                         Args* args) {
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (arg == "-h" || arg == "--help") {
      args->help = true;
    } else if (arg == "-c" || arg == "--config") {
      auto v = value();
      if (!v) return usage_error("-c needs a file", help);
      args->config = *v;
    } else if (allow_overrides && arg == "--host") {
      auto v = value();
      if (!v) return usage_error("--host needs an address", help);
      args->host = *v;
    } else if (allow_overrides && arg == "--port") {
      auto v = value();
      if (!v) return usage_error("--port needs a number", help);
      char* end = nullptr;
      errno = 0;
      long port = std::strtol(v->c_str(), &end, 10);
      if (errno || *end || port < 1 || port > 65535) {
        return usage_error("--port must be a number from 1 to 65535", help);
      }
      args->port = static_cast<uint16_t>(port);
    } else {
      return usage_error("unknown option " + std::string(arg), help);
    }
  }
  if (!args->help && args->config.empty()) return usage_error("-c FILE is required", help);
  return std::nullopt;
}

void print_errors(const std::vector<sluice::config::Diagnostic>& errors) {
  for (const auto& error : errors) std::fprintf(stderr, "%s\n", error.format().c_str());
}

sluice::config::LoadOptions load_options(const Args& args) {
  sluice::config::LoadOptions options;
  options.host = args.host;
  options.port = args.port;
  return options;
}

int cmd_run(const Args& args) {
  auto result = sluice::config::load_file(args.config, load_options(args));
  if (!result.config) {
    print_errors(result.errors);
    return 1;
  }
  for (const auto& warning : result.config->warnings) {
    std::fprintf(stderr, "warning: %s\n", warning.format().c_str());
  }
  sluice::server::ServerOptions options;
  options.config_path = args.config;
  options.load = load_options(args);
  return sluice::server::run_server(std::move(result.config), options);
}

int cmd_validate(const Args& args) {
  auto result = sluice::config::load_file(args.config, load_options(args));
  if (!result.config) {
    // The file is wrong somewhere; still let every filter judge its own block, so one run shows
    // every error.
    sluice::runtime::PluginCatalog catalog(result.plugin_dir);
    for (const auto& block : result.filter_blocks) {
      auto error = sluice::runtime::RuntimeConfig::check_filter(catalog, block.type, block.library,
                                                                block.config_json);
      if (error) {
        result.errors.push_back({args.config, block.line, block.path + ".config", *error});
      }
    }
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const auto& a, const auto& b) { return a.line < b.line; });
    print_errors(result.errors);
    return 1;
  }
  std::shared_ptr<const sluice::config::LoadedConfig> config = std::move(result.config);
  sluice::runtime::PluginCatalog catalog(config->bootstrap.plugin_dir());
  std::vector<sluice::config::Diagnostic> errors;
  auto runtime = sluice::runtime::RuntimeConfig::build(config, catalog, &errors);
  if (!runtime) {
    print_errors(errors);
    return 1;
  }
  for (const auto& warning : config->warnings) {
    std::fprintf(stderr, "warning: %s\n", warning.format().c_str());
  }
  size_t filters = 0;
  for (const auto& chain : runtime->chains()) filters += chain->filters.size();
  std::printf("%s: OK (%zu chain(s), %zu filter(s), %d listener(s))\n", args.config.c_str(),
              runtime->chains().size(), filters, config->bootstrap.listeners_size());
  return 0;
}

int cmd_print_config(const Args& args) {
  auto result = sluice::config::load_file(args.config, load_options(args));
  if (!result.config) {
    print_errors(result.errors);
    return 1;
  }
  std::string yaml = sluice::config::render_yaml(*result.config);
  std::fwrite(yaml.data(), 1, yaml.size(), stdout);
  if (!yaml.empty() && yaml.back() != '\n') std::fputc('\n', stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stderr);
    return 2;
  }
  std::string_view command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    if (argc > 2 && (std::strcmp(argv[2], "--help") == 0 || std::strcmp(argv[2], "-h") == 0)) {
      std::fwrite(kVersionHelp.data(), 1, kVersionHelp.size(), stdout);
      return 0;
    }
    std::printf("sluice %.*s (filter ABI %d.%d)\n", static_cast<int>(kVersion.size()),
                kVersion.data(), SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR);
    return 0;
  }
  struct Command {
    std::string_view name, help;
    bool overrides;
    int (*run)(const Args&);
  };
  const Command commands[] = {{"run", kRunHelp, true, cmd_run},
                              {"validate", kValidateHelp, false, cmd_validate},
                              {"print-config", kPrintHelp, true, cmd_print_config}};
  for (const auto& c : commands) {
    if (command != c.name) continue;
    Args args;
    if (auto code = parse(argc, argv, c.overrides, c.help, &args)) return *code;
    if (args.help) {
      std::fwrite(c.help.data(), 1, c.help.size(), stdout);
      return 0;
    }
    return c.run(args);
  }
  return usage_error("unknown command " + std::string(command), kUsage);
}
