#pragma once
// Shared pieces of the Gemini adapter tests: the deployments the golden cases run against, the
// fixed response context and where the golden files are (the rest: test/providers/golden_files.h).

#include <string>
#include <string_view>

#include "providers/common/adapter.h"
#include "test/providers/golden_files.h"

namespace sluice::providers::gemini::testing {

using providers::testing::failure_json;
using providers::testing::normalise_json;
using providers::testing::read_file;

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

inline ResponseContext test_context() {
  ResponseContext context;
  context.client_model = "my-model";
  context.response_id = "chatcmpl-fallback";
  context.created = 1700000000;
  return context;
}

inline std::string golden_dir() {
  return std::string(SLUICE_SOURCE_DIR) + "/test/providers/gemini/golden";
}

}  // namespace sluice::providers::gemini::testing
