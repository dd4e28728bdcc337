#pragma once
// The pieces the Mistral adapter is made of: the request bodies (request.cc) with Mistral's
// tool call ids (tool_call_ids.cc), answers (response.cc), streams (stream.cc) and errors
// (errors.cc). Pure functions of their arguments.

#include <memory>
#include <string>
#include <string_view>

#include "providers/common/adapter.h"
#include "providers/mistral/json.h"

namespace sluice::providers::mistral {

// Mistral's chat request body for the client's OpenAI one (see README.md, "Request"), parsed
// from `source_size` bytes (the body's buffer is reserved for it). False with *failure set (a
// 400 naming the field) when it cannot be sent to Mistral.
bool chat_request_body(const JsonValue& openai, std::string_view model, size_t source_size,
                       std::string* body, Failure* failure);

// Mistral's embeddings request body for the client's OpenAI one.
void embeddings_request_body(const JsonValue& openai, std::string_view model, size_t source_size,
                             std::string* body);

// Whether Mistral accepts `id` as a tool call id: nine letters and digits.
bool is_mistral_tool_call_id(std::string_view id);

// `id` when Mistral accepts it, else nine letters and digits derived from it (always the same
// for the same id, so a call and its result keep matching).
std::string mistral_tool_call_id(std::string_view id);

// A whole answer (chat completion or embeddings list) in OpenAI's shape with the client's model.
bool translate_answer(std::string_view body, std::string_view model, std::string* out,
                      Failure* failure);

// Whether Mistral stopped any choice of `object` with finish_reason "error" (no OpenAI value
// says that: the caller fails instead of passing the answer on).
bool stopped_with_error(const JsonValue& object);

// Writes `object` (a chat completion, a chunk when `delta`, or an embeddings list) with "model"
// set to `model` (added at the end when missing), each choice's finish_reason in OpenAI's terms
// and a content list of Mistral's as text plus "reasoning_content".
void write_answer_object(const JsonValue& object, std::string_view model, bool delta,
                         JsonWriter& writer);

// The failure for a choice Mistral stopped with finish_reason "error".
Failure generation_error();

std::unique_ptr<StreamDecoder> make_stream_decoder(const ResponseContext& context);

// A non-2xx answer as a failure (see Adapter::translate_error), `secret` removed from it.
Failure translate_error_body(int status, std::string_view body, std::string_view secret);

// An error object of Mistral's (flat {"object":"error","message",...}, or OpenAI's nested
// one) as a failure with `status`.
Failure failure_from_error_object(const JsonValue& error, int status, std::string_view secret);

}  // namespace sluice::providers::mistral
