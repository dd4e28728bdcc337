// Truncated and garbled input never crashes the cohere adapter: every golden input cut at every
// byte, and with bytes overwritten by a seeded generator, either translates to valid JSON or
// fails with an error status and a message.

#include <gtest/gtest.h>

#include "providers/cohere/adapter.h"
#include "test/providers/cohere/test_support.h"

namespace sluice::providers::cohere {
namespace {

using providers::testing::broken_variants;
using providers::testing::expect_sound_failure;
using providers::testing::expect_sound_stream;
using providers::testing::inputs_in;
using testing::golden_dir;
using testing::golden_response_context;
using testing::normalise_json;

constexpr int kGarbledPerInput = 300;

TEST(CohereRobustness, RequestsFromBrokenBodies) {
  const auto adapter = make_cohere_adapter();
  const Deployment deployment = testing::cohere_deployment();
  for (const std::string& text : inputs_in(golden_dir() + "/request", ".openai.json")) {
    for (const std::string& input : broken_variants(text, kGarbledPerInput)) {
      UpstreamRequest request;
      Failure failure;
      if (adapter->build_request(Endpoint::chat_completions, input, deployment, &request,
                                 &failure)) {
        EXPECT_FALSE(normalise_json(request.body).empty()) << input;
      } else {
        expect_sound_failure(failure, input);
      }
    }
  }
}

TEST(CohereRobustness, ResponsesFromBrokenBodies) {
  const auto adapter = make_cohere_adapter();
  for (const std::string& text : inputs_in(golden_dir() + "/response", ".cohere.json")) {
    for (const std::string& input : broken_variants(text, kGarbledPerInput)) {
      std::string out;
      Failure failure;
      if (adapter->translate_response(Endpoint::chat_completions, input, golden_response_context(),
                                      &out, &failure)) {
        EXPECT_FALSE(normalise_json(out).empty()) << input;
      } else {
        expect_sound_failure(failure, input);
      }
    }
  }
}

TEST(CohereRobustness, StreamsOfBrokenEvents) {
  const auto adapter = make_cohere_adapter();
  for (const std::string& text : inputs_in(golden_dir() + "/stream", ".sse")) {
    for (const std::string& input : broken_variants(text, kGarbledPerInput)) {
      expect_sound_stream(
          *adapter->stream_decoder(Endpoint::chat_completions, golden_response_context()), input);
    }
  }
}

TEST(CohereRobustness, ErrorsFromBrokenBodies) {
  const auto adapter = make_cohere_adapter();
  const Deployment deployment = testing::cohere_deployment();
  for (const std::string& text : inputs_in(golden_dir() + "/error", ".cohere.json")) {
    for (const std::string& input : broken_variants(text, kGarbledPerInput)) {
      const Failure failure = adapter->translate_error(429, input, deployment);
      expect_sound_failure(failure, input);
      EXPECT_EQ(failure.message.find(testing::kApiKey), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace sluice::providers::cohere
