// The Anthropic adapter against its golden files: golden/request (OpenAI body in, Messages API
// body out), golden/response (Messages API answer in, chat.completion out), golden/stream (an
// Anthropic SSE transcript in, the chunks out, one per line) and golden/errors (status and body
// in, the failure out). Failures are written as {"failure":{...}}.

#include <gtest/gtest.h>

#include "providers/anthropic/adapter.h"
#include "test/providers/golden_checks.h"

namespace sluice::providers::anthropic {
namespace {

namespace fs = std::filesystem;
using golden::normalised;

const fs::path kGolden = fs::path(SLUICE_SOURCE_DIR) / "test/providers/anthropic/golden";
constexpr std::string_view kKey = "sk-ant-api03-secret-key-0123456789";

Deployment golden_deployment() {
  Deployment deployment;
  deployment.name = "my-claude#0";
  deployment.provider_type = "anthropic";
  deployment.model = "claude-sonnet-4-5";
  deployment.api_key = std::string(kKey);
  deployment.settings["allow_image_urls"] = "true";
  return deployment;
}

ResponseContext golden_context() {
  return ResponseContext{
      .client_model = "my-claude", .response_id = "chatcmpl-sluice-1", .created = 1700000000};
}

TEST(AnthropicGolden, Requests) {
  const auto adapter = make_anthropic_adapter();
  const auto inputs = golden::case_inputs(kGolden / "request", ".in.json");
  ASSERT_GE(inputs.size(), 10u);
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    UpstreamRequest request;
    Failure failure;
    std::string actual =
        adapter->build_request(Endpoint::chat_completions, golden::read_file(input),
                               golden_deployment(), &request, &failure)
            ? request.body
            : golden::failure_json(failure);
    EXPECT_EQ(normalised(actual),
              normalised(golden::read_file(golden::expected_for(input, ".in.json", ".out.json"))));
  }
}

TEST(AnthropicGolden, Responses) {
  golden::check_response_cases(*make_anthropic_adapter(), kGolden / "response", golden_context(),
                               9);
}

TEST(AnthropicGolden, Streams) {
  golden::check_stream_cases(*make_anthropic_adapter(), kGolden / "stream", golden_context(), 9);
}

TEST(AnthropicGolden, Errors) {
  golden::check_error_cases(*make_anthropic_adapter(), kGolden / "errors", golden_deployment(), 11);
}

}  // namespace
}  // namespace sluice::providers::anthropic
