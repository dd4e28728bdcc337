#pragma once
// direct_response: the configuration, parsed and validated once per configured instance.

#include <sluice/filter.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::filters::direct_response {

struct Config {
  Config() = default;
  Config(const Config&) = delete;  // abi_headers points into headers
  Config& operator=(const Config&) = delete;

  uint32_t status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The same headers as the ABI takes them, built once: views into `headers`, which never changes
  // after create().
  std::vector<sluice_header> abi_headers;

  static std::unique_ptr<Config> create(ConfigContext& context, std::string_view json,
                                        std::string& error);
};

}  // namespace sluice::filters::direct_response
