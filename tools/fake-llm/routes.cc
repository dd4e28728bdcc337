// Path matching by suffix (so any prefix works) and percent-decoding of Bedrock model ids.

#include "tools/fake-llm/routes.h"

namespace fake_llm {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct Suffix {
  std::string_view text;
  RouteKind kind;
};

// Longer spellings first: "/v1/chat/completions" also ends with "/chat/completions".
constexpr Suffix kSuffixes[] = {
    {"/v1/chat/completions", RouteKind::chat_completions},
    {"/chat/completions", RouteKind::chat_completions},
    {"/v1/completions", RouteKind::completions},
    {"/completions", RouteKind::completions},
    {"/v1/embeddings", RouteKind::embeddings},
    {"/embeddings", RouteKind::embeddings},
    {"/v1/models", RouteKind::models},
    {"/models", RouteKind::models},
    {"/_fake/program", RouteKind::control_program},
    {"/_fake/requests", RouteKind::control_requests},
};

}  // namespace

bool percent_decode(std::string_view text, std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out->push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;  // '%' needs two hex digits after it
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

Route match_route(std::string_view path) {
  Route route;
  for (const Suffix& suffix : kSuffixes) {
    if (ends_with(path, suffix.text)) {
      route.kind = suffix.kind;
      route.prefix = path.substr(0, path.size() - suffix.text.size());
      return route;
    }
  }
  constexpr std::string_view kModel = "/model/";
  constexpr Suffix kModelOperations[] = {{"/converse", RouteKind::converse},
                                         {"/converse-stream", RouteKind::converse_stream},
                                         {"/invoke", RouteKind::invoke}};
  for (const Suffix& operation : kModelOperations) {
    if (!ends_with(path, operation.text)) continue;
    const std::string_view head = path.substr(0, path.size() - operation.text.size());
    const size_t at = head.rfind(kModel);
    if (at != std::string_view::npos) {
      const std::string_view encoded = head.substr(at + kModel.size());
      if (encoded.find('/') == std::string_view::npos) {
        route.kind = operation.kind;
        route.prefix = path.substr(0, at);
        route.bad_model_id =
            encoded.empty() || !percent_decode(encoded, &route.model_id) || route.model_id.empty();
        return route;
      }
    }
  }
  return route;
}

Provider provider_of(RouteKind kind) {
  switch (kind) {
    case RouteKind::converse:
    case RouteKind::converse_stream:
    case RouteKind::invoke:
      return Provider::bedrock;
    case RouteKind::control_program:
    case RouteKind::control_requests:
      return Provider::control;
    default:
      return Provider::openai;
  }
}

std::string_view route_method(RouteKind kind) {
  return kind == RouteKind::models ? "GET" : "POST";
}

std::string_view route_name(RouteKind kind) {
  switch (kind) {
    case RouteKind::unknown:
      return "unknown";
    case RouteKind::chat_completions:
      return "chat.completions";
    case RouteKind::completions:
      return "completions";
    case RouteKind::embeddings:
      return "embeddings";
    case RouteKind::models:
      return "models";
    case RouteKind::converse:
      return "converse";
    case RouteKind::converse_stream:
      return "converse-stream";
    case RouteKind::invoke:
      return "invoke";
    case RouteKind::control_program:
      return "_fake/program";
    case RouteKind::control_requests:
      return "_fake/requests";
  }
  return "unknown";
}

}  // namespace fake_llm
