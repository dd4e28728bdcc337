#pragma once
// The LiteLLM translator's parts shared by litellm.cc (settings, assembly) and litellm_models.cc
// (model_list). Internal to those two files.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config/json_tree.h"
#include "core/config/litellm.h"
#include "core/config/yaml_to_json.h"

namespace sluice::config::detail::litellm {

std::string join(std::string_view path, std::string_view key);
std::string indexed(std::string_view path, size_t index);

JsonNode object_node(int line);
JsonNode array_node(int line);
JsonNode string_node(std::string text, int line);
JsonNode number_node(uint64_t value, int line);
void set(JsonNode& object, std::string key, JsonNode value);

// A scalar as text: a string as it is, a number or bool as written; nullopt otherwise.
std::optional<std::string> scalar_text(const JsonNode& node);
// A number, or a string holding one (values from os.environ/VAR are strings).
std::optional<double> real_number(const JsonNode& node);
// A whole number, 0 or more.
std::optional<uint64_t> whole_number(const JsonNode& node);

// Walks one LiteLLM document and builds the sluice one. Call top_level, model_list and settings
// (each records its errors and warnings in the LitellmTranslation), then assemble.
class Translator {
 public:
  Translator(const std::string& file, const std::vector<UnsetVariable>& unset,
             LitellmTranslation* out);

  void top_level(const JsonNode& doc);  // top-level keys other than the four sections
  void model_list(const JsonNode& doc);
  void settings(const JsonNode& doc);  // router_settings, litellm_settings, general_settings
  JsonNode assemble(const JsonNode& doc);

 private:
  // One deployment of a model, waiting for its model's weights to be settled.
  struct PendingDeployment {
    JsonNode node;     // {provider, model, rpm, tpm, params}; weight added by models_node()
    std::string path;  // "model_list[3]"
    std::optional<double> weight;
    int weight_line = 0;
    // litellm_params.rpm / tpm: what LiteLLM's simple-shuffle weighs by when no weight is set.
    std::optional<uint64_t> shuffle_rpm, shuffle_tpm;
    int rpm_line = 0, tpm_line = 0;
  };
  struct PendingModel {
    std::string name;
    int line = 0, name_line = 0;
    std::vector<PendingDeployment> deployments;
  };
  struct ProviderSlot {
    std::string key;  // type, api_base, api_key and settings, for sharing the provider
    std::string name;
    JsonNode node;
  };
  // What one litellm_params block contributes, before it is split into provider and deployment.
  struct Params {
    std::string type, model_id;
    std::optional<std::pair<std::string, int>> api_base, api_key;  // value, line
    JsonNode settings = object_node(0);
    JsonNode params = object_node(0);
    PendingDeployment deployment;
  };

  void error(int line, const std::string& path, std::string message);
  void warn(int line, const std::string& path, std::string message);
  // "not supported yet, ignored", with what the key is about when known.
  void ignore(const JsonNode& value, const std::string& path, std::string_view key);

  const UnsetVariable* unset(const std::string& path) const;
  // Warns when the value at `path` came from an unset os.environ/VAR; true then.
  bool warn_if_unset(const std::string& path);
  // A copy of `node` without its members that came from unset variables (each warned about).
  JsonNode take(const JsonNode& node, const std::string& path);

  std::optional<uint64_t> setting_number(const JsonNode& value, const std::string& path,
                                         std::string_view what);
  std::optional<double> setting_seconds(const JsonNode& value, const std::string& path);

  // litellm_models.cc
  void entry(const JsonNode& item, const std::string& path);
  bool model_target(const JsonNode& params, const std::string& path, int entry_line, Params* out);
  bool litellm_params(const JsonNode& params, const std::string& path, Params* out);
  bool limit(const JsonNode& value, const std::string& path, std::optional<uint64_t>* out);
  std::string provider_for(Params& params, int line, int type_line);
  JsonNode models_node();
  void settle_weights(PendingModel& model);

  const std::string& file_;
  LitellmTranslation* out_;
  std::map<std::string, UnsetVariable, std::less<>> unset_;  // by YAML path
  std::vector<ProviderSlot> providers_;
  std::vector<PendingModel> models_;
  std::map<std::string, size_t, std::less<>> model_index_;
  std::vector<std::pair<std::string, JsonNode>> route_config_;
};

}  // namespace sluice::config::detail::litellm
