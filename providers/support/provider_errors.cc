// The providers' error names and their statuses (see provider_errors.h).

#include "providers/support/provider_errors.h"

#include "providers/support/text.h"

namespace sluice::providers::support {
namespace {

struct ExceptionStatus {
  std::string_view name;  // lower camel case, as the stream names them
  int status;
};

constexpr ExceptionStatus kBedrockExceptions[] = {
    {"validationException", 400},           {"accessDeniedException", 403},
    {"unrecognizedClientException", 403},   {"resourceNotFoundException", 404},
    {"modelTimeoutException", 408},         {"conflictException", 409},
    {"modelNotReadyException", 429},        {"modelStreamErrorException", 424},
    {"modelErrorException", 424},           {"throttlingException", 429},
    {"serviceQuotaExceededException", 429}, {"internalServerException", 500},
    {"serviceUnavailableException", 503},
};

constexpr AnthropicErrorType kAnthropicErrorTypes[] = {
    {"invalid_request_error", 400, "invalid_request_error"},
    {"authentication_error", 401, "authentication_error"},
    {"billing_error", 402, "invalid_request_error"},
    {"permission_error", 403, "permission_error"},
    {"not_found_error", 404, "invalid_request_error"},
    {"request_too_large", 413, "invalid_request_error"},
    {"rate_limit_error", 429, "rate_limit_error"},
    {"api_error", 500, "server_error"},
    {"timeout_error", 504, "server_error"},
    {"overloaded_error", 529, "server_error"},
};

}  // namespace

int bedrock_exception_status(std::string_view name) {
  for (const ExceptionStatus& known : kBedrockExceptions) {
    if (equals_ignoring_ascii_case(known.name, name)) return known.status;
  }
  return 0;
}

const AnthropicErrorType* find_anthropic_error_type(std::string_view anthropic_type) {
  for (const AnthropicErrorType& type : kAnthropicErrorTypes) {
    if (type.anthropic == anthropic_type) return &type;
  }
  return nullptr;
}

}  // namespace sluice::providers::support
