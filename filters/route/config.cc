// route: config parsing through the filter's proto (unknown fields rejected) and the model table.

#include "filters/route/config.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "filters/common/json_text.h"
#include "filters/common/proto_config.h"
#include "filters/common/registry.h"
#include "filters/route/route.pb.h"

namespace sluice::filters::route {
namespace {

// protobuf's JSON parser takes both spellings of a field name; a repeated field cannot say
// whether it was given empty or left out, so its presence is read from the text itself.
bool has_member(std::string_view json, const char* snake, const char* camel) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  return doc.IsObject() && (doc.HasMember(snake) || doc.HasMember(camel));
}

std::string render_models_list(const std::vector<Model>& models) {
  std::string out = "{\"object\":\"list\",\"data\":[";
  for (size_t i = 0; i < models.size(); ++i) {
    if (i) out.push_back(',');
    out += "{\"id\":";
    common::append_json_string(out, models[i].name);
    out += ",\"object\":\"model\",\"created\":0,\"owned_by\":\"sluice\"}";
  }
  out += "]}";
  return out;
}

}  // namespace

const Model* Config::find(std::string_view name) const {
  auto it = model_index.find(name);
  return it == model_index.end() ? nullptr : &models[it->second];
}

bool Config::retryable(uint32_t status) const {
  if (status == 0) return retry_on_connect_failure;
  return std::find(retry_statuses.begin(), retry_statuses.end(), status) != retry_statuses.end();
}

uint32_t Config::max_attempts(size_t targets) const {
  uint64_t attempts = static_cast<uint64_t>(num_retries + 1) * std::min(targets, kMaxTargets);
  return static_cast<uint32_t>(std::clamp<uint64_t>(attempts, 1, kMaxAttempts));
}

std::unique_ptr<Config> Config::create(ConfigContext& context, std::string_view json,
                                       std::string& error) {
  v1::Route proto;
  if (!common::parse_proto_config(json, &proto, error)) return nullptr;
  auto config = std::make_unique<Config>();
  if (proto.has_num_retries()) config->num_retries = proto.num_retries();
  if (config->num_retries > kMaxRetries) {
    error = "num_retries must be at most " + std::to_string(kMaxRetries) + ", got " +
            std::to_string(config->num_retries);
    return nullptr;
  }
  if (has_member(json, "retry_statuses", "retryStatuses")) {
    config->retry_statuses.assign(proto.retry_statuses().begin(), proto.retry_statuses().end());
  }
  for (uint32_t status : config->retry_statuses) {
    if (status < 400 || status > 599) {
      error = "retry_statuses: " + std::to_string(status) + " is not an error status (400-599)";
      return nullptr;
    }
  }
  if (proto.has_backoff_base_ms()) config->backoff_base_ms = proto.backoff_base_ms();
  if (proto.has_backoff_max_ms()) config->backoff_max_ms = proto.backoff_max_ms();
  if (config->backoff_max_ms != 0 && config->backoff_max_ms < config->backoff_base_ms) {
    error = "backoff_max_ms (" + std::to_string(config->backoff_max_ms) +
            ") must not be below backoff_base_ms (" + std::to_string(config->backoff_base_ms) + ")";
    return nullptr;
  }
  if (proto.has_retry_on_connect_failure()) {
    config->retry_on_connect_failure = proto.retry_on_connect_failure();
  }
  config->per_try_timeout_ms = proto.per_try_timeout_ms();

  common::Registry registry;
  if (!common::read_registry(context, &registry, error)) return nullptr;
  for (auto& model : registry.models) {
    Model entry;
    entry.name = std::move(model.name);
    for (auto& d : model.deployments) {
      entry.deployments.push_back({std::move(d.id), std::move(d.provider),
                                   std::move(d.provider_type), std::move(d.model),
                                   std::max<uint32_t>(d.weight, 1)});
    }
    if (entry.name.empty() || entry.deployments.empty()) continue;  // the loader refuses these
    config->model_index.emplace(entry.name, config->models.size());
    config->models.push_back(std::move(entry));
  }
  config->models_list = render_models_list(config->models);
  return config;
}

}  // namespace sluice::filters::route
