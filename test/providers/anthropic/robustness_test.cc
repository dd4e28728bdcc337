// Truncated and corrupted input never crashes the Anthropic adapter, and whatever it does
// produce is well-formed: a request body or answer that is valid JSON, or a failure with a
// status and a message. Every golden input is cut at every byte and has bytes overwritten
// (a fixed seed, so every run tries the same texts).

#include <gtest/gtest.h>

#include "providers/anthropic/adapter.h"
#include "test/providers/golden_checks.h"

namespace sluice::providers::anthropic {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(SLUICE_SOURCE_DIR) / "test/providers/anthropic/golden";

using golden::is_json;

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

TEST(AnthropicRobustness, DamagedRequestsGiveJsonOrAFailure) {
  EXPECT_GT(
      golden::check_damaged_requests(*make_anthropic_adapter(), kGolden / "request", deployment()),
      1000u);
}

TEST(AnthropicRobustness, DamagedAnswersGiveJsonOrAFailure) {
  golden::check_damaged_answers(*make_anthropic_adapter(), kGolden / "response", kContext);
}

TEST(AnthropicRobustness, DamagedErrorBodiesGiveASoundFailure) {
  golden::check_damaged_error_bodies(*make_anthropic_adapter(), kGolden / "errors", deployment());
}

TEST(AnthropicRobustness, DamagedStreamEventsGiveJsonChunksOrAFailure) {
  golden::check_damaged_stream_events(*make_anthropic_adapter(), kGolden / "stream", kContext);
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
