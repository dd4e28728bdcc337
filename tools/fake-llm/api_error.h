#pragma once
// ApiError: a request problem found while reading a body (or its credentials), before it is
// rendered in the provider's own error shape (OpenAI error object, Bedrock {"message"} +
// x-amzn-errortype, Anthropic, Google or OAuth error).

#include <string>

namespace fake_llm {

struct ApiError {
  int status = 400;
  std::string message;
  std::string param;  // OpenAI "param" (null when empty)
  std::string code;   // OpenAI "code" (null when empty); Google: the ErrorInfo reason; OAuth:
                      // the "error" code
};

}  // namespace fake_llm
