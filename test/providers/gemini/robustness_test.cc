// Truncated and garbled input never crashes an adapter: every golden input cut at every byte,
// and with bytes overwritten by a seeded generator, either translates to valid JSON or fails
// with an error status and a message. Run under ASan by the sanitizer pass.

#include <gtest/gtest.h>

#include "providers/gemini/adapter.h"
#include "test/providers/gemini/test_support.h"

namespace sluice::providers::gemini {
namespace {

using providers::testing::broken_variants;
using providers::testing::expect_sound_failure;
using providers::testing::expect_sound_stream;
using providers::testing::inputs_in;
using testing::golden_dir;
using testing::golden_response_context;
using testing::normalise_json;

constexpr int kGarbledPerInput = 300;

TEST(GeminiRobustness, RequestsFromBrokenBodies) {
  const auto gemini = make_gemini_adapter();
  const auto vertex = make_vertex_adapter();
  const Deployment gemini_deployment = testing::gemini_deployment();
  const Deployment vertex_deployment = testing::vertex_deployment();
  for (const std::string& text : inputs_in(golden_dir() + "/request", ".openai.json")) {
    for (const std::string& input : broken_variants(text, kGarbledPerInput)) {
      for (Endpoint endpoint : {Endpoint::chat_completions, Endpoint::embeddings}) {
        for (const auto& [adapter, deployment] :
             {std::pair{gemini.get(), &gemini_deployment}, {vertex.get(), &vertex_deployment}}) {
          UpstreamRequest request;
          Failure failure;
          if (adapter->build_request(endpoint, input, *deployment, &request, &failure)) {
            EXPECT_FALSE(normalise_json(request.body).empty()) << input;
          } else {
            expect_sound_failure(failure, input);
          }
        }
      }
    }
  }
}

TEST(GeminiRobustness, ResponsesFromBrokenBodies) {
  const auto adapter = make_gemini_adapter();
  for (const std::string& text : inputs_in(golden_dir() + "/response", ".google.json")) {
    for (const std::string& input : broken_variants(text, kGarbledPerInput)) {
      for (Endpoint endpoint : {Endpoint::chat_completions, Endpoint::embeddings}) {
        std::string out;
        Failure failure;
        if (adapter->translate_response(endpoint, input, golden_response_context(), &out,
                                        &failure)) {
          EXPECT_FALSE(normalise_json(out).empty()) << input;
        } else {
          expect_sound_failure(failure, input);
        }
      }
    }
  }
}

TEST(GeminiRobustness, StreamsOfBrokenEvents) {
  const auto adapter = make_vertex_adapter();
  for (const std::string& text : inputs_in(golden_dir() + "/stream", ".sse")) {
    for (const std::string& input : broken_variants(text, kGarbledPerInput)) {
      expect_sound_stream(
          *adapter->stream_decoder(Endpoint::chat_completions, golden_response_context()), input);
    }
  }
}

TEST(GeminiRobustness, ErrorsFromBrokenBodies) {
  const auto adapter = make_gemini_adapter();
  const Deployment deployment = testing::gemini_deployment();
  for (const std::string& text : inputs_in(golden_dir() + "/error", ".google.json")) {
    for (const std::string& input : broken_variants(text, kGarbledPerInput)) {
      const Failure failure = adapter->translate_error(503, input, deployment);
      expect_sound_failure(failure, input);
      EXPECT_EQ(failure.message.find(testing::kApiKey), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace sluice::providers::gemini
