// LiteLLM config.yaml -> the sluice document: the re-read with tolerated variables, the settings
// sections, and the assembly of listeners and chain. model_list is litellm_models.cc.

#include "core/config/litellm.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include "core/config/env_expand.h"
#include "core/config/litellm_internal.h"
#include "core/config/yaml_to_json.h"
#include "sluice/config/v1/bootstrap.pb.h"

namespace sluice::config::detail {
namespace {

using Kind = JsonNode::Kind;

constexpr std::string_view kListenAddress = "127.0.0.1";
constexpr uint64_t kLitellmPort = 4000;  // what `litellm --config` listens on
// The route filter refuses more (filters/route/route.proto).
constexpr uint64_t kRouteMaxRetries = 10;
constexpr double kMaxTimeoutSeconds = 4294967.0;  // per_try_timeout_ms is a uint32

// What a LiteLLM setting is about, for the warning about ignoring it; empty when not known.
std::string_view feature_of(std::string_view key) {
  static const std::map<std::string_view, std::string_view> kFeatures = {
      {"fallbacks", "fallbacks to other models"},
      {"default_fallbacks", "fallbacks to other models"},
      {"context_window_fallbacks", "fallbacks to other models"},
      {"content_policy_fallbacks", "fallbacks to other models"},
      {"max_fallbacks", "fallbacks to other models"},
      {"cache", "response caching"},
      {"cache_params", "response caching"},
      {"cache_responses", "response caching"},
      {"caching_groups", "response caching"},
      {"success_callback", "logging callbacks"},
      {"failure_callback", "logging callbacks"},
      {"callbacks", "logging callbacks"},
      {"service_callback", "logging callbacks"},
      {"service_callbacks", "logging callbacks"},
      {"callback_settings", "logging callbacks"},
      {"s3_callback_params", "logging callbacks"},
      {"guardrails", "guardrails"},
      {"max_budget", "budgets"},
      {"budget_duration", "budgets"},
      {"max_internal_user_budget", "budgets"},
      {"internal_user_budget_duration", "budgets"},
      {"max_end_user_budget", "budgets"},
      {"provider_budget_config", "budgets"},
      {"redis_host", "routing state shared through Redis"},
      {"redis_port", "routing state shared through Redis"},
      {"redis_password", "routing state shared through Redis"},
      {"redis_url", "routing state shared through Redis"},
      {"redis_db", "routing state shared through Redis"},
      {"database_url", "LiteLLM's key and spend database"},
      {"store_model_in_db", "LiteLLM's key and spend database"},
      {"alerting", "alerting"},
      {"alerting_threshold", "alerting"},
      {"alert_types", "alerting"},
      {"allowed_fails", "deployment cooldowns"},
      {"allowed_fails_policy", "deployment cooldowns"},
      {"cooldown_time", "deployment cooldowns"},
      {"disable_cooldowns", "deployment cooldowns"},
      {"retry_policy", "retry policies per error type"},
      {"retry_after", "retry policies per error type"},
      {"enable_pre_call_check", "context-window checks before the call"},
      {"enable_pre_call_checks", "context-window checks before the call"},
      {"model_group_alias", "model aliases"},
      {"drop_params", "dropping parameters a provider does not take"},
      {"debug", "LiteLLM's debug output; sluice has logging.level"},
      {"detailed_debug", "LiteLLM's debug output; sluice has logging.level"},
      {"set_verbose", "LiteLLM's debug output; sluice has logging.level"},
      {"json_logs", "LiteLLM's debug output; sluice has logging.level"},
      {"max_parallel_requests", "parallel request limits"},
      {"global_max_parallel_requests", "parallel request limits"},
      {"include", "including other files: merge them into this one"},
      // litellm_params and model_list entries
      {"order", "deployment priority order"},
      {"timeout", "per-deployment timeouts"},
      {"stream_timeout", "per-deployment timeouts"},
      {"max_retries", "per-deployment retries"},
      {"num_retries", "per-deployment retries"},
      {"tags", "tag-based routing"},
      {"mock_response", "mock responses"},
      {"model_info", "model metadata"},
  };
  auto it = kFeatures.find(key);
  if (it != kFeatures.end()) return it->second;
  if (key.starts_with("input_cost_") || key.starts_with("output_cost_")) return "cost tracking";
  return {};
}

// The file's environment_variables, which LiteLLM puts into its environment before it reads
// anything else: a value of the os.environ/VAR form is VAR's value (left out when unset).
std::map<std::string, std::string, std::less<>> file_environment(const JsonNode& first_read) {
  std::map<std::string, std::string, std::less<>> vars;
  const JsonNode* block = first_read.find("environment_variables");
  if (block == nullptr || block->kind != Kind::kObject) return vars;
  for (const auto& [name, value] : block->members) {
    std::optional<std::string> text = litellm::scalar_text(value);
    if (!is_variable_name(name) || !text) continue;
    if (value.expanded && text->empty()) continue;  // from an unset (or empty) variable
    vars.emplace(name, std::move(*text));
  }
  return vars;
}

}  // namespace

namespace litellm {

std::string join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

std::string indexed(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

JsonNode object_node(int line) {
  JsonNode node;
  node.kind = Kind::kObject;
  node.line = line;
  return node;
}

JsonNode array_node(int line) {
  JsonNode node;
  node.kind = Kind::kArray;
  node.line = line;
  return node;
}

JsonNode string_node(std::string text, int line) {
  JsonNode node;
  node.kind = Kind::kString;
  node.source = text;
  node.text = std::move(text);
  node.line = line;
  return node;
}

JsonNode number_node(uint64_t value, int line) {
  JsonNode node;
  node.kind = Kind::kNumber;
  node.text = std::to_string(value);
  node.source = node.text;
  node.line = line;
  return node;
}

void set(JsonNode& object, std::string key, JsonNode value) {
  object.members.emplace_back(std::move(key), std::move(value));
}

std::optional<std::string> scalar_text(const JsonNode& node) {
  switch (node.kind) {
    case Kind::kString:
      return node.text;
    case Kind::kNumber:
    case Kind::kBool:
      return node.source.empty() ? node.text : node.source;
    default:
      return std::nullopt;
  }
}

std::optional<double> real_number(const JsonNode& node) {
  std::string text;
  if (node.kind == Kind::kNumber) {
    text = node.text;
  } else if (node.kind == Kind::kString) {
    JsonNode parsed = resolve_plain_scalar(node.text);  // "600" from os.environ/RPM
    if (parsed.kind != Kind::kNumber) return std::nullopt;
    text = std::move(parsed.text);
  } else {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> whole_number(const JsonNode& node) {
  std::optional<double> value = real_number(node);
  if (!value || *value < 0 || *value != std::floor(*value) || *value > 1e18) return std::nullopt;
  return static_cast<uint64_t>(*value);
}

Translator::Translator(const std::string& file, const std::vector<UnsetVariable>& unset,
                       LitellmTranslation* out)
    : file_(file), out_(out) {
  for (const UnsetVariable& variable : unset) unset_.emplace(variable.path, variable);
}

void Translator::error(int line, const std::string& path, std::string message) {
  out_->errors.push_back(Diagnostic{file_, line, path, std::move(message)});
}

void Translator::warn(int line, const std::string& path, std::string message) {
  out_->warnings.push_back(Diagnostic{file_, line, path, std::move(message)});
}

void Translator::ignore(const JsonNode& value, const std::string& path, std::string_view key) {
  const std::string_view feature = feature_of(key);
  std::string message = "not supported yet, ignored";
  if (!feature.empty()) message += " (" + std::string(feature) + ")";
  warn(value.line, path, std::move(message));
}

const UnsetVariable* Translator::unset(const std::string& path) const {
  auto it = unset_.find(path);
  return it == unset_.end() ? nullptr : &it->second;
}

bool Translator::warn_if_unset(const std::string& path) {
  const UnsetVariable* variable = unset(path);
  if (variable == nullptr) return false;
  warn(variable->line, path,
       "environment variable '" + variable->name + "' is not set (os.environ/" + variable->name +
           "); the value is left out");
  return true;
}

JsonNode Translator::take(const JsonNode& node, const std::string& path) {
  JsonNode out = node;
  if (node.kind == Kind::kObject) {
    out.members.clear();
    for (const auto& [key, value] : node.members) {
      const std::string child = join(path, key);
      if (warn_if_unset(child)) continue;
      out.members.emplace_back(key, take(value, child));
    }
  } else if (node.kind == Kind::kArray) {
    out.items.clear();
    for (size_t i = 0; i < node.items.size(); ++i) {
      const std::string child = indexed(path, i);
      warn_if_unset(child);  // an item cannot be left out without shifting the others
      out.items.push_back(take(node.items[i], child));
    }
  }
  return out;
}

std::optional<uint64_t> Translator::setting_number(const JsonNode& value, const std::string& path,
                                                   std::string_view what) {
  if (warn_if_unset(path) || value.is_null()) return std::nullopt;
  std::optional<uint64_t> number = whole_number(value);
  if (!number) error(value.line, path, std::string(what) + " must be a whole number, 0 or more");
  return number;
}

std::optional<double> Translator::setting_seconds(const JsonNode& value, const std::string& path) {
  if (warn_if_unset(path) || value.is_null()) return std::nullopt;
  std::optional<double> seconds = real_number(value);
  if (!seconds || *seconds < 0 || *seconds > kMaxTimeoutSeconds) {
    error(value.line, path, "timeout must be a number of seconds, 0 to 4294967");
    return std::nullopt;
  }
  return seconds;
}

void Translator::settings(const JsonNode& doc) {
  struct Picked {
    std::optional<uint64_t> value;
    int line = 0;
  };
  Picked router_retries, litellm_retries;
  std::optional<double> router_timeout, litellm_timeout;
  int router_timeout_line = 0, litellm_timeout_line = 0;

  auto each = [this, &doc](std::string_view section, auto&& handle) {
    const JsonNode* block = doc.find(section);
    if (block == nullptr || block->is_null()) return;
    if (block->kind != Kind::kObject) {
      error(block->line, std::string(section),
            "expected a mapping, got " + std::string(kind_name(block->kind)));
      return;
    }
    for (const auto& [key, value] : block->members) handle(key, value, join(section, key));
  };

  each("router_settings",
       [&](const std::string& key, const JsonNode& value, const std::string& path) {
         if (key == "num_retries") {
           router_retries = {setting_number(value, path, "num_retries"), value.line};
         } else if (key == "timeout") {
           router_timeout = setting_seconds(value, path);
           router_timeout_line = value.line;
         } else if (key == "routing_strategy") {
           std::optional<std::string> strategy = scalar_text(value);
           if (strategy && *strategy == "simple-shuffle") return;  // what the route filter does
           warn(value.line, path,
                (strategy ? "'" + *strategy + "'" : std::string("this strategy")) +
                    " is not supported yet, ignored: sluice picks deployments at random by weight, "
                    "like simple-shuffle");
         } else {
           ignore(value, path, key);
         }
       });
  each("litellm_settings",
       [&](const std::string& key, const JsonNode& value, const std::string& path) {
         if (key == "num_retries") {
           litellm_retries = {setting_number(value, path, "num_retries"), value.line};
         } else if (key == "request_timeout") {
           litellm_timeout = setting_seconds(value, path);
           litellm_timeout_line = value.line;
         } else {
           ignore(value, path, key);
         }
       });
  each("general_settings", [&](const std::string& key, const JsonNode& value,
                               const std::string& path) {
    if (key != "master_key") return ignore(value, path, key);
    if (warn_if_unset(path) || value.is_null()) return;
    std::optional<std::string> text = scalar_text(value);
    if (!text) {
      error(value.line, path, "master_key must be a string");
      return;
    }
    out_->extras.master_key = *text;
    out_->extras.master_key_line = value.line;
    out_->secrets.push_back(*text);
    warn(value.line, path,
         "kept, but not enforced: sluice has no auth filter in this chain yet, so requests are "
         "not authenticated");
  });

  const Picked& retries = router_retries.value ? router_retries : litellm_retries;
  if (retries.value) {
    uint64_t count = *retries.value;
    if (count > kRouteMaxRetries) {
      warn(retries.line,
           router_retries.value ? "router_settings.num_retries" : "litellm_settings.num_retries",
           "sluice retries at most " + std::to_string(kRouteMaxRetries) + " times; using " +
               std::to_string(kRouteMaxRetries));
      count = kRouteMaxRetries;
    }
    route_config_.emplace_back("num_retries", number_node(count, retries.line));
  }
  const std::optional<double>& timeout = router_timeout ? router_timeout : litellm_timeout;
  if (timeout && *timeout > 0) {
    const int line = router_timeout ? router_timeout_line : litellm_timeout_line;
    const auto ms = static_cast<uint64_t>(std::llround(*timeout * 1000));
    route_config_.emplace_back("per_try_timeout_ms", number_node(ms, line));
  }
}

void Translator::top_level(const JsonNode& doc) {
  static constexpr std::string_view kSections[] = {"model_list", "router_settings",
                                                   "litellm_settings", "general_settings"};
  for (const auto& [key, value] : doc.members) {
    if (std::find(std::begin(kSections), std::end(kSections), key) != std::end(kSections)) {
      continue;
    }
    if (key == "environment_variables") {
      if (value.kind != Kind::kObject && !value.is_null()) {
        ignore(value, key, key);
      } else if (value.kind == Kind::kObject && !value.members.empty()) {
        warn(value.line, key,
             "used only to resolve os.environ/ references in this file; sluice does not export "
             "them to its own environment");
      }
      continue;
    }
    ignore(value, key, key);
  }
}

JsonNode Translator::assemble(const JsonNode& doc) {
  JsonNode root = object_node(doc.line);
  JsonNode listener = object_node(0);
  set(listener, "address", string_node(std::string(kListenAddress), 0));
  set(listener, "port", number_node(kLitellmPort, 0));
  JsonNode listeners = array_node(0);
  listeners.items.push_back(std::move(listener));
  set(root, "listeners", std::move(listeners));

  JsonNode providers = array_node(0);
  for (ProviderSlot& slot : providers_) providers.items.push_back(std::move(slot.node));
  if (!providers.items.empty()) set(root, "providers", std::move(providers));
  JsonNode models = models_node();
  if (!models.items.empty()) set(root, "models", std::move(models));

  JsonNode chain = object_node(0);
  set(chain, "name", string_node("litellm", 0));
  JsonNode match = object_node(0);
  set(match, "path_prefix", string_node("/", 0));
  set(chain, "match", std::move(match));
  JsonNode filters = array_node(0);
  // log first: it then sees every request once, including those answered before routing.
  for (const char* type : {"log", "route", "translate"}) {
    JsonNode filter = object_node(0);
    set(filter, "type", string_node(type, 0));
    if (std::string_view(type) == "route" && !route_config_.empty()) {
      JsonNode config = object_node(route_config_.front().second.line);
      config.members = std::move(route_config_);
      set(filter, "config", std::move(config));
    }
    filters.items.push_back(std::move(filter));
  }
  set(chain, "filters", std::move(filters));
  JsonNode chains = array_node(0);
  chains.items.push_back(std::move(chain));
  set(root, "chains", std::move(chains));
  return root;
}

}  // namespace litellm

bool is_litellm_document(const JsonNode& root) {
  if (root.kind != Kind::kObject || root.find("model_list") == nullptr) return false;
  const google::protobuf::Descriptor& bootstrap = *v1::Bootstrap::descriptor();
  for (const auto& [key, value] : root.members) {
    for (int i = 0; i < bootstrap.field_count(); ++i) {
      if (key == bootstrap.field(i)->name() || key == bootstrap.field(i)->json_name()) {
        return false;
      }
    }
  }
  return true;
}

LitellmTranslation translate_litellm(std::string_view yaml, const std::string& file,
                                     const EnvLookup& env, const JsonNode& first_read) {
  LitellmTranslation out;
  out.extras.translated = true;
  const auto file_env = file_environment(first_read);
  const EnvLookup lookup = [&file_env, &env](std::string_view name) -> std::optional<std::string> {
    if (auto it = file_env.find(name); it != file_env.end()) return it->second;
    return env(name);
  };
  JsonNode doc;
  std::vector<UnsetVariable> unset;
  if (!yaml_to_json(yaml, file, lookup, &doc, &out.errors, {}, &unset)) return out;

  litellm::Translator translator(file, unset, &out);
  translator.top_level(doc);
  translator.model_list(doc);
  translator.settings(doc);
  out.root = translator.assemble(doc);
  std::stable_sort(out.warnings.begin(), out.warnings.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  return out;
}

}  // namespace sluice::config::detail
