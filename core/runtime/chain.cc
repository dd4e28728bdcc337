// Chain compilation and matching.

#include "core/runtime/chain.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/runtime/registry_json.h"

namespace sluice::runtime {

FilterInstance::~FilterInstance() {
  if (config && type && type->hooks.config_destroy) type->hooks.config_destroy(config);
}

bool Chain::matches(std::string_view method, std::string_view path) const {
  if (!methods.empty()) {
    bool allowed = false;
    for (const auto& m : methods) allowed = allowed || m == method;
    if (!allowed) return false;
  }
  // Whole segments: "/v1" matches "/v1" and "/v1/x", not "/v1x". "/" matches everything.
  if (path_prefix == "/" || path_prefix.empty()) return true;
  std::string_view prefix = path_prefix;
  if (prefix.back() == '/') prefix.remove_suffix(1);
  if (path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/' || path[prefix.size()] == '?';
}

std::shared_ptr<const RuntimeConfig> RuntimeConfig::build(
    std::shared_ptr<const config::LoadedConfig> loaded, PluginCatalog& catalog,
    std::vector<config::Diagnostic>* errors) {
  auto runtime = std::shared_ptr<RuntimeConfig>(new RuntimeConfig());
  runtime->config_ = loaded;
  const auto& bootstrap = loaded->bootstrap;
  size_t errors_before = errors->size();
  const std::string registry = registry_json(bootstrap);

  auto fail = [&](const std::string& path, std::string message) {
    errors->push_back(
        config::Diagnostic{loaded->file, loaded->line_of(path), path, std::move(message)});
  };

  for (int c = 0; c < bootstrap.chains_size(); ++c) {
    const auto& spec = bootstrap.chains(c);
    auto chain = std::make_unique<Chain>();
    chain->name = spec.name();
    chain->stats = std::make_unique<ChainStats>(chain->name);
    chain->path_prefix = spec.match().path_prefix();
    chain->methods.assign(spec.match().methods().begin(), spec.match().methods().end());
    for (int f = 0; f < spec.filters_size(); ++f) {
      const auto& filter_spec = spec.filters(f);
      std::string path = fmt::format("chains[{}].filters[{}]", c, f);
      std::string error;
      const FilterType* type = catalog.find(filter_spec.type(), filter_spec.library(), &error);
      if (!type) {
        fail(path + (filter_spec.library().empty() ? ".type" : ".library"), error);
        continue;
      }
      auto instance = std::make_unique<FilterInstance>();
      instance->name = filter_spec.name();
      instance->type = type;
      instance->fail_open =
          filter_spec.failure_policy() == config::v1::FailurePolicy::FAILURE_POLICY_OPEN;
      instance->handle = std::make_unique<sluice_config>();
      instance->handle->chain = chain->name;
      instance->handle->filter = instance->name;
      instance->handle->type = type->type_name;
      if (type->hooks.config_new) {
        const std::string& json = loaded->filter_config_json.at(c).at(f);
        char message[1024] = {0};
        instance->handle->defining = true;
        instance->handle->registry = &registry;
        instance->config = type->hooks.config_new(host_api(), instance->handle.get(),
                                                  sluice_str_of(json.data(), json.size()), message,
                                                  sizeof(message));
        instance->handle->defining = false;
        instance->handle->registry = nullptr;
        if (!instance->config) {
          fail(path + ".config",
               fmt::format("filter '{}' ({}) refused its config: {}", instance->name,
                           type->type_name, message[0] ? message : "no reason given"));
          continue;
        }
      }
      if (type->is_router() && chain->router_index == Chain::kNoRouter) {
        chain->router_index = chain->filters.size();
      }
      chain->filters.push_back(std::move(instance));
    }
    runtime->chains_.push_back(std::move(chain));
  }
  if (errors->size() != errors_before) return nullptr;
  for (const auto& model : bootstrap.models()) {
    for (int i = 0; i < model.deployments_size(); ++i) {
      const auto& t = model.deployments(i).timeouts();
      UpstreamTimeouts timeouts;
      if (t.connect_ms()) timeouts.connect_ms = t.connect_ms();
      if (t.first_byte_ms()) timeouts.first_byte_ms = t.first_byte_ms();
      if (t.idle_ms()) timeouts.idle_ms = t.idle_ms();
      if (t.total_ms()) timeouts.total_ms = t.total_ms();
      runtime->timeouts_.emplace_back(model.name() + "#" + std::to_string(i), timeouts);
    }
  }
  std::sort(runtime->timeouts_.begin(), runtime->timeouts_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return runtime;
}

UpstreamTimeouts RuntimeConfig::timeouts_for(std::string_view deployment_id) const {
  auto it =
      std::lower_bound(timeouts_.begin(), timeouts_.end(), deployment_id,
                       [](const auto& entry, std::string_view id) { return entry.first < id; });
  return it != timeouts_.end() && it->first == deployment_id ? it->second : UpstreamTimeouts{};
}

std::optional<std::string> RuntimeConfig::check_filter(PluginCatalog& catalog,
                                                       const std::string& type,
                                                       const std::string& library,
                                                       const std::string& config_json) {
  std::string error;
  const FilterType* filter = catalog.find(type, library, &error);
  if (!filter) return error;
  if (!filter->hooks.config_new) return std::nullopt;
  sluice_config handle;
  handle.filter = type;
  handle.type = type;
  handle.defining = true;
  const std::string registry = "{\"providers\":[],\"models\":[]}";
  handle.registry = &registry;
  char message[1024] = {0};
  void* config = filter->hooks.config_new(host_api(), &handle,
                                          sluice_str_of(config_json.data(), config_json.size()),
                                          message, sizeof(message));
  if (!config) {
    return fmt::format("filter type '{}' refused its config: {}", type,
                       message[0] ? message : "no reason given");
  }
  if (filter->hooks.config_destroy) filter->hooks.config_destroy(config);
  return std::nullopt;
}

const Chain* RuntimeConfig::match(std::string_view method, std::string_view path) const {
  for (const auto& chain : chains_) {
    if (chain->matches(method, path)) return chain.get();
  }
  return nullptr;
}

}  // namespace sluice::runtime
