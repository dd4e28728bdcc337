// Anthropic errors: {"type":"error","error":{"type","message"}} (as an HTTP answer or a stream
// event) as OpenAI's error fields. The status is Anthropic's (529 overloaded stays 529, which
// retry logic treats as retryable); the type becomes OpenAI's and Anthropic's own type is kept
// as the code.

#include <string>

#include "providers/anthropic/translation.h"
#include "providers/support/provider_errors.h"

namespace sluice::providers::anthropic {
namespace {

std::string copied_text(std::string_view text, std::string_view secret) {
  std::string copy(bounded(trim(text), kMaxErrorText));
  redact(copy, secret);
  return copy;
}

}  // namespace

int status_for_error_type(std::string_view anthropic_type) {
  const support::AnthropicErrorType* type = support::find_anthropic_error_type(anthropic_type);
  return type ? type->status : 500;
}

Failure failure_from_error_object(const rapidjson::Value& error, int status,
                                  std::string_view secret) {
  const std::string_view anthropic_type = string_member(error, "type");
  Failure failure;
  failure.status = status ? status : status_for_error_type(anthropic_type);
  const support::AnthropicErrorType* known = support::find_anthropic_error_type(anthropic_type);
  failure.type = std::string(known ? known->openai : support::openai_error_type(failure.status));
  failure.code = std::string(anthropic_type.empty() ? "upstream_error" : anthropic_type);
  failure.message = copied_text(string_member(error, "message"), secret);
  if (failure.message.empty()) {
    failure.message =
        "Anthropic reported " +
        (anthropic_type.empty() ? std::string("an error") : copied_text(anthropic_type, secret));
  }
  return failure;
}

Failure translate_error_body(int status, std::string_view body, std::string_view secret) {
  if (status < 100 || status > 599) status = 502;  // no HTTP status to keep
  rapidjson::Document document;
  if (parse_json(trim(body), &document) && document.IsObject()) {
    const JsonValue* error = member(document, "error");
    if (error && error->IsObject()) return failure_from_error_object(*error, status, secret);
    // Not Anthropic's shape (a proxy or load balancer in between): its message, if it has one.
    for (const char* name : {"error", "message", "detail"}) {
      if (std::string_view text = string_member(document, name); !text.empty()) {
        return make_failure(status, copied_text(text, secret), support::openai_error_type(status),
                            "upstream_error");
      }
    }
  }
  std::string message = copied_text(body, secret);
  if (message.empty()) message = "Anthropic answered HTTP " + std::to_string(status);
  return make_failure(status, std::move(message), support::openai_error_type(status),
                      "upstream_error");
}

}  // namespace sluice::providers::anthropic
