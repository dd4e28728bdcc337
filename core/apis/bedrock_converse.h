#pragma once
// Amazon Bedrock's Converse API (POST /bedrock/model/{modelId}/converse and .../converse-stream)
// as a client API: its requests become OpenAI chat-completions requests, and the chain's OpenAI
// answers become Converse's output objects, event-stream events and errors (a {"message"} body
// with the exception's name in x-amzn-errortype).
//
// Choices where the APIs differ (each one pinned by a golden file under test/unit/apis/golden):
// - document, video and S3-sourced image blocks are refused (400 ValidationException): the
//   chain has no way to carry them. reasoningContent blocks of earlier turns are dropped and
//   cachePoint markers ignored, as OpenAI's chat shape has no place for either.
// - toolResult blocks become tool messages placed before the rest of their user turn; their
//   json content is written as JSON text, status "error" shows as an "Error: " prefix.
// - additionalModelRequestFields and guardrailConfig are kept as members of the same names in
//   the OpenAI body, for the outbound Bedrock adapter to pass on.
// - inputTokens counts the prompt tokens not read from (nor written to) a cache; those appear
//   as cacheReadInputTokens / cacheWriteInputTokens when there are any, and totalTokens is
//   everything.
// - a text block has no contentBlockStart in the stream (as AWS sends them); tool use blocks do.

#include <memory>
#include <string>
#include <string_view>

#include "core/apis/client_api.h"

namespace sluice::apis {

// Writes one event-stream frame: an event (exception=false, :event-type = type) or an
// exception (:exception-type = type), payload JSON. The host passes the real AWS
// framing; tests pass a readable stand-in.
using FrameWriter = void (*)(bool exception, std::string_view type, std::string_view payload,
                             std::string* out);

// Stateless; one object serves every thread. `writer` frames the stream's events (a null
// writer writes nothing).
std::unique_ptr<InboundCodec> make_bedrock_converse_codec(FrameWriter writer);

}  // namespace sluice::apis
