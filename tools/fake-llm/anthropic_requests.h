#pragma once
// Reading an Anthropic Messages request (POST /v1/messages) into the facts fake-llm answers
// from, validated the way Anthropic validates: required members, roles, content blocks (text,
// image, tool_use, tool_result, ...), tool_use / tool_result pairing across turns, system as a
// string or text blocks, tools with input_schema, tool_choice, sampling ranges. Messages follow
// Anthropic's "<path>: <problem>" wording; every failure is a 400 invalid_request_error.
//
// Also the header checks that come before the body: x-api-key and anthropic-version.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/message.h"
#include "tools/fake-llm/api_error.h"

namespace fake_llm {

struct AnthropicRequest {
  std::string model;
  int64_t max_tokens = 0;
  bool stream = false;
  std::string last_user_text;  // text blocks of the last user message, concatenated (when it has
                               // none: the text of its tool_result blocks)
  size_t other_words = 0;      // words in the system prompt and every other text block
  std::string tool_name;       // the tool a tool_call directive calls; empty: none callable
  std::vector<std::string> stop_sequences;
};

// False with *error (400) when `body` is not a valid Messages request.
bool parse_anthropic_request(std::string_view body, AnthropicRequest* out, ApiError* error);

// The x-api-key / anthropic-version checks: false with *error (401 authentication_error when the
// key is missing or, when `expected_key` is not empty, different; 400 when anthropic-version is
// missing).
bool check_anthropic_headers(const sluice::http::Headers& headers, std::string_view expected_key,
                             ApiError* error);

}  // namespace fake_llm
