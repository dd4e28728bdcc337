// Azure OpenAI errors are OpenAI's {"error":{"message","type","param","code"}}, sometimes with
// type null, a numeric-looking code ("401", "429") or an innererror (content filtering): the
// status, message, code and param are kept; a missing type comes from the status.

#include <string>

#include "providers/azure/translation.h"

namespace sluice::providers::azure {
namespace {

std::string copied_text(std::string_view text, std::initializer_list<std::string_view> secrets) {
  std::string copy(bounded(trim(text), kMaxErrorText));
  for (std::string_view secret : secrets) redact(copy, secret);
  return copy;
}

}  // namespace

Failure failure_from_error_object(const JsonValue& error, int status,
                                  std::initializer_list<std::string_view> secrets) {
  std::string message = copied_text(string_member(error, "message"), secrets);
  if (message.empty()) message = "Azure OpenAI answered HTTP " + std::to_string(status);
  const std::string_view type = string_member(error, "type");
  return make_failure(status, std::move(message),
                      type.empty() ? support::openai_error_type(status) : type,
                      copied_text(support::scalar_text(error, "code"), secrets),
                      copied_text(support::scalar_text(error, "param"), secrets));
}

Failure translate_error_body(int status, std::string_view body,
                             std::initializer_list<std::string_view> secrets) {
  if (status < 100 || status > 599) status = 502;  // no HTTP status to keep
  rapidjson::Document document;
  if (parse_json(trim(body), &document) && document.IsObject()) {
    const JsonValue* error = member(document, "error");
    if (error && error->IsObject()) return failure_from_error_object(*error, status, secrets);
    // Not OpenAI's shape (a gateway in front of Azure): its message, if it has one.
    for (const char* name : {"error", "message", "detail"}) {
      if (std::string_view text = string_member(document, name); !text.empty()) {
        return make_failure(status, copied_text(text, secrets), support::openai_error_type(status),
                            "upstream_error");
      }
    }
  }
  std::string message = copied_text(body, secrets);
  if (message.empty()) message = "Azure OpenAI answered HTTP " + std::to_string(status);
  return make_failure(status, std::move(message), support::openai_error_type(status),
                      "upstream_error");
}

}  // namespace sluice::providers::azure
