// The Bedrock Converse codec against its golden files (request, response, stream through a
// readable stand-in for the event-stream framing), the exception-name tables, and bad input.

#include "core/apis/bedrock_converse.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "test/unit/apis/golden_support.h"

namespace sluice::apis {
namespace {

using testing::check_golden_folder;
using testing::play_stream;
using testing::render_answer;

constexpr AnswerContext kContext{"anthropic.claude-3-5-sonnet-20240620-v1:0", 1234};

// "<event|exception>:<type> <payload>\n" for each frame.
void readable_frame(bool exception, std::string_view type, std::string_view payload,
                    std::string* out) {
  out->append(exception ? "exception:" : "event:").append(type).append(" ");
  out->append(payload).append("\n");
}

// A request case's input: {"model_id": ..., "stream_path": ..., "body": {...}}.
std::string decode(const InboundCodec& codec, std::string_view input) {
  rapidjson::Document wrapper;
  wrapper.Parse(input.data(), input.size());
  if (wrapper.HasParseError() || !wrapper.IsObject() || !wrapper.HasMember("body")) {
    return "<bad test input>";
  }
  std::string body;
  if (wrapper["body"].IsString()) {
    body = wrapper["body"].GetString();  // a body that is not JSON, as text
  } else {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    wrapper["body"].Accept(writer);
    body.assign(buffer.GetString(), buffer.GetSize());
  }
  ClientRequest request;
  request.path = "/bedrock/model/x/converse";
  request.model_id = wrapper.HasMember("model_id") ? wrapper["model_id"].GetString() : "";
  request.stream_path = wrapper.HasMember("stream_path") && wrapper["stream_path"].GetBool();
  request.body = body;
  std::string openai_body;
  ApiError error;
  if (!codec.decode_request(request, &openai_body, &error)) {
    return render_answer(codec.encode_error(error));
  }
  return openai_body;
}

TEST(BedrockConverse, RequestGoldens) {
  const auto codec = make_bedrock_converse_codec(readable_frame);
  const int cases = check_golden_folder(
      "bedrock/request", true, [&](std::string_view input) { return decode(*codec, input); });
  EXPECT_GE(cases, 10);
}

TEST(BedrockConverse, ResponseGoldens) {
  const auto codec = make_bedrock_converse_codec(readable_frame);
  const int cases = check_golden_folder("bedrock/response", true, [&](std::string_view input) {
    return render_answer(codec->encode_response(input, kContext));
  });
  EXPECT_GE(cases, 4);
}

TEST(BedrockConverse, StreamGoldens) {
  const auto codec = make_bedrock_converse_codec(readable_frame);
  const int cases = check_golden_folder("bedrock/stream", false, [&](std::string_view input) {
    const auto encoder = codec->stream_encoder(kContext);
    EXPECT_EQ(encoder->content_type(), "application/vnd.amazon.eventstream");
    return play_stream(input, *encoder);
  });
  EXPECT_GE(cases, 4);
}

TEST(BedrockConverse, ErrorNameFollowsTheStatus) {
  const auto codec = make_bedrock_converse_codec(readable_frame);
  const std::pair<int, std::string_view> table[] = {
      {400, "ValidationException"},         {401, "AccessDeniedException"},
      {403, "AccessDeniedException"},       {404, "ResourceNotFoundException"},
      {408, "ModelTimeoutException"},       {413, "ValidationException"},
      {424, "ModelErrorException"},         {429, "ThrottlingException"},
      {500, "InternalServerException"},     {502, "InternalServerException"},
      {503, "ServiceUnavailableException"}, {529, "ServiceUnavailableException"}};
  for (const auto& [status, name] : table) {
    SCOPED_TRACE(status);
    const ClientAnswer answer = codec->encode_error({status, "no \"luck\"", "x", ""});
    EXPECT_EQ(answer.status, status);
    ASSERT_EQ(answer.headers.size(), 2u);
    EXPECT_EQ(answer.headers[0].name, "content-type");
    EXPECT_EQ(answer.headers[0].value, "application/json");
    EXPECT_EQ(answer.headers[1].name, "x-amzn-errortype");
    EXPECT_EQ(answer.headers[1].value, name);
    EXPECT_EQ(answer.body, "{\"message\":\"no \\\"luck\\\"\"}");
  }
}

TEST(BedrockConverse, StreamExceptionFollowsTheStatus) {
  const auto codec = make_bedrock_converse_codec(readable_frame);
  const std::pair<int, std::string_view> table[] = {
      {400, "validationException"},         {429, "throttlingException"},
      {500, "internalServerException"},     {503, "serviceUnavailableException"},
      {502, "modelStreamErrorException"},   {504, "modelStreamErrorException"},
      {529, "serviceUnavailableException"}, {401, "modelStreamErrorException"}};
  for (const auto& [status, name] : table) {
    SCOPED_TRACE(status);
    const auto encoder = codec->stream_encoder(kContext);
    std::string out;
    encoder->fail({status, "stopped", "x", ""}, &out);
    EXPECT_EQ(out, "exception:" + std::string(name) + " {\"message\":\"stopped\"}\n");
  }
}

TEST(BedrockConverse, NullFrameWriterWritesNothing) {
  const auto codec = make_bedrock_converse_codec(nullptr);
  const auto encoder = codec->stream_encoder(kContext);
  std::string out;
  encoder->chunk(R"({"id":"c","choices":[{"index":0,"delta":{"content":"x"}}]})", &out);
  encoder->finish(&out);
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace sluice::apis
