#pragma once
// Reading OpenAI request bodies (Chat Completions, legacy Completions, Embeddings) into the few
// facts fake-llm answers from, with OpenAI-style 400 errors for malformed requests.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/fake-llm/api_error.h"

namespace fake_llm {

inline constexpr uint32_t kMaxEmbeddingDim = 8192;
inline constexpr size_t kMaxEmbeddingInputs = 2048;

struct ChatRequest {
  std::string model;
  bool stream = false;
  bool include_usage = false;   // stream_options.include_usage
  std::string last_user_text;   // text parts of the last user message, concatenated
  size_t other_words = 0;       // words in every other message's text
  std::string first_tool_name;  // tools[0].function.name; empty when there are no tools
};

struct CompletionRequest {
  std::string model;
  bool stream = false;
  bool include_usage = false;
  std::string prompt_text;  // the prompt (the last one when several)
  size_t other_words = 0;   // words (or tokens) of the other prompts
};

struct EmbeddingInput {
  std::string text;              // a string input, or a token array rendered as text
  std::optional<size_t> tokens;  // token-array inputs: their length (counted instead of words)
};

struct EmbeddingRequest {
  std::string model;
  std::vector<EmbeddingInput> inputs;
  bool base64 = false;  // encoding_format "base64"
  std::optional<uint32_t> dimensions;
};

// Each returns false with *error (status 400, OpenAI param/code) when the body is malformed.
bool parse_chat_request(std::string_view body, ChatRequest* out, ApiError* error);
bool parse_completion_request(std::string_view body, CompletionRequest* out, ApiError* error);
bool parse_embedding_request(std::string_view body, EmbeddingRequest* out, ApiError* error);

}  // namespace fake_llm
