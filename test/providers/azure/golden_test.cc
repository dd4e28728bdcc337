// The Azure OpenAI adapter against its golden files: golden/request ("<endpoint>.<case>": the
// OpenAI body in, the whole upstream request out: method, URL, headers, stream flag and body),
// golden/response, golden/stream (an SSE transcript in, one chunk per line out) and golden/errors
// (status line and body in). Failures are written as {"failure":{...}}.

#include <gtest/gtest.h>

#include "providers/azure/adapter.h"
#include "test/providers/golden_checks.h"

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
  golden::check_response_cases(*make_azure_adapter(), kGolden / "response", golden_context(), 5);
}

TEST(AzureGolden, Streams) {
  golden::check_stream_cases(*make_azure_adapter(), kGolden / "stream", golden_context(), 6);
}

TEST(AzureGolden, Errors) {
  golden::check_error_cases(*make_azure_adapter(), kGolden / "errors", golden_deployment(), 8);
}

}  // namespace
}  // namespace sluice::providers::azure
