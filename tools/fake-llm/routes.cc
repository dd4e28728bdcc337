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
    {"/v1/messages", RouteKind::anthropic_messages},
    {"/token", RouteKind::google_token},
};

// Decodes one path segment into *out; false when it is empty or badly escaped.
bool decode_segment(std::string_view segment, std::string* out) {
  return !segment.empty() && percent_decode(segment, out) && !out->empty();
}

// [prefix]/openai/deployments/{deployment}/(chat/completions|completions|embeddings)
bool match_azure(std::string_view path, Route* route) {
  constexpr std::string_view kDeployments = "/openai/deployments/";
  const size_t at = path.rfind(kDeployments);
  if (at == std::string_view::npos) return false;
  const std::string_view rest = path.substr(at + kDeployments.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view operation = rest.substr(slash);
  if (operation == "/chat/completions") {
    route->kind = RouteKind::azure_chat_completions;
  } else if (operation == "/embeddings") {
    route->kind = RouteKind::azure_embeddings;
  } else if (operation == "/completions") {
    route->kind = RouteKind::azure_completions;
  } else {
    return false;
  }
  route->prefix = path.substr(0, at);
  route->bad_model_id = !decode_segment(rest.substr(0, slash), &route->model_id);
  return true;
}

// Gemini: [prefix]/v1beta/models/{model}:method (or /v1/models/…); Vertex AI:
// [prefix]/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:method (or /v1beta1/…).
bool match_google(std::string_view path, Route* route) {
  const size_t colon = path.rfind(':');
  const size_t slash = path.rfind('/');
  if (colon == std::string_view::npos || slash == std::string_view::npos || colon < slash) {
    return false;
  }
  const std::string_view method = path.substr(colon + 1);
  const bool stream = method == "streamGenerateContent";
  if (!stream && method != "generateContent") return false;
  constexpr std::string_view kModels = "/models/";
  const std::string_view head = path.substr(0, colon);
  const size_t models = head.rfind(kModels);
  if (models == std::string_view::npos || models + kModels.size() != slash + 1) return false;
  const std::string_view model = head.substr(slash + 1);
  const std::string_view before = head.substr(0, models);
  // Vertex AI: …/projects/{p}/locations/{l}/publishers/google
  constexpr std::string_view kPublisher = "/publishers/google";
  if (ends_with(before, kPublisher)) {
    const std::string_view scope = before.substr(0, before.size() - kPublisher.size());
    for (const std::string_view version :
         {std::string_view("/v1/projects/"), std::string_view("/v1beta1/projects/")}) {
      const size_t at = scope.rfind(version);
      if (at == std::string_view::npos) continue;
      const std::string_view where = scope.substr(at + version.size());  // {p}/locations/{l}
      const size_t locations = where.find("/locations/");
      if (locations == 0 || locations == std::string_view::npos) return false;
      const std::string_view location = where.substr(locations + 11);
      if (location.empty() || location.find('/') != std::string_view::npos) return false;
      route->kind = stream ? RouteKind::vertex_stream : RouteKind::vertex_generate;
      route->prefix = path.substr(0, at);
      route->bad_model_id = !decode_segment(model, &route->model_id);
      return true;
    }
    return false;
  }
  for (const std::string_view version : {std::string_view("/v1beta"), std::string_view("/v1")}) {
    if (!ends_with(before, version)) continue;
    route->kind = stream ? RouteKind::gemini_stream : RouteKind::gemini_generate;
    route->prefix = path.substr(0, before.size() - version.size());
    route->bad_model_id = !decode_segment(model, &route->model_id);
    return true;
  }
  return false;
}

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

bool query_param(std::string_view query, std::string_view name, std::string* value) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string raw(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (char& c : raw) {
      if (c == '+') c = ' ';
    }
    return percent_decode(raw, value);
  }
  return false;
}

Route match_route(std::string_view path) {
  Route route;
  if (match_azure(path, &route) || match_google(path, &route)) return route;
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
    case RouteKind::anthropic_messages:
      return Provider::anthropic;
    case RouteKind::azure_chat_completions:
    case RouteKind::azure_embeddings:
    case RouteKind::azure_completions:
      return Provider::azure;
    case RouteKind::gemini_generate:
    case RouteKind::gemini_stream:
      return Provider::gemini;
    case RouteKind::vertex_generate:
    case RouteKind::vertex_stream:
      return Provider::vertex;
    case RouteKind::google_token:
      return Provider::google_oauth;
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
    case RouteKind::anthropic_messages:
      return "messages";
    case RouteKind::azure_chat_completions:
      return "azure.chat.completions";
    case RouteKind::azure_embeddings:
      return "azure.embeddings";
    case RouteKind::azure_completions:
      return "azure.completions";
    case RouteKind::gemini_generate:
      return "gemini.generateContent";
    case RouteKind::gemini_stream:
      return "gemini.streamGenerateContent";
    case RouteKind::vertex_generate:
      return "vertex.generateContent";
    case RouteKind::vertex_stream:
      return "vertex.streamGenerateContent";
    case RouteKind::google_token:
      return "token";
  }
  return "unknown";
}

}  // namespace fake_llm
