// LiteLLM model_list -> sluice providers and models: one entry at a time, then the weights of
// each model settled once all its deployments are known. See litellm.h for the mapping.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/config/litellm_internal.h"
#include "core/config/masking.h"

namespace sluice::config::detail::litellm {
namespace {

using Kind = JsonNode::Kind;

constexpr uint64_t kMaxUint32 = std::numeric_limits<uint32_t>::max();

bool has_prefix(std::string_view key, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view prefix : prefixes) {
    if (key.starts_with(prefix)) return true;
  }
  return false;
}

// litellm_params keys that configure the provider (credentials, region, endpoint flavour):
// they go to the provider's settings, not into requests. Also sluice's own image-fetch settings
// (filters/translate), which LiteLLM lacks: written here, they reach translate the same way.
bool is_provider_setting(std::string_view key) {
  static constexpr std::array<std::string_view, 11> kKeys = {
      "api_version", "organization",  "region_name",     "tenant_id",
      "client_id",   "client_secret", "extra_headers",   "headers",
      "project_id",  "space_id",      "fetch_image_urls"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end() ||
         has_prefix(key, {"aws_", "vertex_", "azure_", "watsonx_", "image_fetch_"});
}

// litellm_params keys that steer LiteLLM itself (routing, retries, pricing, budgets, ...). They
// must not become request parameters: a provider would refuse a request carrying them.
bool is_litellm_only(std::string_view key) {
  static constexpr std::array<std::string_view, 43> kKeys = {
      "order",
      "itpm",
      "otpm",
      "max_parallel_requests",
      "timeout",
      "stream_timeout",
      "max_retries",
      "num_retries",
      "drop_params",
      "additional_drop_params",
      "configurable_clientside_auth_params",
      "litellm_credential_name",
      "litellm_trace_id",
      "litellm_metadata",
      "max_file_size_mb",
      "default_api_key_tpm_limit",
      "default_api_key_rpm_limit",
      "max_budget",
      "budget_duration",
      "keepalive_seconds",
      "allow_client_keepalive_override",
      "use_in_pass_through",
      "use_litellm_proxy",
      "use_chat_completions_api",
      "use_xai_oauth",
      "merge_reasoning_content_in_choices",
      "model_info",
      "mock_response",
      "tags",
      "tag_regex",
      "cooldown_time",
      "vector_store_id",
      "vector_bucket_name",
      "index_name",
      "embedding_model",
      "bedrock_tags",
      "cache_control_injection_points",
      "guardrails",
      "health_check_model",
      "health_check_timeout",
      "disable_background_health_check",
      "enable_tag_filtering",
      "allow_fail_open",
  };
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end() ||
         has_prefix(key,
                    {"input_cost_", "output_cost_", "cache_read_input_", "cache_creation_input_",
                     "auto_router_", "complexity_router_", "adaptive_router_", "quality_router_",
                     "milvus_", "valkey_", "s3_", "gcs_", "mock_"});
}

std::string last_segment(const std::string& path) {
  const size_t dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

bool all_whole(const std::vector<double>& values, double scale) {
  return std::all_of(values.begin(), values.end(), [scale](double v) {
    return std::fabs(v * scale - std::round(v * scale)) < 1e-6;
  });
}

}  // namespace

void Translator::model_list(const JsonNode& doc) {
  const JsonNode* list = doc.find("model_list");
  if (list == nullptr) return;
  if (list->is_null() || (list->kind == Kind::kArray && list->items.empty())) {
    warn(list->line, "model_list", "no models: every request naming a model will be refused");
    return;
  }
  if (list->kind != Kind::kArray) {
    error(list->line, "model_list",
          "expected a list of models (- model_name: ... / litellm_params: ...), got " +
              std::string(kind_name(list->kind)));
    return;
  }
  for (size_t i = 0; i < list->items.size(); ++i) {
    entry(list->items[i], indexed("model_list", i));
  }
}

void Translator::entry(const JsonNode& item, const std::string& path) {
  if (item.kind != Kind::kObject) {
    error(item.line, path,
          "expected a mapping with model_name and litellm_params, got " +
              std::string(kind_name(item.kind)));
    return;
  }
  bool ok = true;
  std::string name;
  const JsonNode* name_node = item.find("model_name");
  const std::string name_path = join(path, "model_name");
  if (name_node == nullptr || name_node->is_null()) {
    error(item.line, name_path, "model_name is required (the name clients ask for)");
    ok = false;
  } else if (const UnsetVariable* variable = unset(name_path)) {
    error(name_node->line, name_path,
          "model_name comes from os.environ/" + variable->name + ", which is not set");
    ok = false;
  } else if (auto text = scalar_text(*name_node); !text || text->empty()) {
    error(name_node->line, name_path, "model_name must be a non-empty string");
    ok = false;
  } else {
    name = *text;
  }

  Params params;
  const JsonNode* lp = item.find("litellm_params");
  const std::string lp_path = join(path, "litellm_params");
  if (lp == nullptr || lp->is_null()) {
    error(item.line, join(lp_path, "model"),
          "litellm_params.model is required (the provider and model to call, e.g. "
          "bedrock/<model id>)");
    ok = false;
  } else if (lp->kind != Kind::kObject) {
    error(lp->line, lp_path, "expected a mapping, got " + std::string(kind_name(lp->kind)));
    ok = false;
  } else {
    params.settings.line = lp->line;
    params.params.line = lp->line;
    ok = model_target(*lp, lp_path, item.line, &params) && ok;
    ok = litellm_params(*lp, lp_path, &params) && ok;
  }

  // rpm / tpm: the entry's own, then litellm_params', then model_info's, as LiteLLM's usage-based
  // routing reads them.
  std::optional<uint64_t> entry_rpm, entry_tpm, info_rpm, info_tpm;
  int entry_rpm_line = 0, entry_tpm_line = 0, info_rpm_line = 0, info_tpm_line = 0;
  for (const auto& [key, value] : item.members) {
    const std::string key_path = join(path, key);
    if (key == "model_name" || key == "litellm_params") continue;
    if (key == "rpm" || key == "tpm") {
      ok = limit(value, key_path, key == "rpm" ? &entry_rpm : &entry_tpm) && ok;
      (key == "rpm" ? entry_rpm_line : entry_tpm_line) = value.line;
    } else if (key == "model_info" && value.kind == Kind::kObject) {
      for (const auto& [info_key, info_value] : value.members) {
        const std::string info_path = join(key_path, info_key);
        if (info_key == "rpm" || info_key == "tpm") {
          ok = limit(info_value, info_path, info_key == "rpm" ? &info_rpm : &info_tpm) && ok;
          (info_key == "rpm" ? info_rpm_line : info_tpm_line) = info_value.line;
        } else {
          ignore(info_value, info_path, "model_info");
        }
      }
    } else if (!value.is_null()) {
      ignore(value, key_path, key);
    }
  }
  if (!ok) return;
  if (name.find('*') != std::string::npos) {
    warn(name_node->line, name_path,
         "wildcard model names are not supported yet; this entry is ignored (sluice matches "
         "model names exactly)");
    return;
  }

  PendingDeployment& deployment = params.deployment;
  deployment.path = path;
  deployment.node = object_node(item.line);
  const int model_line = lp->find("model")->line;
  set(deployment.node, "provider",
      string_node(provider_for(params, lp->line, model_line), model_line));
  set(deployment.node, "model", string_node(params.model_id, model_line));
  auto put_limit = [&deployment](
                       const char* field,
                       std::initializer_list<std::pair<std::optional<uint64_t>, int>> sources) {
    for (const auto& [value, line] : sources) {
      if (!value) continue;
      set(deployment.node, field, number_node(*value, line));
      return;
    }
  };
  put_limit("rpm", {{entry_rpm, entry_rpm_line},
                    {deployment.shuffle_rpm, deployment.rpm_line},
                    {info_rpm, info_rpm_line}});
  put_limit("tpm", {{entry_tpm, entry_tpm_line},
                    {deployment.shuffle_tpm, deployment.tpm_line},
                    {info_tpm, info_tpm_line}});
  if (!params.params.members.empty()) set(deployment.node, "params", std::move(params.params));

  auto [it, inserted] = model_index_.emplace(name, models_.size());
  if (inserted) models_.push_back(PendingModel{name, item.line, name_node->line, {}});
  models_[it->second].deployments.push_back(std::move(deployment));
}

bool Translator::model_target(const JsonNode& lp, const std::string& lp_path, int entry_line,
                              Params* out) {
  const JsonNode* model = lp.find("model");
  const std::string path = join(lp_path, "model");
  if (model == nullptr || model->is_null()) {
    error(entry_line, path,
          "litellm_params.model is required (the provider and model to call, e.g. "
          "bedrock/<model id>)");
    return false;
  }
  if (const UnsetVariable* variable = unset(path)) {
    error(model->line, path,
          "model comes from os.environ/" + variable->name + ", which is not set");
    return false;
  }
  if (model->kind != Kind::kString || model->text.empty()) {
    error(model->line, path, "model must be a string such as bedrock/<model id>");
    return false;
  }
  std::string id = model->text;
  std::string type;
  const JsonNode* custom = lp.find("custom_llm_provider");
  const std::string custom_path = join(lp_path, "custom_llm_provider");
  if (custom != nullptr && !custom->is_null() && !warn_if_unset(custom_path)) {
    std::optional<std::string> text = scalar_text(*custom);
    if (!text || text->empty()) {
      error(custom->line, custom_path, "custom_llm_provider must be a provider name");
      return false;
    }
    type = *text;
    if (id.starts_with(type + "/")) id.erase(0, type.size() + 1);
  } else if (const size_t slash = id.find('/'); slash == std::string::npos) {
    type = "openai";  // LiteLLM's default provider
  } else {
    type = id.substr(0, slash);
    id.erase(0, slash + 1);
  }
  if (type == "bedrock") {
    // LiteLLM's route prefixes choose the Bedrock API; they are not part of the model id.
    if (id.starts_with("converse/")) {
      id.erase(0, std::string_view("converse/").size());
    } else if (id.starts_with("invoke/")) {
      id.erase(0, std::string_view("invoke/").size());
      warn(model->line, path,
           "LiteLLM's 'invoke/' route is not supported yet, ignored: sluice does not choose the "
           "Bedrock API per deployment");
    }
  }
  if (type.empty() || id.empty()) {
    error(model->line, path,
          "'" + model->text + "' names no model id after the provider (write provider/model-id)");
    return false;
  }
  out->type = std::move(type);
  out->model_id = std::move(id);
  return true;
}

bool Translator::litellm_params(const JsonNode& lp, const std::string& lp_path, Params* out) {
  bool ok = true;
  PendingDeployment& deployment = out->deployment;
  for (const auto& [key, value] : lp.members) {
    if (key == "model" || key == "custom_llm_provider") continue;  // model_target's
    const std::string path = join(lp_path, key);
    if (warn_if_unset(path) || value.is_null()) continue;  // LiteLLM: None is "not given"
    if (key == "api_base" || key == "base_url" || key == "api_key") {
      std::optional<std::string> text = scalar_text(value);
      if (!text) {
        error(value.line, path, key + " must be a string");
        ok = false;
        continue;
      }
      if (text->empty()) continue;
      auto& slot = key == "api_key" ? out->api_key : out->api_base;
      if (slot) {
        warn(value.line, path, "api_base is already given as base_url or api_base; ignored");
        continue;
      }
      slot.emplace(*text, value.line);
      if (key == "api_key") out_->secrets.push_back(*text);
    } else if (key == "weight") {
      std::optional<double> weight = real_number(value);
      if (!weight || !(*weight > 0) || *weight > static_cast<double>(kMaxUint32)) {
        error(value.line, path, "weight must be a number above 0 (at most 4294967295)");
        ok = false;
        continue;
      }
      deployment.weight = weight;
      deployment.weight_line = value.line;
    } else if (key == "rpm" || key == "tpm") {
      const bool rpm = key == "rpm";
      ok = limit(value, path, rpm ? &deployment.shuffle_rpm : &deployment.shuffle_tpm) && ok;
      (rpm ? deployment.rpm_line : deployment.tpm_line) = value.line;
    } else if (is_provider_setting(key)) {
      if (value.kind == Kind::kString && is_sensitive_key(key)) out_->secrets.push_back(value.text);
      set(out->settings, key, take(value, path));
    } else if (is_litellm_only(key)) {
      ignore(value, path, key);
    } else {
      set(out->params, key, take(value, path));
    }
  }
  return ok;
}

bool Translator::limit(const JsonNode& value, const std::string& path,
                       std::optional<uint64_t>* out) {
  if (warn_if_unset(path) || value.is_null()) return true;
  std::optional<uint64_t> number = whole_number(value);
  if (!number || *number > kMaxUint32) {
    error(value.line, path, last_segment(path) + " must be a whole number from 0 to 4294967295");
    return false;
  }
  *out = number;
  return true;
}

std::string Translator::provider_for(Params& params, int line, int type_line) {
  // Settings in key order, so that the same settings written in another order share a provider.
  std::stable_sort(params.settings.members.begin(), params.settings.members.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string key = params.type;
  for (const auto* part : {&params.api_base, &params.api_key}) {
    key += '\n';
    if (*part) key += (*part)->first;
  }
  key += '\n' + to_json(params.settings);
  for (const ProviderSlot& slot : providers_) {
    if (slot.key == key) return slot.name;
  }
  auto used = [this](const std::string& name) {
    return std::any_of(providers_.begin(), providers_.end(),
                       [&name](const ProviderSlot& slot) { return slot.name == name; });
  };
  std::string name = params.type;
  for (int n = 2; used(name); ++n) name = params.type + "-" + std::to_string(n);

  JsonNode node = object_node(line);
  set(node, "name", string_node(name, type_line));
  set(node, "type", string_node(params.type, type_line));
  if (params.api_base) {
    set(node, "api_base", string_node(params.api_base->first, params.api_base->second));
  }
  if (params.api_key) {
    set(node, "api_key", string_node(params.api_key->first, params.api_key->second));
  }
  if (!params.settings.members.empty()) set(node, "settings", std::move(params.settings));
  providers_.push_back(ProviderSlot{std::move(key), name, std::move(node)});
  return name;
}

void Translator::settle_weights(PendingModel& model) {
  std::vector<PendingDeployment>& deployments = model.deployments;
  const bool any_weight = std::any_of(deployments.begin(), deployments.end(),
                                      [](const PendingDeployment& d) { return d.weight; });
  std::vector<double> weights;
  std::vector<int> lines;
  bool proportional = false;  // weights from rpm / tpm, reduced to their smallest form
  if (any_weight) {
    for (const PendingDeployment& d : deployments) {
      if (!d.weight) {
        warn(d.node.line, join(d.path, "litellm_params.weight"),
             "no weight while other deployments of model '" + model.name +
                 "' have one: sluice gives it weight 1 (LiteLLM would give it no share, or "
                 "ignore every weight)");
      }
      weights.push_back(d.weight.value_or(1.0));
      lines.push_back(d.weight ? d.weight_line : d.node.line);
    }
  } else if (deployments.size() > 1) {
    // LiteLLM's simple-shuffle weighs by litellm_params.rpm, else tpm, when no weight is set.
    for (auto field : {&PendingDeployment::shuffle_rpm, &PendingDeployment::shuffle_tpm}) {
      const bool everywhere =
          std::all_of(deployments.begin(), deployments.end(),
                      [field](const PendingDeployment& d) { return (d.*field).value_or(0) > 0; });
      if (!everywhere) continue;
      for (const PendingDeployment& d : deployments) {
        weights.push_back(static_cast<double>(*(d.*field)));
        lines.push_back(field == &PendingDeployment::shuffle_rpm ? d.rpm_line : d.tpm_line);
      }
      proportional = true;
      break;
    }
  }
  if (weights.empty()) return;

  int decimals = 0;
  while (decimals < 3 && !all_whole(weights, std::pow(10.0, decimals))) ++decimals;
  const double scale = std::pow(10.0, decimals);
  std::vector<uint64_t> whole;
  for (double w : weights) {
    whole.push_back(
        std::clamp<uint64_t>(static_cast<uint64_t>(std::llround(w * scale)), 1, kMaxUint32));
  }
  if (decimals > 0 || proportional) {
    const uint64_t divisor = std::accumulate(whole.begin(), whole.end(), uint64_t{0},
                                             [](uint64_t a, uint64_t b) { return std::gcd(a, b); });
    for (uint64_t& w : whole) w /= divisor;
  }
  if (decimals > 0) {
    warn(lines.front(), join(deployments.front().path, "litellm_params.weight"),
         "the weights of model '" + model.name +
             "' have fractions: scaled to whole numbers in the same proportions");
  }
  for (size_t i = 0; i < deployments.size(); ++i) {
    set(deployments[i].node, "weight", number_node(whole[i], lines[i]));
  }
}

JsonNode Translator::models_node() {
  JsonNode models = array_node(0);
  for (PendingModel& model : models_) {
    settle_weights(model);
    JsonNode node = object_node(model.line);
    set(node, "name", string_node(model.name, model.name_line));
    JsonNode deployments = array_node(model.line);
    for (PendingDeployment& d : model.deployments) deployments.items.push_back(std::move(d.node));
    set(node, "deployments", std::move(deployments));
    models.items.push_back(std::move(node));
  }
  return models;
}

}  // namespace sluice::config::detail::litellm
