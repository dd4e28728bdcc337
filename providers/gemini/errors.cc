// Google's error answers ({"error":{"code","message","status"}}; Vertex may wrap it in an
// array) -> the client's Failure: the status from Google's status name, the message kept but
// bounded, made valid UTF-8 and without the deployment's key.

#include <cstdint>

#include "providers/gemini/translate.h"
#include "providers/support/text.h"

namespace sluice::providers::gemini {
namespace {

// Longest provider text carried into a message.
constexpr size_t kMaxMessage = 4096;
// Longest slice of a body that is not Google's error shape carried into a message.
constexpr size_t kMaxBodyExcerpt = 512;

struct StatusName {
  std::string_view name;
  int http_status;
};

// google.rpc.Code names and the HTTP status Google documents for each.
constexpr StatusName kStatusNames[] = {{"INVALID_ARGUMENT", 400},
                                       {"FAILED_PRECONDITION", 400},
                                       {"OUT_OF_RANGE", 400},
                                       {"UNAUTHENTICATED", 401},
                                       {"PERMISSION_DENIED", 403},
                                       {"NOT_FOUND", 404},
                                       {"ABORTED", 409},
                                       {"ALREADY_EXISTS", 409},
                                       {"RESOURCE_EXHAUSTED", 429},
                                       {"CANCELLED", 499},
                                       {"INTERNAL", 500},
                                       {"UNKNOWN", 500},
                                       {"DATA_LOSS", 500},
                                       {"UNIMPLEMENTED", 501},
                                       {"UNAVAILABLE", 503},
                                       {"DEADLINE_EXCEEDED", 504}};

int status_for_name(std::string_view name) {
  for (const StatusName& entry : kStatusNames) {
    if (entry.name == name) return entry.http_status;
  }
  return 0;
}

}  // namespace

Failure failure_from_error_object(Flavour flavour, int status, const rapidjson::Value& error,
                                  std::string_view secret) {
  Failure failure;
  std::string_view name;
  find_string(error, "status", &name);
  int mapped = status_for_name(name);
  if (mapped == 0 && status >= 400 && status <= 599) mapped = status;
  if (const rapidjson::Value* code = find(error, "code"); mapped == 0 && code != nullptr &&
                                                          code->IsInt() && code->GetInt() >= 400 &&
                                                          code->GetInt() <= 599) {
    mapped = code->GetInt();
  }
  failure.status = mapped != 0 ? mapped : 502;
  failure.type = support::openai_error_type(failure.status);
  failure.code = name.empty() ? "upstream_error" : support::clean_text(name, secret, 64);
  std::string_view message;
  if (find_string(error, "message", &message) && !message.empty()) {
    failure.message = support::clean_text(message, secret, kMaxMessage);
  } else {
    failure.message = std::string(provider_label(flavour)) + " answered with an error" +
                      (name.empty() ? std::string() : " (" + failure.code + ")");
  }
  return failure;
}

Failure translate_google_error(Flavour flavour, int status, std::string_view body,
                               std::string_view secret) {
  rapidjson::Document document;
  if (parse_json(body, &document)) {
    // Vertex answers some errors as [{"error":{...}}].
    const rapidjson::Value* root = &document;
    if (document.IsArray() && !document.Empty()) root = &document[0];
    if (const rapidjson::Value* error = find(*root, "error");
        error != nullptr && error->IsObject()) {
      return failure_from_error_object(flavour, status, *error, secret);
    }
  }
  Failure failure;
  failure.status = status >= 400 && status <= 599 ? status : 502;
  failure.type = support::openai_error_type(failure.status);
  failure.code = "upstream_error";
  failure.message =
      std::string(provider_label(flavour)) + " answered HTTP " + std::to_string(status);
  if (const std::string excerpt = support::clean_text(support::trim(body), secret, kMaxBodyExcerpt);
      !excerpt.empty()) {
    failure.message += ": " + excerpt;
  }
  return failure;
}

}  // namespace sluice::providers::gemini
