#pragma once
// ApiError: a request problem found while reading a body, before it is rendered in the
// provider's own error shape (OpenAI error object or Bedrock {"message"} + x-amzn-errortype).

#include <string>

namespace fake_llm {

struct ApiError {
  int status = 400;
  std::string message;
  std::string param;  // OpenAI "param" (null when empty)
  std::string code;   // OpenAI "code" (null when empty)
};

}  // namespace fake_llm
