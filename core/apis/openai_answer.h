#pragma once
// Reading the chain's OpenAI answers, for the encoders of every client API: a whole
// chat.completion and one chat.completion.chunk, reduced to what the other APIs can express
// (the first choice's text and tool calls, the finish reason, the usage). The views point into
// the parsed document, which must outlive them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/apis/client_api.h"
#include "core/apis/codec_json.h"

namespace sluice::apis {

struct OpenAiUsage {
  bool known = false;
  int64_t prompt_tokens = 0;  // cached ones included, as OpenAI counts them
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;          // prompt_tokens_details.cached_tokens
  int64_t cache_creation_tokens = 0;  // "cache_creation_input_tokens", where a provider adds it
  // The prompt tokens neither read from nor written to a cache (Anthropic's and Bedrock's
  // inputTokens), never negative.
  int64_t uncached_prompt_tokens() const;
};

struct OpenAiToolCall {
  std::string_view id;
  std::string_view name;
  std::string_view arguments;  // JSON text as the model wrote it
};

struct OpenAiAnswer {
  std::string_view id;
  std::string text;  // content (text parts joined), or the refusal when there is no content
  std::vector<OpenAiToolCall> tool_calls;
  std::string_view finish_reason;
  OpenAiUsage usage;
};

// Reads a chat.completion. False with *error set when it is not one (no choices[0].message).
bool read_openai_answer(const JsonValue& completion, OpenAiAnswer* answer, std::string* error);

// Parses the chain's answer text into *completion and reads it into *answer (whose views point
// into *completion). When it cannot, the 502 the client gets, in the API-neutral form.
std::optional<ApiError> parse_openai_answer(std::string_view body, ParsedJson* completion,
                                            OpenAiAnswer* answer);

struct OpenAiToolDelta {
  int64_t index = 0;
  std::string_view id;         // on a call's first delta
  std::string_view name;       // on a call's first delta
  std::string_view arguments;  // a fragment
};

struct OpenAiChunk {
  std::string_view id;
  std::string_view text;  // delta.content (or delta.refusal)
  std::vector<OpenAiToolDelta> tool_deltas;
  std::string_view finish_reason;
  OpenAiUsage usage;
};

// Reads a chat.completion.chunk: choice 0 only (the other APIs have one message). Members of
// the wrong type are read as absent, so any JSON object gives a chunk.
void read_openai_chunk(const JsonValue& chunk, OpenAiChunk* out);

// Reads "usage" of a completion or chunk; usage.known stays false when it is absent or null.
void read_openai_usage(const JsonValue& holder, OpenAiUsage* usage);

}  // namespace sluice::apis
