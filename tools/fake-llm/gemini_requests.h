#pragma once
// Reading a Gemini GenerateContentRequest (Gemini API and Vertex AI share it) into the facts
// fake-llm answers from, validated the way Google's proto-JSON front end does: unknown fields
// are refused (camelCase and snake_case spellings both accepted), contents need parts, roles are
// "user" or "model", every part holds one kind of data (text, inlineData, fileData, functionCall,
// functionResponse, ...), function declarations need names, generationConfig is typed. Every
// failure is a 400 INVALID_ARGUMENT with a message in Google's style.
//
// Also the Gemini API key check (x-goog-api-key header or ?key=).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/message.h"
#include "tools/fake-llm/api_error.h"

namespace fake_llm {

struct GeminiRequest {
  std::string last_user_text;  // text parts of the last user content, concatenated (when it has
                               // none: its functionResponse.response objects as JSON)
  size_t other_words = 0;      // words in systemInstruction and every other text part
  std::string tool_name;       // the function a tool_call directive calls; empty: none
  std::optional<int64_t> max_output_tokens;
  std::vector<std::string> stop_sequences;
  bool sse = false;  // ?alt=sse: a stream is an event stream (otherwise a streamed JSON array)
};

// False with *error (400) when `body` is not a valid GenerateContentRequest.
bool parse_gemini_request(std::string_view body, GeminiRequest* out, ApiError* error);

// The API key check: false with *error when no key is given (403 PERMISSION_DENIED) or, when
// `expected_key` is not empty, a different one (400 INVALID_ARGUMENT, reason API_KEY_INVALID).
bool check_gemini_key(const sluice::http::Request& request, std::string_view expected_key,
                      ApiError* error);

}  // namespace fake_llm
