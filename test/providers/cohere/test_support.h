#pragma once
// Shared pieces of the Cohere adapter tests: the deployment the golden cases run against, the
// fixed response context and where the golden files are (the rest: test/providers/golden_files.h).

#include <string>
#include <string_view>

#include "providers/common/adapter.h"
#include "test/providers/golden_files.h"

namespace sluice::providers::cohere::testing {

using providers::testing::failure_json;
using providers::testing::golden_response_context;
using providers::testing::normalise_json;
using providers::testing::read_file;

// Where this adapter's golden files are.
inline std::string golden_dir() {
  return providers::testing::golden_dir_of("cohere");
}

inline constexpr std::string_view kApiKey = "co-TEST-not-a-real-key-0123456789";

inline Deployment cohere_deployment() {
  Deployment deployment;
  deployment.name = "my-cohere#0";
  deployment.provider_type = "cohere";
  deployment.model = "command-a-03-2025";
  deployment.api_key = std::string(kApiKey);
  return deployment;
}

}  // namespace sluice::providers::cohere::testing
