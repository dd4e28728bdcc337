#pragma once
// translate: OpenAI's `encoding_format: "base64"` for providers whose embeddings come back as
// numbers (Bedrock, Gemini, ...): each vector as base64 of its little-endian float32 values,
// which is what the OpenAI SDKs ask for by default and decode. Pure, no host calls.

#include <optional>
#include <string>
#include <string_view>

namespace sluice::filters::translate {

// The embeddings list `openai_json` with every data[i].embedding array of numbers written as a
// base64 string. nullopt when the text is not an embeddings list of number arrays.
std::optional<std::string> embeddings_as_base64(std::string_view openai_json);

}  // namespace sluice::filters::translate
