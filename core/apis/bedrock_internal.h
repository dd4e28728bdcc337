#pragma once
// The pieces of the Bedrock Converse codec, one file each (request, response and errors,
// stream), joined by bedrock_converse.cc.

#include <memory>
#include <string>
#include <string_view>

#include "core/apis/bedrock_converse.h"
#include "core/apis/codec_json.h"
#include "core/apis/openai_answer.h"

namespace sluice::apis::bedrock {

bool decode_request(const ClientRequest& request, std::string* openai_body, ApiError* error);
ClientAnswer encode_response(std::string_view openai_body, const AnswerContext& context);
ClientAnswer encode_error(const ApiError& error);
std::unique_ptr<StreamEncoder> make_stream_encoder(const AnswerContext& context,
                                                   FrameWriter writer);

// The exception name for an HTTP status: "ValidationException", "ThrottlingException", ...
std::string_view exception_name(int status);
// The in-stream exception for an HTTP status: "throttlingException", ...
std::string_view stream_exception_name(int status);
// Converse's stopReason for OpenAI's finish_reason.
std::string_view stop_reason(std::string_view finish_reason);
// Converse's usage object: inputTokens without the cached part, totalTokens with everything
// (OpenAI's prompt_tokens include the cached ones).
void write_usage(JsonOut& out, const OpenAiUsage& usage);

}  // namespace sluice::apis::bedrock
