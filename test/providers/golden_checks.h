#pragma once
// The golden and robustness checks the Anthropic and Azure adapter tests share (each runs them
// with its own adapter, deployment and golden folder): translated answers, streams and errors
// compared with their expected files, and damaged golden inputs that must still give JSON or a
// sound failure.

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "providers/common/adapter.h"
#include "test/providers/golden_support.h"

namespace sluice::providers::golden {

// golden/response: each <case>.in.json answer in, <case>.out.json (chat.completion or failure).
inline void check_response_cases(const Adapter& adapter, const std::filesystem::path& folder,
                                 const ResponseContext& context, size_t min_cases) {
  const auto inputs = case_inputs(folder, ".in.json");
  ASSERT_GE(inputs.size(), min_cases);
  for (const std::filesystem::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    std::string out;
    Failure failure;
    std::string actual = adapter.translate_response(Endpoint::chat_completions, read_file(input),
                                                    context, &out, &failure)
                             ? out
                             : failure_json(failure);
    EXPECT_EQ(normalised(actual),
              normalised(read_file(expected_for(input, ".in.json", ".out.json"))));
  }
}

// golden/stream: each <case>.in.sse transcript in, <case>.out.jsonl (one chunk per line).
inline void check_stream_cases(const Adapter& adapter, const std::filesystem::path& folder,
                               const ResponseContext& context, size_t min_cases) {
  const auto inputs = case_inputs(folder, ".in.sse");
  ASSERT_GE(inputs.size(), min_cases);
  for (const std::filesystem::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    auto decoder = adapter.stream_decoder(Endpoint::chat_completions, context);
    const auto actual = decode_all(*decoder, sse_data(read_file(input)));
    const auto expected = json_lines(read_file(expected_for(input, ".in.sse", ".out.jsonl")));
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(actual, expected);
  }
}

// golden/errors: each <case>.in.txt (status line, body) in, <case>.out.json out; the
// deployment's key never in the message.
inline void check_error_cases(const Adapter& adapter, const std::filesystem::path& folder,
                              const Deployment& deployment, size_t min_cases) {
  const auto inputs = case_inputs(folder, ".in.txt");
  ASSERT_GE(inputs.size(), min_cases);
  for (const std::filesystem::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    const auto error = read_error_case(read_file(input));
    const Failure failure = adapter.translate_error(error.status, error.body, deployment);
    EXPECT_EQ(normalised(failure_json(failure)),
              normalised(read_file(expected_for(input, ".in.txt", ".out.json"))));
    EXPECT_EQ(failure.message.find(deployment.api_key), std::string::npos);
  }
}

inline bool is_json(std::string_view text) {
  return !normalised(text).starts_with("<not JSON>");
}

// Variants of `text`: every prefix, and copies with a few bytes overwritten (a fixed seed, so
// every run tries the same texts).
inline std::vector<std::string> damaged(const std::string& text) {
  std::vector<std::string> variants;
  for (size_t n = 0; n < text.size(); ++n) variants.push_back(text.substr(0, n));
  std::mt19937 random(20261122);
  const char kNasty[] = {'"', '\\', '{', '}', '[', ']', ',', ':', '\0', '\xff', '\x80', 'x', '1'};
  for (int round = 0; round < 200 && !text.empty(); ++round) {
    std::string copy = text;
    for (int k = 0; k < 3; ++k) {
      copy[random() % copy.size()] = kNasty[random() % sizeof kNasty];
    }
    variants.push_back(std::move(copy));
  }
  return variants;
}

inline void expect_failure_is_sound(const Failure& failure) {
  EXPECT_GE(failure.status, 400);
  EXPECT_LE(failure.status, 599);
  EXPECT_FALSE(failure.message.empty());
}

// Damaged golden/request inputs: a JSON body or a 400 with a message. How many were tried.
inline size_t check_damaged_requests(const Adapter& adapter, const std::filesystem::path& folder,
                                     const Deployment& deployment) {
  size_t tried = 0;
  for (const std::filesystem::path& input : case_inputs(folder, ".in.json")) {
    for (const std::string& body : damaged(read_file(input))) {
      UpstreamRequest request;
      Failure failure;
      ++tried;
      if (adapter.build_request(Endpoint::chat_completions, body, deployment, &request, &failure)) {
        EXPECT_TRUE(is_json(request.body)) << body;
      } else {
        EXPECT_EQ(failure.status, 400);
        EXPECT_FALSE(failure.message.empty());
      }
    }
  }
  return tried;
}

// Damaged golden/response inputs: JSON out or a sound failure.
inline void check_damaged_answers(const Adapter& adapter, const std::filesystem::path& folder,
                                  const ResponseContext& context) {
  for (const std::filesystem::path& input : case_inputs(folder, ".in.json")) {
    for (const std::string& body : damaged(read_file(input))) {
      std::string out;
      Failure failure;
      if (adapter.translate_response(Endpoint::chat_completions, body, context, &out, &failure)) {
        EXPECT_TRUE(is_json(out)) << body;
      } else {
        expect_failure_is_sound(failure);
      }
    }
  }
}

// Damaged golden/errors bodies: always a sound failure.
inline void check_damaged_error_bodies(const Adapter& adapter, const std::filesystem::path& folder,
                                       const Deployment& deployment) {
  for (const std::filesystem::path& input : case_inputs(folder, ".in.txt")) {
    const auto error = read_error_case(read_file(input));
    for (const std::string& body : damaged(error.body)) {
      expect_failure_is_sound(adapter.translate_error(error.status, body, deployment));
    }
  }
}

// Each event of each golden/stream transcript damaged in turn: JSON chunks, or a sound failure
// after which the stream stays broken.
inline void check_damaged_stream_events(const Adapter& adapter, const std::filesystem::path& folder,
                                        const ResponseContext& context) {
  for (const std::filesystem::path& input : case_inputs(folder, ".in.sse")) {
    const auto units = sse_data(read_file(input));
    for (size_t i = 0; i < units.size(); ++i) {
      for (const std::string& bad : damaged(units[i])) {
        auto decoder = adapter.stream_decoder(Endpoint::chat_completions, context);
        std::vector<std::string> chunks;
        Failure failure;
        bool ok = true;
        for (size_t j = 0; j < units.size() && ok; ++j) {
          ok = decoder->feed(j == i ? bad : units[j], &chunks, &failure);
        }
        if (ok) ok = decoder->finish(&chunks, &failure);
        if (!ok) {
          expect_failure_is_sound(failure);
          EXPECT_FALSE(decoder->feed(units.back(), &chunks, &failure));
        }
        for (const std::string& chunk : chunks) EXPECT_TRUE(is_json(chunk)) << chunk;
      }
    }
  }
}

}  // namespace sluice::providers::golden
