#pragma once
// Reads a sluice YAML config file into the Bootstrap proto: YAML -> JSON -> proto (protobuf's JSON
// parser, unknown fields rejected), with ${VAR} / ${VAR:-default} / os.environ/VAR expansion,
// defaults applied, and every problem reported with its file, line and YAML path. A LiteLLM
// config.yaml (top-level model_list) is accepted too: it is translated into the equivalent
// Bootstrap first (litellm.h), then goes through the same stages.
// Not thread-safe per call; call from one thread (start-up or the reload thread).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/config/v1/bootstrap.pb.h"

namespace sluice::config {

// One problem, printed as "FILE:LINE: yaml.path: message" (yaml.path like
// "chains[0].filters[1].type"; "(root)" for the document itself).
struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string path;
  std::string message;
  std::string format() const;
};

// Looks up an environment variable; nullopt when unset. Tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_env();

struct LoadOptions {
  EnvLookup env = process_env();
  std::optional<std::string> host;  // `sluice run --host`: overrides listeners[0].address
  std::optional<uint16_t> port;     // `sluice run --port`: overrides listeners[0].port
};

// What a LiteLLM config.yaml said that the Bootstrap has no field for (see core/config/litellm.h).
struct LitellmExtras {
  bool translated = false;  // the file was a LiteLLM config.yaml, translated into `bootstrap`
  // general_settings.master_key, expanded; empty when absent. A secret: render_yaml shows it
  // masked, render_json leaves it out, and no message ever contains it. Kept for the auth
  // filter; nothing enforces it yet.
  std::string master_key;
  int master_key_line = 0;
};

// A loaded, expanded, defaulted and validated configuration. Immutable once built.
struct LoadedConfig {
  sluice::config::v1::Bootstrap bootstrap;
  std::string file;
  // JSON text of chains[c].filters[f].config as written (after expansion); "{}" when absent.
  std::vector<std::vector<std::string>> filter_config_json;
  // 1-based line of a YAML path such as "chains[0].filters[1].config"; the nearest ancestor's
  // line when the path itself has none; 0 when unknown.
  int line_of(std::string_view yaml_path) const;
  // Warnings (e.g. --host given but ignored, a LiteLLM setting sluice does not have); not fatal.
  std::vector<Diagnostic> warnings;
  // Set when the file was a LiteLLM config.yaml.
  LitellmExtras litellm;

  // path -> line, filled by the loader, sorted by path (line_of searches it). Paths use the
  // proto field names ("providers[0].api_key" even when the file wrote apiKey); a key written
  // in another form is also listed as written.
  std::vector<std::pair<std::string, int>> lines;
};

// One filter of the file, as written; lets `sluice validate` have every filter check its own
// config even when other parts of the file are wrong.
struct FilterBlock {
  std::string path;  // "chains[0].filters[1]"
  int line = 0;      // line of its config block (or of the filter when it has none)
  std::string type, library;
  std::string config_json;  // "{}" when absent
};

struct LoadResult {
  std::unique_ptr<LoadedConfig> config;  // null when errors is not empty
  std::vector<Diagnostic> errors;        // every error found, in file order
  // When errors is not empty but the YAML itself parsed: the filters whose type is a string,
  // and plugin_dir when it is one.
  std::vector<FilterBlock> filter_blocks;
  std::string plugin_dir;
};

LoadResult load_file(const std::string& path, const LoadOptions& options = {});
LoadResult load_text(std::string_view yaml, const std::string& file_name,
                     const LoadOptions& options = {});

// The effective configuration as YAML, secrets masked ("print-config").
std::string render_yaml(const LoadedConfig& config);
// The effective configuration as JSON, secrets masked ("/config_dump").
std::string render_json(const LoadedConfig& config);

}  // namespace sluice::config
