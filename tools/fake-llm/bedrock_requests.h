#pragma once
// Reading an Amazon Bedrock Converse request body into the facts fake-llm answers from, with
// Bedrock-style ValidationException messages for malformed requests.

#include <cstddef>
#include <string>
#include <string_view>

#include "tools/fake-llm/api_error.h"

namespace fake_llm {

struct ConverseRequest {
  std::string last_user_text;   // text blocks of the last user message, concatenated
  size_t other_words = 0;       // words in the system prompt and every other message
  std::string first_tool_name;  // toolConfig.tools[0].toolSpec.name; empty when none
};

// False with *error (status 400, message) when the body is not a valid Converse request.
bool parse_converse_request(std::string_view body, ConverseRequest* out, ApiError* error);

}  // namespace fake_llm
