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
  return providers::testing::translate_golden_input(
      *adapter_for(test_case.target), test_case.endpoint, deployment_for(test_case.target),
      test_case.kind, test_case.status, input);
}

class Golden : public ::testing::TestWithParam<Case> {};

TEST_P(Golden, MatchesExpectedOutput) {
  const Case& test_case = GetParam();
  providers::testing::expect_golden_case(
      golden_dir(), test_case.kind, test_case.name, input_suffix(test_case.kind),
      [&](const std::string& input) { return run(test_case, input); });
}

INSTANTIATE_TEST_SUITE_P(Gemini, Golden, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.kind + "_" + info.param.name;
                         });

TEST(GoldenFiles, EveryFileBelongsToACase) {
  EXPECT_EQ(providers::testing::files_under(golden_dir()),
            providers::testing::files_of_cases(cases(), input_suffix));
}

}  // namespace
}  // namespace sluice::providers::gemini
