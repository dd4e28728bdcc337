// Golden files for the gemini and vertex_ai adapters: each case is one input file and one
// expected-output file under golden/, written by hand from Google's and OpenAI's documented
// shapes, compared exactly after normalising the JSON formatting. Every file in golden/ must
// belong to a case below, so a case cannot be dropped silently.

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "providers/gemini/adapter.h"
#include "test/providers/gemini/test_support.h"

namespace sluice::providers::gemini {
namespace {

using testing::failure_json;
using testing::golden_dir;
using testing::normalise_json;
using testing::read_file;

enum class Target { gemini, gemini_image_urls, vertex, vertex_global };

Deployment deployment_for(Target target) {
  switch (target) {
    case Target::gemini:
      return testing::gemini_deployment();
    case Target::gemini_image_urls: {
      Deployment deployment = testing::gemini_deployment();
      deployment.settings["allow_image_urls"] = "true";
      return deployment;
    }
    case Target::vertex:
      return testing::vertex_deployment();
    case Target::vertex_global:
      return testing::vertex_deployment("global");
  }
  return {};
}

std::unique_ptr<Adapter> adapter_for(Target target) {
  return target == Target::vertex || target == Target::vertex_global ? make_vertex_adapter()
                                                                     : make_gemini_adapter();
}

struct Case {
  std::string kind;  // request, response, stream, error: the folder under golden/
  std::string name;
  Target target = Target::gemini;
  Endpoint endpoint = Endpoint::chat_completions;
  int status = 0;  // error cases: the provider's HTTP status
};

// Names the case in test output (instead of gtest's byte dump).
void PrintTo(const Case& test_case, std::ostream* out) {
  *out << test_case.kind << "/" << test_case.name;
}

// Input file suffix per kind.
std::string input_suffix(const std::string& kind) {
  if (kind == "request") return ".openai.json";
  if (kind == "stream") return ".sse";
  return ".google.json";
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // OpenAI request -> upstream request
      {"request", "basic", Target::gemini},
      {"request", "stream", Target::gemini},
      {"request", "system", Target::gemini},
      {"request", "multi_turn", Target::gemini},
      {"request", "tools_definition", Target::gemini},
      {"request", "tool_choice_function", Target::gemini},
      {"request", "tool_choice_required", Target::gemini},
      {"request", "tool_call_and_result", Target::gemini},
      {"request", "parallel_tool_results", Target::gemini},
      {"request", "image_data_url", Target::gemini},
      {"request", "image_url_refused", Target::gemini},
      {"request", "image_url_allowed", Target::gemini_image_urls},
      {"request", "stop_and_config", Target::gemini},
      {"request", "json_object", Target::gemini},
      {"request", "unsupported_parameter", Target::gemini},
      {"request", "bad_arguments", Target::gemini},
      {"request", "unknown_tool_call_id", Target::gemini},
      {"request", "schema_union_refused", Target::gemini},
      {"request", "vertex_basic", Target::vertex},
      {"request", "vertex_global_stream", Target::vertex_global},
      {"request", "embeddings_gemini", Target::gemini, Endpoint::embeddings},
      {"request", "embeddings_vertex", Target::vertex, Endpoint::embeddings},
      {"request", "embeddings_tokens_refused", Target::gemini, Endpoint::embeddings},
      // upstream 2xx answer -> OpenAI answer
      {"response", "text", Target::gemini},
      {"response", "tool_calls_parallel", Target::gemini},
      {"response", "text_and_call", Target::gemini},
      {"response", "max_tokens", Target::gemini},
      {"response", "safety", Target::gemini},
      {"response", "prompt_blocked", Target::gemini},
      {"response", "two_candidates", Target::vertex},
      {"response", "thoughts", Target::gemini},
      {"response", "no_candidates", Target::gemini},
      {"response", "embeddings_gemini", Target::gemini, Endpoint::embeddings},
      {"response", "embeddings_vertex", Target::vertex, Endpoint::embeddings},
      // upstream SSE stream -> OpenAI chunks
      {"stream", "text", Target::gemini},
      {"stream", "tool_call", Target::gemini},
      {"stream", "parallel_calls", Target::vertex},
      {"stream", "safety", Target::gemini},
      {"stream", "prompt_blocked", Target::gemini},
      {"stream", "error_in_band", Target::gemini},
      {"stream", "truncated", Target::gemini},
      // upstream non-2xx answer -> Failure
      {"error", "rate_limited", Target::gemini, Endpoint::chat_completions, 429},
      {"error", "invalid_argument", Target::gemini, Endpoint::chat_completions, 400},
      {"error", "permission_denied", Target::gemini, Endpoint::chat_completions, 403},
      {"error", "key_redacted", Target::gemini, Endpoint::chat_completions, 400},
      {"error", "vertex_array", Target::vertex, Endpoint::chat_completions, 404},
      {"error", "unavailable", Target::vertex, Endpoint::chat_completions, 503},
      {"error", "not_json", Target::gemini, Endpoint::chat_completions, 502},
  };
  return all;
}

std::string run(const Case& test_case, const std::string& input) {
  const auto adapter = adapter_for(test_case.target);
  const Deployment deployment = deployment_for(test_case.target);
  Failure failure;
  if (test_case.kind == "request") {
    UpstreamRequest request;
    if (!adapter->build_request(test_case.endpoint, input, deployment, &request, &failure)) {
      return failure_json(failure);
    }
    return providers::testing::request_json(request);
  }
  if (test_case.kind == "response") {
    std::string out;
    if (!adapter->translate_response(test_case.endpoint, input, testing::test_context(), &out,
                                     &failure)) {
      return failure_json(failure);
    }
    return out;
  }
  if (test_case.kind == "stream") {
    const auto decoder = adapter->stream_decoder(test_case.endpoint, testing::test_context());
    return providers::testing::decode_stream(*decoder, input);
  }
  return failure_json(adapter->translate_error(test_case.status, input, deployment));
}

class Golden : public ::testing::TestWithParam<Case> {};

TEST_P(Golden, MatchesExpectedOutput) {
  const Case& test_case = GetParam();
  const std::string base = golden_dir() + "/" + test_case.kind + "/" + test_case.name;
  const std::string input = read_file(base + input_suffix(test_case.kind));
  const std::string expected_text = read_file(base + ".expected.json");
  ASSERT_FALSE(input.empty()) << base << input_suffix(test_case.kind);
  const std::string expected = normalise_json(expected_text);
  ASSERT_FALSE(expected.empty()) << base << ".expected.json is not JSON";
  const std::string actual = run(test_case, input);
  EXPECT_EQ(normalise_json(actual), expected) << "actual: " << actual;
}

INSTANTIATE_TEST_SUITE_P(Gemini, Golden, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.kind + "_" + info.param.name;
                         });

TEST(GoldenFiles, EveryFileBelongsToACase) {
  std::set<std::string> expected_files;
  for (const Case& test_case : cases()) {
    const std::string base = test_case.kind + "/" + test_case.name;
    expected_files.insert(base + input_suffix(test_case.kind));
    expected_files.insert(base + ".expected.json");
  }
  EXPECT_EQ(providers::testing::files_under(golden_dir()), expected_files);
}

}  // namespace
}  // namespace sluice::providers::gemini
