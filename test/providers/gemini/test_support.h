#pragma once
// Shared pieces of the Gemini adapter tests: the deployments the golden cases run against, the
// fixed response context and where the golden files are (the rest: test/providers/golden_files.h).

#include <string>
#include <string_view>

#include "providers/common/adapter.h"
#include "test/providers/golden_files.h"

namespace sluice::providers::gemini::testing {

using providers::testing::failure_json;
using providers::testing::golden_response_context;
using providers::testing::normalise_json;
using providers::testing::read_file;

// Where this adapter's golden files are.
inline std::string golden_dir() {
  return providers::testing::golden_dir_of("gemini");
}

inline constexpr std::string_view kApiKey = "AIzaSyTEST-not-a-real-key-0123456789";

inline Deployment gemini_deployment() {
  Deployment deployment;
  deployment.name = "my-gemini#0";
  deployment.provider_type = "gemini";
  deployment.model = "gemini-2.0-flash";
  deployment.api_key = std::string(kApiKey);
  return deployment;
}

inline Deployment vertex_deployment(std::string location = "us-central1") {
  Deployment deployment;
  deployment.name = "my-vertex#0";
  deployment.provider_type = "vertex_ai";
  deployment.model = "gemini-2.0-flash";
  deployment.settings = {{"vertex_project", "my-project"}, {"vertex_location", location}};
  return deployment;
}

}  // namespace sluice::providers::gemini::testing
