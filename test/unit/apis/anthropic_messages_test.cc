// The Anthropic Messages codec against its golden files (request, response, stream), the
// error-type table, and bad input.

#include "core/apis/anthropic_messages.h"

#include <gtest/gtest.h>

#include "test/unit/apis/golden_support.h"

namespace sluice::apis {
namespace {

using testing::check_golden_folder;
using testing::normalise_json;
using testing::play_stream;
using testing::render_answer;

constexpr AnswerContext kContext{"claude-sonnet-4-5", 1234};

std::string decode(const InboundCodec& codec, std::string_view body) {
  ClientRequest request;
  request.path = "/v1/messages";
  request.body = body;
  std::string openai_body;
  ApiError error;
  if (!codec.decode_request(request, &openai_body, &error)) {
    return render_answer(codec.encode_error(error));
  }
  return openai_body;
}

TEST(AnthropicMessages, RequestGoldens) {
  const auto codec = make_anthropic_messages_codec();
  const int cases = check_golden_folder(
      "anthropic/request", true, [&](std::string_view input) { return decode(*codec, input); });
  EXPECT_GE(cases, 10);
}

TEST(AnthropicMessages, ResponseGoldens) {
  const auto codec = make_anthropic_messages_codec();
  const int cases = check_golden_folder("anthropic/response", true, [&](std::string_view input) {
    return render_answer(codec->encode_response(input, kContext));
  });
  EXPECT_GE(cases, 4);
}

TEST(AnthropicMessages, StreamGoldens) {
  const auto codec = make_anthropic_messages_codec();
  const int cases = check_golden_folder("anthropic/stream", false, [&](std::string_view input) {
    const auto encoder = codec->stream_encoder(kContext);
    EXPECT_EQ(encoder->content_type(), "text/event-stream");
    return play_stream(input, *encoder);
  });
  EXPECT_GE(cases, 4);
}

TEST(AnthropicMessages, ErrorTypeFollowsTheStatus) {
  const auto codec = make_anthropic_messages_codec();
  const std::pair<int, std::string_view> table[] = {{400, "invalid_request_error"},
                                                    {401, "authentication_error"},
                                                    {403, "permission_error"},
                                                    {404, "not_found_error"},
                                                    {413, "request_too_large"},
                                                    {429, "rate_limit_error"},
                                                    {500, "api_error"},
                                                    {502, "api_error"},
                                                    {503, "overloaded_error"},
                                                    {529, "overloaded_error"},
                                                    {422, "invalid_request_error"}};
  for (const auto& [status, type] : table) {
    SCOPED_TRACE(status);
    const ClientAnswer answer = codec->encode_error({status, "went \"wrong\"", "x", ""});
    EXPECT_EQ(answer.status, status);
    ASSERT_EQ(answer.headers.size(), 1u);
    EXPECT_EQ(answer.headers[0].name, "content-type");
    EXPECT_EQ(answer.headers[0].value, "application/json");
    EXPECT_EQ(answer.body, "{\"type\":\"error\",\"error\":{\"type\":\"" + std::string(type) +
                               "\",\"message\":\"went \\\"wrong\\\"\"}}");
  }
}

TEST(AnthropicMessages, NothingIsWrittenAfterTheEnd) {
  const auto codec = make_anthropic_messages_codec();
  const std::string chunk = R"({"id":"c","choices":[{"index":0,"delta":{"content":"x"}}]})";
  for (bool failed : {false, true}) {
    SCOPED_TRACE(failed);
    const auto encoder = codec->stream_encoder(kContext);
    std::string out;
    encoder->chunk(chunk, &out);
    if (failed) {
      encoder->fail({500, "broken", "server_error", ""}, &out);
    } else {
      encoder->finish(&out);
    }
    const std::string ended = out;
    encoder->chunk(chunk, &out);
    encoder->finish(&out);
    encoder->fail({500, "again", "server_error", ""}, &out);
    EXPECT_EQ(out, ended);
  }
}

TEST(AnthropicMessages, FailBeforeAnyChunkIsOneErrorEvent) {
  const auto codec = make_anthropic_messages_codec();
  const auto encoder = codec->stream_encoder(kContext);
  std::string out;
  encoder->fail({429, "slow down", "rate_limit_error", ""}, &out);
  EXPECT_EQ(out,
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
            "\"message\":\"slow down\"}}\n\n");
}

}  // namespace
}  // namespace sluice::apis
