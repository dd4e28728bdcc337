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
  const auto adapter = make_cohere_adapter();
  const Deployment deployment = testing::cohere_deployment();
  Failure failure;
  if (test_case.kind == "request") {
    UpstreamRequest request;
    if (!adapter->build_request(Endpoint::chat_completions, input, deployment, &request,
                                &failure)) {
      return failure_json(failure);
    }
    return providers::testing::request_json(request);
  }
  if (test_case.kind == "response") {
    std::string out;
    if (!adapter->translate_response(Endpoint::chat_completions, input, testing::test_context(),
                                     &out, &failure)) {
      return failure_json(failure);
    }
    return out;
  }
  if (test_case.kind == "stream") {
    const auto decoder =
        adapter->stream_decoder(Endpoint::chat_completions, testing::test_context());
    return providers::testing::decode_stream(*decoder, input);
  }
  return failure_json(adapter->translate_error(test_case.status, input, deployment));
}

class CohereGolden : public ::testing::TestWithParam<Case> {};

TEST_P(CohereGolden, MatchesExpectedOutput) {
  const Case& test_case = GetParam();
  const std::string base = golden_dir() + "/" + test_case.kind + "/" + test_case.name;
  const std::string input = read_file(base + input_suffix(test_case.kind));
  ASSERT_FALSE(input.empty()) << base << input_suffix(test_case.kind);
  const std::string expected = normalise_json(read_file(base + ".expected.json"));
  ASSERT_FALSE(expected.empty()) << base << ".expected.json is not JSON";
  const std::string actual = run(test_case, input);
  EXPECT_EQ(normalise_json(actual), expected) << "actual: " << actual;
}

INSTANTIATE_TEST_SUITE_P(Cohere, CohereGolden, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.kind + "_" + info.param.name;
                         });

TEST(CohereGoldenFiles, EveryFileBelongsToACase) {
  std::set<std::string> expected_files;
  for (const Case& test_case : cases()) {
    const std::string base = test_case.kind + "/" + test_case.name;
    expected_files.insert(base + input_suffix(test_case.kind));
    expected_files.insert(base + ".expected.json");
  }
  EXPECT_EQ(providers::testing::files_under(golden_dir()), expected_files);
}

}  // namespace
}  // namespace sluice::providers::cohere
