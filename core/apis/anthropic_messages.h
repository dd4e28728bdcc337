#pragma once
// Anthropic's Messages API (POST /v1/messages) as a client API: its requests become OpenAI
// chat-completions requests, and the chain's OpenAI answers (whole, streamed, errors) become
// Anthropic's message objects, named SSE events and error objects.
//
// Choices where the APIs differ (each one pinned by a golden file under test/unit/apis/golden):
// - thinking and redacted_thinking blocks of earlier assistant turns, and the request's
//   "thinking" settings, are dropped: OpenAI's chat shape has no place for them, and the answers
//   never carry any.
// - top_k, which OpenAI lacks, is kept as a "top_k" member for the adapters of providers that
//   have it (the same way Bedrock's additionalModelRequestFields travels).
// - tool_result blocks become tool messages placed before the rest of their user turn, as
//   OpenAI wants the tool answers right after the assistant's calls; is_error shows as an
//   "Error: " prefix on the result's text. Images inside a tool_result are refused (400): OpenAI
//   tool messages hold text only.
// - finish_reason "stop" always becomes end_turn: OpenAI does not say which stop sequence ended
//   the text, so stop_sequence is null.
// - input_tokens counts the prompt tokens not read from (nor written to) a cache, as Anthropic
//   counts them; OpenAI's prompt_tokens includes them.
// - a tool call whose arguments are not a JSON object (cut short by max_tokens) answers input {}.

#include <memory>

#include "core/apis/client_api.h"

namespace sluice::apis {

// Stateless; one object serves every thread.
std::unique_ptr<InboundCodec> make_anthropic_messages_codec();

}  // namespace sluice::apis
