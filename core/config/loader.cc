// load_file / load_text: the pipeline YAML -> JSON tree (-> LiteLLM translation) -> schema walk
// -> protobuf JSON parser -> defaults -> command-line overrides -> semantic validation; plus
// Diagnostic::format, LoadedConfig::line_of and process_env.

#include "core/config/loader.h"

#include <google/protobuf/util/json_util.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "core/config/defaults.h"
#include "core/config/json_tree.h"
#include "core/config/litellm.h"
#include "core/config/schema_check.h"
#include "core/config/validate.h"
#include "core/config/yaml_to_json.h"

namespace sluice::config {
namespace {

// Replaces every occurrence of a secret value (of at least 4 characters; shorter ones are not
// plausible credentials and would garble the text) with "<redacted>".
void scrub(std::string& text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 4) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 10)) {
      text.replace(at, secret.size(), "<redacted>");
    }
  }
}

LoadResult fail(std::vector<Diagnostic> errors, const std::vector<std::string>& secrets = {}) {
  std::stable_sort(errors.begin(), errors.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  for (Diagnostic& error : errors) scrub(error.message, secrets);
  LoadResult result;
  result.errors = std::move(errors);
  return result;
}

// The chains[c].filters[f].config blocks as compact JSON, "{}" when absent or null.
std::vector<std::vector<std::string>> filter_configs(const detail::JsonNode& root,
                                                     const v1::Bootstrap& bootstrap) {
  std::vector<std::vector<std::string>> out(bootstrap.chains_size());
  const detail::JsonNode* chains = root.find("chains");
  for (int c = 0; c < bootstrap.chains_size(); ++c) {
    const int filter_count = bootstrap.chains(c).filters_size();
    out[c].assign(filter_count, "{}");
    if (chains == nullptr || static_cast<size_t>(c) >= chains->items.size()) continue;
    const detail::JsonNode* filters = chains->items[c].find("filters");
    if (filters == nullptr) continue;
    for (int f = 0; f < filter_count && static_cast<size_t>(f) < filters->items.size(); ++f) {
      const detail::JsonNode* config = filters->items[f].find("config");
      if (config != nullptr && !config->is_null()) out[c][f] = detail::to_json(*config);
    }
  }
  return out;
}

// The filters of a file that failed to load, read straight from its tree.
void collect_filter_blocks(const detail::JsonNode& root, LoadResult* result) {
  if (const detail::JsonNode* dir = root.find("plugin_dir", "pluginDir");
      dir && dir->kind == detail::JsonNode::Kind::kString) {
    result->plugin_dir = dir->text;
  }
  const detail::JsonNode* chains = root.find("chains");
  if (chains == nullptr || chains->kind != detail::JsonNode::Kind::kArray) return;
  for (size_t c = 0; c < chains->items.size(); ++c) {
    const detail::JsonNode* filters = chains->items[c].find("filters");
    if (filters == nullptr || filters->kind != detail::JsonNode::Kind::kArray) continue;
    for (size_t f = 0; f < filters->items.size(); ++f) {
      const detail::JsonNode& filter = filters->items[f];
      const detail::JsonNode* type = filter.find("type");
      if (type == nullptr || type->kind != detail::JsonNode::Kind::kString) continue;
      FilterBlock block;
      block.path = "chains[" + std::to_string(c) + "].filters[" + std::to_string(f) + "]";
      block.type = type->text;
      if (const detail::JsonNode* library = filter.find("library");
          library && library->kind == detail::JsonNode::Kind::kString) {
        block.library = library->text;
      }
      const detail::JsonNode* config = filter.find("config");
      block.line = config ? config->line : filter.line;
      block.config_json = config && !config->is_null() ? detail::to_json(*config) : "{}";
      result->filter_blocks.push_back(std::move(block));
    }
  }
}

void apply_overrides(const LoadOptions& options, LoadedConfig* config,
                     std::vector<Diagnostic>* errors) {
  if (!options.host && !options.port) return;
  v1::Bootstrap& b = config->bootstrap;
  const char* flags = options.host && options.port ? "--host/--port"
                      : options.host               ? "--host"
                                                   : "--port";
  if (b.listeners_size() == 0) {
    errors->push_back(
        Diagnostic{config->file, config->line_of("listeners"), "listeners",
                   std::string(flags) + " was given but the config has no listener to override"});
    return;
  }
  if (options.host) b.mutable_listeners(0)->set_address(*options.host);
  if (options.port) b.mutable_listeners(0)->set_port(*options.port);
  if (b.listeners_size() > 1) {
    config->warnings.push_back(Diagnostic{
        config->file, config->line_of("listeners[0]"), "listeners[0]",
        std::string(flags) + " applies to the first listener only; " +
            std::to_string(b.listeners_size() - 1) + " other listener(s) keep their settings"});
  }
}

}  // namespace

std::string Diagnostic::format() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": " + (path.empty() ? std::string("(root)") : path) + ": " + message;
  return out;
}

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

int LoadedConfig::line_of(std::string_view yaml_path) const {
  std::string path(yaml_path.empty() ? "(root)" : yaml_path);
  while (true) {
    auto it = std::lower_bound(
        lines.begin(), lines.end(), path,
        [](const auto& entry, const std::string& key) { return entry.first < key; });
    if (it != lines.end() && it->first == path) return it->second;
    if (path == "(root)") return 0;
    const size_t cut = path.find_last_of(".[");
    path = cut == std::string::npos || cut == 0 ? std::string("(root)") : path.substr(0, cut);
  }
}

namespace {

// The stages after the YAML read, for a sluice document (read from the file, or translated from a
// LiteLLM one): schema walk, protobuf parse, defaults, overrides, validation. `errors` holds what
// the earlier stages found; `secrets` are scrubbed from every message besides the schema's own.
LoadResult load_tree(detail::JsonNode root, std::vector<Diagnostic> errors,
                     const std::string& file_name, const LoadOptions& options,
                     std::vector<std::string> secrets) {
  detail::SchemaReport report = detail::check_schema(root, *v1::Bootstrap::descriptor(), file_name);
  errors.insert(errors.end(), std::make_move_iterator(report.errors.begin()),
                std::make_move_iterator(report.errors.end()));
  secrets.insert(secrets.end(), report.secret_values.begin(), report.secret_values.end());
  auto fail_with_blocks = [&root](std::vector<Diagnostic> all,
                                  const std::vector<std::string>& secrets) {
    LoadResult result = fail(std::move(all), secrets);
    collect_filter_blocks(root, &result);
    return result;
  };
  if (!errors.empty()) return fail_with_blocks(std::move(errors), secrets);

  auto config = std::make_unique<LoadedConfig>();
  config->file = file_name;
  config->lines = std::move(report.lines);
  std::stable_sort(config->lines.begin(), config->lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  google::protobuf::util::JsonParseOptions parse_options;
  parse_options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      detail::to_json(root), &config->bootstrap, parse_options);
  if (!status.ok()) {
    errors.push_back(Diagnostic{file_name, 0, "(root)",
                                "protobuf rejected the config: " + std::string(status.message())});
    return fail_with_blocks(std::move(errors), secrets);
  }
  config->filter_config_json = filter_configs(root, config->bootstrap);

  const std::set<std::string>& present = report.present;
  detail::apply_defaults(&config->bootstrap, [&present](std::string_view path) {
    return present.contains(std::string(path));
  });
  apply_overrides(options, config.get(), &errors);

  detail::ValidationContext context;
  context.file = file_name;
  context.line_of = [&config](std::string_view path) { return config->line_of(path); };
  context.host_from_command_line = options.host.has_value();
  context.port_from_command_line = options.port.has_value();
  std::vector<Diagnostic> semantic = detail::validate(config->bootstrap, context);
  errors.insert(errors.end(), std::make_move_iterator(semantic.begin()),
                std::make_move_iterator(semantic.end()));
  if (!errors.empty()) return fail_with_blocks(std::move(errors), secrets);

  LoadResult result;
  result.config = std::move(config);
  return result;
}

}  // namespace

LoadResult load_text(std::string_view yaml, const std::string& file_name,
                     const LoadOptions& options) {
  std::vector<Diagnostic> errors;
  detail::JsonNode root;
  const EnvLookup env = options.env ? options.env : process_env();
  if (!detail::yaml_to_json(yaml, file_name, env, &root, &errors)) return fail(std::move(errors));
  if (!detail::is_litellm_document(root)) {
    return load_tree(std::move(root), std::move(errors), file_name, options, {});
  }

  // A LiteLLM config.yaml: read again with LiteLLM's variable rules, translated, then the same
  // stages. Its warnings come first, in file order; the loader's own (overrides) follow.
  detail::LitellmTranslation litellm = detail::translate_litellm(yaml, file_name, env, root);
  if (litellm.root.kind != detail::JsonNode::Kind::kObject) {
    return fail(std::move(litellm.errors), litellm.secrets);
  }
  LoadResult result = load_tree(std::move(litellm.root), std::move(litellm.errors), file_name,
                                options, litellm.secrets);
  if (!result.config) return result;
  for (Diagnostic& warning : litellm.warnings) scrub(warning.message, litellm.secrets);
  result.config->warnings.insert(result.config->warnings.begin(),
                                 std::make_move_iterator(litellm.warnings.begin()),
                                 std::make_move_iterator(litellm.warnings.end()));
  result.config->litellm = std::move(litellm.extras);
  return result;
}

LoadResult load_file(const std::string& path, const LoadOptions& options) {
  auto error = [&path](std::string message) {
    LoadResult result;
    result.errors.push_back(Diagnostic{path, 0, "(root)", std::move(message)});
    return result;
  };
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return error("cannot read the config: " + std::string(std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) return error("cannot read the config: not a regular file");
  if (static_cast<uint64_t>(info.st_size) > detail::kMaxConfigBytes) {
    return error("the config is " + std::to_string(info.st_size) + " bytes; the limit is " +
                 std::to_string(detail::kMaxConfigBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return error("cannot read the config: " + std::string(std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return error("cannot read the config: read failed");
  return load_text(text.str(), path, options);
}

}  // namespace sluice::config
