#pragma once
// The Cohere adapter's translators, one file each, as adapter.cc calls them.

#include <memory>
#include <string>
#include <string_view>

#include "providers/cohere/json.h"

namespace sluice::providers::cohere {

// request.cc: an OpenAI chat-completions body as a Cohere v2 /v2/chat body for `model`.
bool build_chat_body(std::string_view openai_body, std::string_view model, std::string* body,
                     bool* stream, Failure* failure);

// response.cc: a /v2/chat answer as an OpenAI chat.completion.
bool translate_chat(std::string_view body, const ResponseContext& context, std::string* out,
                    Failure* failure);

// OpenAI's finish_reason for Cohere's (any case); empty for ERROR and TIMEOUT, which are
// failures, not endings.
std::string_view finish_reason_for(std::string_view cohere_reason);

// Writes OpenAI's usage from a Cohere usage object (tokens, else billed_units).
void write_usage(JsonWriter& writer, const rapidjson::Value& usage);

// stream.cc: a decoder for /v2/chat SSE events.
std::unique_ptr<StreamDecoder> make_chat_stream_decoder(const ResponseContext& context);

// errors.cc: a Cohere error answer ({"message": ...}) as the client's Failure, `secret`
// removed from every copied text.
Failure translate_cohere_error(int status, std::string_view body, std::string_view secret);

}  // namespace sluice::providers::cohere
