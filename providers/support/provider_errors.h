#pragma once
// What providers' own names for a failure stand for: Bedrock's exception names and Anthropic's
// error types. The adapters map a provider's error with them, and the client API encoders
// (core/apis) read a failure that reached a stream in band by the name translate kept as its
// code, so both see one table. Pure functions.

#include <string_view>

namespace sluice::providers::support {

// The status of a Bedrock exception ("ThrottlingException", also as a stream names it,
// "throttlingException"); 0 when it is not one of Bedrock's.
int bedrock_exception_status(std::string_view name);

struct AnthropicErrorType {
  std::string_view anthropic;  // "overloaded_error"
  int status;                  // 529
  std::string_view openai;     // "server_error"
};

// Anthropic's error type of that name; nullptr when it is not one of Anthropic's.
const AnthropicErrorType* find_anthropic_error_type(std::string_view anthropic_type);

}  // namespace sluice::providers::support
