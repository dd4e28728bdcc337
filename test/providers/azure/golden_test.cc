// The Azure OpenAI adapter against its golden files: golden/request ("<endpoint>.<case>": the
// OpenAI body in, the whole upstream request out: method, URL, headers, stream flag and body),
// golden/response, golden/stream (an SSE transcript in, one chunk per line out) and golden/errors
// (status line and body in). Failures are written as {"failure":{...}}.

#include <gtest/gtest.h>

#include "providers/azure/adapter.h"
#include "test/providers/golden_support.h"

namespace sluice::providers::azure {
namespace {

namespace fs = std::filesystem;
using golden::normalised;

const fs::path kGolden = fs::path(SLUICE_SOURCE_DIR) / "test/providers/azure/golden";
constexpr std::string_view kKey = "azure-key-0123456789abcdef";

Deployment golden_deployment() {
  Deployment deployment;
  deployment.name = "my-gpt#0";
  deployment.provider_type = "azure";
  deployment.base_url = "https://contoso.openai.azure.com";
  deployment.model = "gpt-4o-prod";
  deployment.api_key = std::string(kKey);
  deployment.settings["api_version"] = "2024-10-21";
  return deployment;
}

ResponseContext golden_context() {
  return ResponseContext{
      .client_model = "my-gpt", .response_id = "chatcmpl-sluice-1", .created = 1700000000};
}

Endpoint endpoint_of(const fs::path& input) {
  const std::string name = input.filename().string();
  if (name.starts_with("completions.")) return Endpoint::completions;
  if (name.starts_with("embeddings.")) return Endpoint::embeddings;
  return Endpoint::chat_completions;
}

// The whole upstream request as JSON, the body parsed in.
std::string request_json(const UpstreamRequest& request) {
  std::string out =
      "{\"method\":\"" + request.method + "\",\"url\":\"" + request.url + "\",\"headers\":[";
  for (size_t i = 0; i < request.headers.size(); ++i) {
    out += (i ? ",{\"name\":\"" : "{\"name\":\"") + request.headers[i].name + "\",\"value\":\"" +
           request.headers[i].value + "\"}";
  }
  out += "],\"stream\":" + std::string(request.stream ? "true" : "false") +
         ",\"body\":" + request.body + "}";
  return out;
}

TEST(AzureGolden, Requests) {
  const auto adapter = make_azure_adapter();
  const auto inputs = golden::case_inputs(kGolden / "request", ".in.json");
  ASSERT_GE(inputs.size(), 5u);
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    UpstreamRequest request;
    Failure failure;
    std::string actual = adapter->build_request(endpoint_of(input), golden::read_file(input),
                                                golden_deployment(), &request, &failure)
                             ? request_json(request)
                             : golden::failure_json(failure);
    EXPECT_EQ(normalised(actual),
              normalised(golden::read_file(golden::expected_for(input, ".in.json", ".out.json"))));
  }
}

TEST(AzureGolden, Responses) {
  const auto adapter = make_azure_adapter();
  const auto inputs = golden::case_inputs(kGolden / "response", ".in.json");
  ASSERT_GE(inputs.size(), 5u);
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

TEST(AzureGolden, Streams) {
  const auto adapter = make_azure_adapter();
  const auto inputs = golden::case_inputs(kGolden / "stream", ".in.sse");
  ASSERT_GE(inputs.size(), 6u);
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

TEST(AzureGolden, Errors) {
  const auto adapter = make_azure_adapter();
  const auto inputs = golden::case_inputs(kGolden / "errors", ".in.txt");
  ASSERT_GE(inputs.size(), 8u);
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
}  // namespace sluice::providers::azure
