// Truncated and garbled input never crashes the cohere adapter: every golden input cut at every
// byte, and with bytes overwritten by a seeded generator, either translates to valid JSON or
// fails with an error status and a message.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "providers/cohere/adapter.h"
#include "test/providers/cohere/test_support.h"

namespace sluice::providers::cohere {
namespace {

using testing::golden_dir;
using testing::normalise_json;
using testing::read_file;
using testing::test_context;

std::vector<std::string> inputs(const std::string& kind, const std::string& suffix) {
  std::vector<std::string> texts;
  for (const auto& entry : std::filesystem::directory_iterator(golden_dir() + "/" + kind)) {
    if (entry.path().string().ends_with(suffix)) texts.push_back(read_file(entry.path().string()));
  }
  if (texts.empty()) ADD_FAILURE() << "no golden inputs under " << kind;  // a test of nothing
  return texts;
}

// Variants of `text`: each prefix, then `count` copies with a few bytes overwritten.
std::vector<std::string> variants(const std::string& text, int count) {
  std::vector<std::string> out;
  for (size_t length = 0; length < text.size(); ++length) out.push_back(text.substr(0, length));
  std::mt19937 random(static_cast<unsigned>(text.size()));  // fixed: reruns see the same input
  static constexpr char kAlphabet[] = "{}[]\":,\\ 0123456789.-eEtrufalsn\x00\xFF\xC3";
  const std::string_view alphabet(kAlphabet, sizeof kAlphabet - 1);  // keeps the NUL byte
  for (int i = 0; i < count && !text.empty(); ++i) {
    std::string garbled = text;
    for (int k = 0; k < 3; ++k)
      garbled[random() % garbled.size()] = alphabet[random() % alphabet.size()];
    out.push_back(std::move(garbled));
  }
  return out;
}

void expect_sound_failure(const Failure& failure, const std::string& input) {
  EXPECT_GE(failure.status, 400) << input;
  EXPECT_LE(failure.status, 599) << input;
  EXPECT_FALSE(failure.message.empty()) << input;
}

TEST(CohereRobustness, RequestsFromBrokenBodies) {
  const auto adapter = make_cohere_adapter();
  const Deployment deployment = testing::cohere_deployment();
  for (const std::string& text : inputs("request", ".openai.json")) {
    for (const std::string& input : variants(text, 300)) {
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
  for (const std::string& text : inputs("response", ".cohere.json")) {
    for (const std::string& input : variants(text, 300)) {
      std::string out;
      Failure failure;
      if (adapter->translate_response(Endpoint::chat_completions, input, test_context(), &out,
                                      &failure)) {
        EXPECT_FALSE(normalise_json(out).empty()) << input;
      } else {
        expect_sound_failure(failure, input);
      }
    }
  }
}

TEST(CohereRobustness, StreamsOfBrokenEvents) {
  const auto adapter = make_cohere_adapter();
  for (const std::string& text : inputs("stream", ".sse")) {
    for (const std::string& input : variants(text, 300)) {
      auto decoder = adapter->stream_decoder(Endpoint::chat_completions, test_context());
      std::vector<std::string> chunks;
      Failure failure;
      bool ok = true;
      size_t begin = 0;
      while (ok && begin < input.size()) {
        size_t end = input.find('\n', begin);
        if (end == std::string::npos) end = input.size();
        std::string_view line = std::string_view(input).substr(begin, end - begin);
        if (line.starts_with("data: ")) ok = decoder->feed(line.substr(6), &chunks, &failure);
        begin = end + 1;
      }
      if (ok) ok = decoder->finish(&chunks, &failure);
      if (!ok) expect_sound_failure(failure, input);
      for (const std::string& chunk : chunks) EXPECT_FALSE(normalise_json(chunk).empty()) << input;
    }
  }
}

TEST(CohereRobustness, ErrorsFromBrokenBodies) {
  const auto adapter = make_cohere_adapter();
  const Deployment deployment = testing::cohere_deployment();
  for (const std::string& text : inputs("error", ".cohere.json")) {
    for (const std::string& input : variants(text, 300)) {
      const Failure failure = adapter->translate_error(429, input, deployment);
      expect_sound_failure(failure, input);
      EXPECT_EQ(failure.message.find(testing::kApiKey), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace sluice::providers::cohere
