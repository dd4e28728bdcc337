#pragma once
// The pieces of the Anthropic Messages codec, one file each (request, response and errors,
// stream), joined by anthropic_messages.cc.

#include <memory>
#include <string>
#include <string_view>

#include "core/apis/client_api.h"

namespace sluice::apis::anthropic {

bool decode_request(std::string_view body, std::string* openai_body, ApiError* error);
ClientAnswer encode_response(std::string_view openai_body, const AnswerContext& context);
ClientAnswer encode_error(const ApiError& error);
std::unique_ptr<StreamEncoder> make_stream_encoder(const AnswerContext& context);

// Anthropic's error type for an HTTP status ("invalid_request_error", "overloaded_error", ...).
std::string_view error_type(int status);
// Anthropic's stop_reason for OpenAI's finish_reason.
std::string_view stop_reason(std::string_view finish_reason);
// "msg_<rest of the OpenAI id>": the id without OpenAI's "chatcmpl-" prefix.
std::string message_id(std::string_view openai_id);

}  // namespace sluice::apis::anthropic
