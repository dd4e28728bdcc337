// Truncated and corrupted input never crashes the Azure OpenAI adapter, and whatever it does
// produce is well-formed: a request body or answer that is valid JSON, or a failure with a
// status and a message. Every golden input is cut at every byte and has bytes overwritten
// (a fixed seed, so every run tries the same texts).

#include <gtest/gtest.h>

#include "providers/azure/adapter.h"
#include "test/providers/golden_checks.h"

namespace sluice::providers::azure {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(SLUICE_SOURCE_DIR) / "test/providers/azure/golden";

Deployment deployment() {
  Deployment d;
  d.name = "my-gpt#0";
  d.provider_type = "azure";
  d.base_url = "https://contoso.openai.azure.com";
  d.model = "gpt-4o-prod";
  d.api_key = "azure-key-0123456789abcdef";
  d.settings["api_version"] = "2024-10-21";
  return d;
}

constexpr ResponseContext kContext{.client_model = "m", .response_id = "id", .created = 1};

TEST(AzureRobustness, DamagedRequestsGiveJsonOrAFailure) {
  EXPECT_GT(
      golden::check_damaged_requests(*make_azure_adapter(), kGolden / "request", deployment()),
      500u);
}

TEST(AzureRobustness, DamagedAnswersGiveJsonOrAFailure) {
  golden::check_damaged_answers(*make_azure_adapter(), kGolden / "response", kContext);
}

TEST(AzureRobustness, DamagedErrorBodiesGiveASoundFailure) {
  golden::check_damaged_error_bodies(*make_azure_adapter(), kGolden / "errors", deployment());
}

TEST(AzureRobustness, DamagedStreamEventsGiveJsonChunksOrAFailure) {
  golden::check_damaged_stream_events(*make_azure_adapter(), kGolden / "stream", kContext);
}

}  // namespace
}  // namespace sluice::providers::azure
