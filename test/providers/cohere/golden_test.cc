// Golden files for the cohere adapter: each case is one input file and one expected-output file
// under golden/, written by hand from Cohere's and OpenAI's documented shapes, compared exactly
// after normalising the JSON formatting. Every file in golden/ must belong to a case below.

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <vector>

#include "providers/cohere/adapter.h"
#include "test/providers/cohere/test_support.h"

namespace sluice::providers::cohere {
namespace {

using testing::failure_json;
using testing::golden_dir;
using testing::normalise_json;
using testing::read_file;

struct Case {
  std::string kind;  // request, response, stream, error: the folder under golden/
  std::string name;
  int status = 0;  // error cases: the provider's HTTP status
};

void PrintTo(const Case& test_case, std::ostream* out) {
  *out << test_case.kind << "/" << test_case.name;
}

std::string input_suffix(const std::string& kind) {
  if (kind == "request") return ".openai.json";
  if (kind == "stream") return ".sse";
  return ".cohere.json";
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"request", "basic"},
      {"request", "stream"},
      {"request", "developer_and_parts"},
      {"request", "tools"},
      {"request", "tool_round_trip"},
      {"request", "tool_choice_function_refused"},
      {"request", "n_refused"},
      {"request", "json_schema"},
      {"request", "unsupported_parameter"},
      {"response", "text"},
      {"response", "tool_calls"},
      {"response", "max_tokens"},
      {"response", "thinking"},
      {"response", "error_finish"},
      {"stream", "text"},
      {"stream", "tool_calls"},
      {"stream", "truncated"},
      {"stream", "error_finish"},
      {"error", "rate_limited", 429},
      {"error", "bad_request", 400},
      {"error", "key_redacted", 401},
      {"error", "not_json", 503},
  };
  return all;
}

std::string run(const Case& test_case, const std::string& input) {
  return providers::testing::translate_golden_input(
      *make_cohere_adapter(), Endpoint::chat_completions, testing::cohere_deployment(),
      test_case.kind, test_case.status, input);
}

class CohereGolden : public ::testing::TestWithParam<Case> {};

TEST_P(CohereGolden, MatchesExpectedOutput) {
  const Case& test_case = GetParam();
  providers::testing::expect_golden_case(
      golden_dir(), test_case.kind, test_case.name, input_suffix(test_case.kind),
      [&](const std::string& input) { return run(test_case, input); });
}

INSTANTIATE_TEST_SUITE_P(Cohere, CohereGolden, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.kind + "_" + info.param.name;
                         });

TEST(CohereGoldenFiles, EveryFileBelongsToACase) {
  EXPECT_EQ(providers::testing::files_under(golden_dir()),
            providers::testing::files_of_cases(cases(), input_suffix));
}

}  // namespace
}  // namespace sluice::providers::cohere
