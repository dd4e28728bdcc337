// Truncated and corrupted input never crashes the Mistral adapter, and whatever it does produce
// is well-formed: a request body or answer that is valid JSON, or a failure with a status and a
// message. Every golden input is cut at every byte and has bytes overwritten (a fixed seed, so
// every run tries the same texts).

#include <gtest/gtest.h>

#include "providers/mistral/adapter.h"
#include "test/providers/golden_checks.h"

namespace sluice::providers::mistral {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(SLUICE_SOURCE_DIR) / "test/providers/mistral/golden";

Deployment deployment() {
  Deployment d;
  d.name = "my-mistral#0";
  d.provider_type = "mistral";
  d.model = "mistral-large-latest";
  d.api_key = "mistral-key-0123456789abcdef";
  return d;
}

constexpr ResponseContext kContext{.client_model = "m", .response_id = "id", .created = 1};

TEST(MistralRobustness, DamagedRequestsGiveJsonOrAFailure) {
  EXPECT_GT(
      golden::check_damaged_requests(*make_mistral_adapter(), kGolden / "request", deployment()),
      500u);
}

TEST(MistralRobustness, DamagedAnswersGiveJsonOrAFailure) {
  golden::check_damaged_answers(*make_mistral_adapter(), kGolden / "response", kContext);
}

TEST(MistralRobustness, DamagedErrorBodiesGiveASoundFailure) {
  golden::check_damaged_error_bodies(*make_mistral_adapter(), kGolden / "errors", deployment());
}

TEST(MistralRobustness, DamagedStreamEventsGiveJsonChunksOrAFailure) {
  golden::check_damaged_stream_events(*make_mistral_adapter(), kGolden / "stream", kContext);
}

}  // namespace
}  // namespace sluice::providers::mistral
