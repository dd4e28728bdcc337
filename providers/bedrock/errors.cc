// Bedrock errors as OpenAI errors: HTTP error answers ({"message": ...} with the exception name
// in x-amzn-errortype, which the adapter does not see) and in-band stream exceptions, with the
// status AWS documents for each exception and any credential of the deployment removed.

#include "providers/bedrock/internal.h"
#include "providers/bedrock/json.h"
#include "providers/support/provider_errors.h"
#include "providers/support/text.h"

namespace sluice::bedrock {
namespace {

constexpr size_t kMaxMessageLength = 2048;

// Cuts to at most kMaxMessageLength bytes without splitting a UTF-8 sequence.
std::string bounded(std::string_view text) {
  return std::string(support::bounded(text, kMaxMessageLength));
}

// The message of a Bedrock error body ({"message"} or {"Message"}) and its "__type" if any.
void read_body(std::string_view body, std::string* message, std::string* type) {
  rapidjson::Document doc;
  if (parse_json(body, &doc) && doc.IsObject()) {
    for (const char* name : {"message", "Message"}) {
      if (const Value* value = member(doc, name); value != nullptr && value->IsString()) {
        *message = bounded(support::trim(view(*value)));
        break;
      }
    }
    if (const Value* value = member(doc, "__type"); value != nullptr && value->IsString()) {
      // "com.amazon.coral.validate#ValidationException" -> "ValidationException"
      std::string_view name = view(*value);
      const size_t hash = name.rfind('#');
      if (hash != std::string_view::npos) name.remove_prefix(hash + 1);
      *type = bounded(name);
    }
    return;
  }
  *message = bounded(support::trim(body));
}

}  // namespace

int exception_status(std::string_view exception_type) {
  const int status = support::bedrock_exception_status(exception_type);
  return status ? status : 500;
}

Failure error_failure(int status, std::string_view body, const Deployment& deployment) {
  std::string message;
  std::string type;
  read_body(body, &message, &type);
  if (message.empty()) message = "the upstream answered HTTP " + std::to_string(status);
  support::redact(message, deployment.api_key);
  for (const char* name : {"aws_secret_access_key", "aws_session_token"}) {
    const auto found = deployment.settings.find(name);
    if (found != deployment.settings.end()) support::redact(message, found->second);
  }
  return status_failure(status, std::move(message), type.empty() ? "upstream_error" : type);
}

Failure exception_failure(std::string_view exception_type, std::string_view payload) {
  std::string message;
  std::string type;
  read_body(payload, &message, &type);
  if (message.empty()) message = "Bedrock ended the stream with " + bounded(exception_type);
  std::string code = bounded(exception_type);
  if (!code.empty()) code[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(code[0])));
  return status_failure(exception_status(exception_type), std::move(message), std::move(code));
}

}  // namespace sluice::bedrock
