// Mistral's errors come in three shapes: its own flat {"object":"error","message","type",
// "param","code"} (the message sometimes an object rather than text), the validation error of
// its web framework {"detail":[{"loc":[...],"msg","type"}]} (422: an unknown or malformed
// member), and a bare {"message":"Unauthorized"} at its gateway. Each becomes OpenAI's error
// with the status kept; any other body gives its trimmed text. The deployment's key is removed
// from every text copied out.

#include <string>

#include "providers/mistral/translation.h"

namespace sluice::providers::mistral {
namespace {

std::string copied(std::string_view text, std::string_view secret) {
  return support::clean_text(trim(text), secret, kMaxErrorText);
}

// "body.messages.0.refusal: Extra inputs are not permitted; ..." from a validation error.
std::string detail_text(const JsonValue& details) {
  std::string out;
  for (const JsonValue& detail : details.GetArray()) {
    if (out.size() > kMaxErrorText) break;
    std::string where;
    if (const JsonValue* loc = member(detail, "loc"); loc && loc->IsArray()) {
      for (const JsonValue& part : loc->GetArray()) {
        if (!where.empty()) where += '.';
        if (part.IsString()) where.append(view(part));
        if (part.IsInt64()) where += std::to_string(part.GetInt64());
      }
    }
    const std::string_view what = string_member(detail, "msg");
    if (what.empty() && where.empty()) continue;
    if (!out.empty()) out += "; ";
    out += where.empty() ? std::string(what) : where + ": " + std::string(what);
  }
  return out;
}

// The error's message: text, a validation error's details (Mistral nests some under
// "message"), or the JSON text of any other object or list.
std::string message_text(const JsonValue& error) {
  const JsonValue* message = member(error, "message");
  if (!message) return "";
  if (message->IsString()) return std::string(view(*message));
  if (const JsonValue* details = member(*message, "detail"); details && details->IsArray()) {
    if (std::string text = detail_text(*details); !text.empty()) return text;
  }
  std::string text;
  if ((message->IsObject() || message->IsArray()) && support::to_json_text(*message, &text)) {
    return text;
  }
  return "";
}

std::string fallback_message(int status) {
  return "Mistral answered HTTP " + std::to_string(status);
}

}  // namespace

// OpenAI's error type comes from the status (Mistral's own types, "rate_limited",
// "invalid_request_message_order", ..., are not OpenAI's); Mistral's code, else its type, is
// kept as the code.
Failure failure_from_error_object(const JsonValue& error, int status, std::string_view secret) {
  std::string message = copied(message_text(error), secret);
  if (message.empty()) message = fallback_message(status);
  std::string code = copied(support::scalar_text(error, "code"), secret);
  if (code.empty()) code = copied(string_member(error, "type"), secret);
  return support::status_failure(status, std::move(message), std::move(code),
                                 copied(support::scalar_text(error, "param"), secret));
}

Failure translate_error_body(int status, std::string_view body, std::string_view secret) {
  if (status < 100 || status > 599) status = 502;  // no HTTP status to keep
  rapidjson::Document document;
  if (parse_json(trim(body), &document) && document.IsObject()) {
    if (const JsonValue* error = member(document, "error"); error && error->IsObject()) {
      return failure_from_error_object(*error, status, secret);  // OpenAI's shape, via a proxy
    }
    if (const JsonValue* details = member(document, "detail"); details && details->IsArray()) {
      std::string message = copied(detail_text(*details), secret);
      if (message.empty()) message = fallback_message(status);
      return support::status_failure(status, std::move(message), "invalid_request", "");
    }
    if (member(document, "message") || member(document, "object")) {
      return failure_from_error_object(document, status, secret);
    }
    if (std::string_view text = string_member(document, "detail"); !text.empty()) {
      return support::status_failure(status, copied(text, secret), "upstream_error", "");
    }
  }
  std::string message = copied(body, secret);
  if (message.empty()) message = fallback_message(status);
  return support::status_failure(status, std::move(message), "upstream_error", "");
}

}  // namespace sluice::providers::mistral
