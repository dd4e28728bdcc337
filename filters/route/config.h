#pragma once
// route: the configuration, parsed and validated once per configured instance, plus the model
// table built from the host's registry. Read-only once built: every worker thread shares it.

#include <sluice/filter.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::filters::route {

struct Deployment {
  std::string id;             // "<model name>#<index>", the registry's deployment id
  std::string provider;       // provider name
  std::string provider_type;  // "openai", "anthropic", ...
  std::string model;          // the provider's own model id
  uint32_t weight = 1;
};

struct Model {
  std::string name;
  std::vector<Deployment> deployments;
};

struct Config {
  // The host caps one request at 32 attempts and one plan at 64 targets (see request_stream.cc).
  static constexpr uint32_t kMaxAttempts = 32;
  static constexpr size_t kMaxTargets = 64;
  static constexpr uint32_t kMaxRetries = 10;

  uint32_t num_retries = 2;
  std::vector<uint32_t> retry_statuses = {429, 500, 502, 503, 504, 529};  // 529: overloaded
  uint32_t backoff_base_ms = 200;
  uint32_t backoff_max_ms = 10000;
  bool retry_on_connect_failure = true;
  uint32_t per_try_timeout_ms = 0;

  std::vector<Model> models;  // in config order
  std::map<std::string, size_t, std::less<>> model_index;
  std::string models_list;  // the GET /v1/models answer, rendered once

  const Model* find(std::string_view name) const;
  // A status that calls for another attempt; 0 means no response head arrived.
  bool retryable(uint32_t status) const;
  // Attempts a plan over `targets` deployments allows.
  uint32_t max_attempts(size_t targets) const;

  static std::unique_ptr<Config> create(ConfigContext& context, std::string_view json,
                                        std::string& error);
};

}  // namespace sluice::filters::route
