// The Mistral adapter against its golden files: golden/request ("<endpoint>.<case>": the OpenAI
// body in, the whole upstream request out: method, URL, headers, stream flag and body),
// golden/response, golden/stream (an SSE transcript in, one chunk per line out) and golden/errors
// (status line and body in). Failures are written as {"failure":{...}}.

#include <gtest/gtest.h>

#include "providers/mistral/adapter.h"
#include "test/providers/golden_checks.h"

namespace sluice::providers::mistral {
namespace {

namespace fs = std::filesystem;
using golden::normalised;

const fs::path kGolden = fs::path(SLUICE_SOURCE_DIR) / "test/providers/mistral/golden";

Deployment golden_deployment() {
  Deployment deployment;
  deployment.name = "my-mistral#0";
  deployment.provider_type = "mistral";
  deployment.model = "mistral-large-latest";
  deployment.api_key = "mistral-key-0123456789abcdef";
  return deployment;
}

ResponseContext golden_context() {
  return ResponseContext{
      .client_model = "my-mistral", .response_id = "chatcmpl-sluice-1", .created = 1700000000};
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

TEST(MistralGolden, Requests) {
  const auto adapter = make_mistral_adapter();
  const auto inputs = golden::case_inputs(kGolden / "request", ".in.json");
  ASSERT_GE(inputs.size(), 9u);
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

TEST(MistralGolden, Responses) {
  golden::check_response_cases(*make_mistral_adapter(), kGolden / "response", golden_context(), 7);
}

TEST(MistralGolden, Streams) {
  golden::check_stream_cases(*make_mistral_adapter(), kGolden / "stream", golden_context(), 7);
}

TEST(MistralGolden, Errors) {
  golden::check_error_cases(*make_mistral_adapter(), kGolden / "errors", golden_deployment(), 8);
}

}  // namespace
}  // namespace sluice::providers::mistral
