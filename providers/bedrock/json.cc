// The Bedrock adapter's failure constructor.

#include "providers/bedrock/json.h"

#include "providers/support/text.h"

namespace sluice::bedrock {

providers::Failure make_failure(int status, std::string message, std::string code,
                                std::string param) {
  providers::Failure failure;
  failure.status = status;
  failure.message = std::move(message);
  failure.type = std::string(support::openai_error_type(status));
  failure.code = std::move(code);
  failure.param = std::move(param);
  return failure;
}

}  // namespace sluice::bedrock
