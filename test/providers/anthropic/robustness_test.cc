// Truncated and corrupted input never crashes the Anthropic adapter, and whatever it does
// produce is well-formed: a request body or answer that is valid JSON, or a failure with a
// status and a message. Every golden input is cut at every byte and has bytes overwritten
// (a fixed seed, so every run tries the same texts).

#include <gtest/gtest.h>

#include <random>

#include "providers/anthropic/adapter.h"
#include "test/providers/golden_support.h"

namespace sluice::providers::anthropic {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(SLUICE_SOURCE_DIR) / "test/providers/anthropic/golden";

bool is_json(std::string_view text) {
  return !golden::normalised(text).starts_with("<not JSON>");
}

Deployment deployment() {
  Deployment d;
  d.name = "my-claude#0";
  d.provider_type = "anthropic";
  d.model = "claude-sonnet-4-5";
  d.api_key = "sk-ant-test-key";
  d.settings["allow_image_urls"] = "true";
  return d;
}

constexpr ResponseContext kContext{.client_model = "m", .response_id = "id", .created = 1};

// Variants of `text`: every prefix, and copies with a few bytes overwritten.
std::vector<std::string> damaged(const std::string& text) {
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

void expect_failure_is_sound(const Failure& failure) {
  EXPECT_GE(failure.status, 400);
  EXPECT_LE(failure.status, 599);
  EXPECT_FALSE(failure.message.empty());
}

TEST(AnthropicRobustness, DamagedRequestsGiveJsonOrAFailure) {
  const auto adapter = make_anthropic_adapter();
  size_t tried = 0;
  for (const fs::path& input : golden::case_inputs(kGolden / "request", ".in.json")) {
    for (const std::string& body : damaged(golden::read_file(input))) {
      UpstreamRequest request;
      Failure failure;
      ++tried;
      if (adapter->build_request(Endpoint::chat_completions, body, deployment(), &request,
                                 &failure)) {
        EXPECT_TRUE(is_json(request.body)) << body;
      } else {
        EXPECT_EQ(failure.status, 400);
        EXPECT_FALSE(failure.message.empty());
      }
    }
  }
  EXPECT_GT(tried, 1000u);
}

TEST(AnthropicRobustness, DamagedAnswersGiveJsonOrAFailure) {
  const auto adapter = make_anthropic_adapter();
  for (const fs::path& input : golden::case_inputs(kGolden / "response", ".in.json")) {
    for (const std::string& body : damaged(golden::read_file(input))) {
      std::string out;
      Failure failure;
      if (adapter->translate_response(Endpoint::chat_completions, body, kContext, &out, &failure)) {
        EXPECT_TRUE(is_json(out)) << body;
      } else {
        expect_failure_is_sound(failure);
      }
    }
  }
}

TEST(AnthropicRobustness, DamagedErrorBodiesGiveASoundFailure) {
  const auto adapter = make_anthropic_adapter();
  for (const fs::path& input : golden::case_inputs(kGolden / "errors", ".in.txt")) {
    const auto error = golden::read_error_case(golden::read_file(input));
    for (const std::string& body : damaged(error.body)) {
      expect_failure_is_sound(adapter->translate_error(error.status, body, deployment()));
    }
  }
}

TEST(AnthropicRobustness, DamagedStreamEventsGiveJsonChunksOrAFailure) {
  const auto adapter = make_anthropic_adapter();
  for (const fs::path& input : golden::case_inputs(kGolden / "stream", ".in.sse")) {
    const auto units = golden::sse_data(golden::read_file(input));
    for (size_t i = 0; i < units.size(); ++i) {
      for (const std::string& bad : damaged(units[i])) {
        auto decoder = adapter->stream_decoder(Endpoint::chat_completions, kContext);
        std::vector<std::string> chunks;
        Failure failure;
        bool ok = true;
        for (size_t j = 0; j < units.size() && ok; ++j) {
          ok = decoder->feed(j == i ? bad : units[j], &chunks, &failure);
        }
        if (ok) ok = decoder->finish(&chunks, &failure);
        if (!ok) {
          expect_failure_is_sound(failure);
          // A broken stream stays broken.
          EXPECT_FALSE(decoder->feed(units.back(), &chunks, &failure));
        }
        for (const std::string& chunk : chunks) EXPECT_TRUE(is_json(chunk)) << chunk;
      }
    }
  }
}

TEST(AnthropicRobustness, EventsOfTheWrongShapeAreIgnoredOrRefused) {
  const auto adapter = make_anthropic_adapter();
  const std::string events[] = {
      R"({"type":"message_start"})",
      R"({"type":"message_start","message":[]})",
      R"({"type":"content_block_start","index":"x","content_block":{"type":"tool_use"}})",
      R"({"type":"content_block_start","index":0,"content_block":7})",
      R"({"type":"content_block_delta","index":-4,"delta":{"type":"input_json_delta","partial_json":"{"}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":5}})",
      R"({"type":"content_block_stop","index":99})",
      R"({"type":"message_delta","delta":null,"usage":{"output_tokens":-1}})",
      R"({"type":"brand_new_event","payload":{}})",
      R"({"type":"message_stop"})",
  };
  auto decoder = adapter->stream_decoder(Endpoint::chat_completions, kContext);
  std::vector<std::string> chunks;
  Failure failure;
  for (const std::string& event : events) {
    EXPECT_TRUE(decoder->feed(event, &chunks, &failure)) << event;
  }
  EXPECT_TRUE(decoder->finish(&chunks, &failure));
  for (const std::string& chunk : chunks) EXPECT_TRUE(is_json(chunk)) << chunk;
  // Events without a type, and data that is not JSON, break the stream.
  for (const std::string& bad : {std::string(R"({"index":0})"), std::string("[1]"),
                                 std::string("event: ping"), std::string("\xff\xfe")}) {
    auto fresh = adapter->stream_decoder(Endpoint::chat_completions, kContext);
    EXPECT_FALSE(fresh->feed(bad, &chunks, &failure)) << bad;
    EXPECT_EQ(failure.status, 502);
  }
}

}  // namespace
}  // namespace sluice::providers::anthropic
