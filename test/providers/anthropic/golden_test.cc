// The Anthropic adapter against its golden files: golden/request (OpenAI body in, Messages API
// body out), golden/response (Messages API answer in, chat.completion out), golden/stream (an
// Anthropic SSE transcript in, the chunks out, one per line) and golden/errors (status and body
// in, the failure out). Failures are written as {"failure":{...}}.

#include <gtest/gtest.h>

#include "providers/anthropic/adapter.h"
#include "test/providers/golden_support.h"

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
  const auto adapter = make_anthropic_adapter();
  const auto inputs = golden::case_inputs(kGolden / "response", ".in.json");
  ASSERT_GE(inputs.size(), 9u);
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    std::string out;
    Failure failure;
    std::string actual =
        adapter->translate_response(Endpoint::chat_completions, golden::read_file(input),
                                    golden_context(), &out, &failure)
            ? out
            : golden::failure_json(failure);
    EXPECT_EQ(normalised(actual),
              normalised(golden::read_file(golden::expected_for(input, ".in.json", ".out.json"))));
  }
}

TEST(AnthropicGolden, Streams) {
  const auto adapter = make_anthropic_adapter();
  const auto inputs = golden::case_inputs(kGolden / "stream", ".in.sse");
  ASSERT_GE(inputs.size(), 9u);
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    auto decoder = adapter->stream_decoder(Endpoint::chat_completions, golden_context());
    const auto actual = golden::decode_all(*decoder, golden::sse_data(golden::read_file(input)));
    const auto expected =
        golden::json_lines(golden::read_file(golden::expected_for(input, ".in.sse", ".out.jsonl")));
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(actual, expected);
  }
}

TEST(AnthropicGolden, Errors) {
  const auto adapter = make_anthropic_adapter();
  const auto inputs = golden::case_inputs(kGolden / "errors", ".in.txt");
  ASSERT_GE(inputs.size(), 11u);
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    const auto error = golden::read_error_case(golden::read_file(input));
    const Failure failure = adapter->translate_error(error.status, error.body, golden_deployment());
    EXPECT_EQ(normalised(golden::failure_json(failure)),
              normalised(golden::read_file(golden::expected_for(input, ".in.txt", ".out.json"))));
    EXPECT_EQ(failure.message.find(kKey), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::providers::anthropic
