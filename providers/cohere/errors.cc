// Cohere's error answers ({"id","message"}, or {"message"}) -> the client's Failure: the HTTP
// status kept (Cohere documents 400, 401, 402, 404, 429, 499 and 500), the message kept but
// bounded, made valid UTF-8 and without the deployment's key.

#include <cstdint>

#include "providers/cohere/translate.h"
#include "providers/support/text.h"

namespace sluice::providers::cohere {
namespace {

constexpr size_t kMaxMessage = 4096;     // longest provider message carried
constexpr size_t kMaxBodyExcerpt = 512;  // longest slice of a body in another shape

}  // namespace

Failure translate_cohere_error(int status, std::string_view body, std::string_view secret) {
  Failure failure;
  failure.status = status >= 400 && status <= 599 ? status : 502;
  failure.type = support::openai_error_type(failure.status);
  failure.code = "upstream_error";
  rapidjson::Document document;
  std::string_view message;
  if (parse_json(body, &document) && find_string(document, "message", &message) &&
      !message.empty()) {
    failure.message = support::clean_text(message, secret, kMaxMessage);
    return failure;
  }
  failure.message = "cohere answered HTTP " + std::to_string(status);
  if (const std::string excerpt = support::clean_text(support::trim(body), secret, kMaxBodyExcerpt);
      !excerpt.empty()) {
    failure.message += ": " + excerpt;
  }
  return failure;
}

}  // namespace sluice::providers::cohere
