#pragma once
// The pieces the Azure OpenAI adapter is made of: the deployment's URL and credentials
// (adapter.cc), answers with the client's model name (response.cc, stream.cc) and errors
// (errors.cc). Pure functions of their arguments.

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "providers/azure/json.h"
#include "providers/common/adapter.h"

namespace sluice::providers::azure {

// A failure with every field given.
inline Failure make_failure(int status, std::string message, std::string_view type,
                            std::string_view code, std::string param = {}) {
  Failure failure;
  failure.status = status;
  failure.message = std::move(message);
  failure.type = std::string(type);
  failure.code = std::string(code);
  failure.param = std::move(param);
  return failure;
}

// An OpenAI-shaped error object (`error`, the value of "error") as a failure with `status`,
// every secret removed from the copied text.
Failure failure_from_error_object(const JsonValue& error, int status,
                                  std::initializer_list<std::string_view> secrets);

// A non-2xx answer as a failure (see Adapter::translate_error).
Failure translate_error_body(int status, std::string_view body,
                             std::initializer_list<std::string_view> secrets);

// Writes `object` (a JSON object) with its top-level "model" set to `model` (added at the end
// when missing).
void write_with_model(const JsonValue& object, std::string_view model, JsonWriter& writer);

// A whole answer (chat completion, completion or embeddings list) with the client's model.
bool translate_answer(std::string_view body, std::string_view model, std::string* out,
                      Failure* failure);

std::unique_ptr<StreamDecoder> make_chunk_stream_decoder(const ResponseContext& context);

}  // namespace sluice::providers::azure
