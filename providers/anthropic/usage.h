#pragma once
// Anthropic's token counts and OpenAI's usage object made of them. Anthropic counts cached
// prompt tokens apart from input_tokens; OpenAI's prompt_tokens includes them, and
// prompt_tokens_details.cached_tokens tells how many were read from the cache.

#include <cstdint>

#include "providers/anthropic/json.h"

namespace sluice::providers::anthropic {

struct Usage {
  uint64_t input_tokens = 0;
  uint64_t output_tokens = 0;
  uint64_t cache_read_input_tokens = 0;
  uint64_t cache_creation_input_tokens = 0;
};

// `known` with the counts that `usage` (an Anthropic usage object) has replaced: a stream's
// message_delta repeats only some of them, and its counts are the totals so far.
inline Usage read_usage(const JsonValue& usage, Usage known) {
  const auto update = [&usage](const char* name, uint64_t* count) {
    if (const JsonValue* value = member(usage, name); value && value->IsUint64()) {
      *count = value->GetUint64();
    }
  };
  update("input_tokens", &known.input_tokens);
  update("output_tokens", &known.output_tokens);
  update("cache_read_input_tokens", &known.cache_read_input_tokens);
  update("cache_creation_input_tokens", &known.cache_creation_input_tokens);
  return known;
}

// OpenAI's usage object.
inline void write_usage(JsonWriter& writer, const Usage& usage) {
  const uint64_t prompt =
      usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
  writer.StartObject();
  writer.Key("prompt_tokens");
  writer.Uint64(prompt);
  writer.Key("completion_tokens");
  writer.Uint64(usage.output_tokens);
  writer.Key("total_tokens");
  writer.Uint64(prompt + usage.output_tokens);
  writer.Key("prompt_tokens_details");
  writer.StartObject();
  writer.Key("cached_tokens");
  writer.Uint64(usage.cache_read_input_tokens);
  writer.EndObject();
  writer.EndObject();
}

}  // namespace sluice::providers::anthropic
