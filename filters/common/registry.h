#pragma once
// Header-only: the model registry as config_registry hands it to config_new (sluice/filter.h,
// 1.2), parsed into plain structs. The document holds credentials: nothing here logs it, and
// errors name ids and fields, never values.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/filter.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/support/json_writer.h"

namespace sluice::filters::common {

struct RegistryProvider {
  std::string name, type, api_base, api_key;
  // Provider settings (region, api_version, ...): a string as it is, anything else as JSON text.
  std::vector<std::pair<std::string, std::string>> settings;
};

struct RegistryDeployment {
  std::string id;  // "<model name>#<index>"
  std::string provider, provider_type, model;
  uint32_t weight = 1;
  std::string api_base, api_key;
  std::vector<std::pair<std::string, std::string>> params;  // name, JSON text of the value
};

struct RegistryModel {
  std::string name;
  std::vector<RegistryDeployment> deployments;
};

struct Registry {
  std::vector<RegistryProvider> providers;
  std::vector<RegistryModel> models;
};

namespace registry_detail {

inline std::string string_member(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

inline std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  providers::support::JsonWriter writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace registry_detail

// Parses the registry document. False with *error on a malformed document.
inline bool parse_registry(std::string_view json, Registry* out, std::string& error) {
  using registry_detail::string_member;
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    error = "the host's model registry is not a JSON object";
    return false;
  }
  if (auto it = doc.FindMember("providers"); it != doc.MemberEnd() && it->value.IsArray()) {
    for (const auto& p : it->value.GetArray()) {
      if (!p.IsObject()) continue;
      RegistryProvider provider{string_member(p, "name"),
                                string_member(p, "type"),
                                string_member(p, "api_base"),
                                string_member(p, "api_key"),
                                {}};
      if (auto s = p.FindMember("settings"); s != p.MemberEnd() && s->value.IsObject()) {
        for (const auto& setting : s->value.GetObject()) {
          provider.settings.emplace_back(
              std::string(setting.name.GetString(), setting.name.GetStringLength()),
              setting.value.IsString()
                  ? std::string(setting.value.GetString(), setting.value.GetStringLength())
                  : registry_detail::to_json(setting.value));
        }
      }
      out->providers.push_back(std::move(provider));
    }
  }
  if (auto it = doc.FindMember("models"); it != doc.MemberEnd() && it->value.IsArray()) {
    for (const auto& m : it->value.GetArray()) {
      if (!m.IsObject()) continue;
      RegistryModel model;
      model.name = string_member(m, "name");
      auto deployments = m.FindMember("deployments");
      if (deployments != m.MemberEnd() && deployments->value.IsArray()) {
        for (const auto& d : deployments->value.GetArray()) {
          if (!d.IsObject()) continue;
          RegistryDeployment deployment;
          deployment.id = string_member(d, "id");
          deployment.provider = string_member(d, "provider");
          deployment.provider_type = string_member(d, "provider_type");
          deployment.model = string_member(d, "model");
          deployment.api_base = string_member(d, "api_base");
          deployment.api_key = string_member(d, "api_key");
          if (auto w = d.FindMember("weight"); w != d.MemberEnd() && w->value.IsUint()) {
            deployment.weight = w->value.GetUint();
          }
          if (auto p = d.FindMember("params"); p != d.MemberEnd() && p->value.IsObject()) {
            for (const auto& param : p->value.GetObject()) {
              deployment.params.emplace_back(
                  std::string(param.name.GetString(), param.name.GetStringLength()),
                  registry_detail::to_json(param.value));
            }
          }
          model.deployments.push_back(std::move(deployment));
        }
      }
      out->models.push_back(std::move(model));
    }
  }
  return true;
}

// Reads and parses the registry inside config_new.
inline bool read_registry(const ConfigContext& context, Registry* out, std::string& error) {
  sluice_str json{};
  if (!context.api()->config_registry(context.handle(), &json)) {
    error = "the host gave no model registry (config_registry needs ABI 1.2, inside config_new)";
    return false;
  }
  return parse_registry(detail::view(json), out, error);
}

}  // namespace sluice::filters::common
