#pragma once
// Compiled chains: the filter instances of every chain in one configuration, ready to serve.
// A RuntimeConfig is immutable once built and shared (std::shared_ptr) by every request that
// started under it, so a reload swaps in a new one while in-flight requests finish on the old.
// Thread-safety: const methods are safe from any thread.

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/loader.h"
#include "core/runtime/host_api.h"
#include "core/runtime/plugin_loader.h"
#include "core/runtime/runtime_metrics.h"
#include "core/runtime/upstream.h"

namespace sluice::runtime {

// One configured filter in one chain. Owns the plugin's config object.
struct FilterInstance {
  std::string name;
  const FilterType* type = nullptr;
  bool fail_open = false;
  std::unique_ptr<sluice_config> handle;
  void* config = nullptr;  // the plugin's object

  FilterInstance() = default;
  FilterInstance(const FilterInstance&) = delete;
  FilterInstance& operator=(const FilterInstance&) = delete;
  ~FilterInstance();
};

class Chain {
 public:
  static constexpr size_t kNoRouter = std::numeric_limits<size_t>::max();

  std::string name;
  std::string path_prefix;
  std::vector<std::string> methods;  // empty = any
  std::vector<std::unique_ptr<FilterInstance>> filters;
  // The first filter that can route (has on_attempt_done). Filters after it run once per
  // upstream attempt; without one, some filter must answer with a local reply.
  size_t router_index = kNoRouter;
  std::unique_ptr<ChainStats> stats;

  bool matches(std::string_view method, std::string_view path) const;
};

class RuntimeConfig {
 public:
  // Loads every filter type the chains name and builds each instance through its config_new.
  // Errors carry the file, line and path of the offending filter.
  static std::shared_ptr<const RuntimeConfig> build(
      std::shared_ptr<const config::LoadedConfig> config, PluginCatalog& catalog,
      std::vector<config::Diagnostic>* errors);

  // Builds and destroys one filter config to see whether its plugin accepts it (for `sluice
  // validate` on a file that cannot be loaded whole). nullopt when accepted, else the message.
  static std::optional<std::string> check_filter(PluginCatalog& catalog, const std::string& type,
                                                 const std::string& library,
                                                 const std::string& config_json);

  // The first chain matching the request, or nullptr.
  const Chain* match(std::string_view method, std::string_view path) const;

  const config::LoadedConfig& config() const { return *config_; }
  const config::v1::Bootstrap& bootstrap() const { return config_->bootstrap; }
  const std::vector<std::unique_ptr<Chain>>& chains() const { return chains_; }
  // Upstream timeouts of a deployment by its registry id ("<model>#<index>"); defaults for an
  // unknown id.
  UpstreamTimeouts timeouts_for(std::string_view deployment_id) const;

 private:
  std::shared_ptr<const config::LoadedConfig> config_;
  std::vector<std::unique_ptr<Chain>> chains_;
  std::vector<std::pair<std::string, UpstreamTimeouts>> timeouts_;  // sorted by deployment id
};

}  // namespace sluice::runtime
