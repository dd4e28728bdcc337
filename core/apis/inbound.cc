// Client API routing: the paths of the Anthropic and Bedrock interfaces, and their codecs.

#include "core/apis/inbound.h"

#include <rapidjson/document.h>

namespace sluice::apis {
namespace {

constexpr std::string_view kBedrockPrefix = "/bedrock/model/";
constexpr size_t kMaxModelId = 2048;  // ARNs of inference profiles are long, not this long
constexpr size_t kMaxErrorText = 2048;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX-decoding of one path segment; false on a broken escape or a decoded NUL or '/'.
bool url_decode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out->push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    char c = static_cast<char>(high * 16 + low);
    if (c == '\0') return false;
    out->push_back(c);
    i += 2;
  }
  return true;
}

}  // namespace

InboundRoute inbound_route(std::string_view method, std::string_view path, std::string* error) {
  InboundRoute route;
  if (method != "POST") return route;
  if (path == "/v1/messages") {
    route.api = ClientApi::anthropic_messages;
    return route;
  }
  if (!path.starts_with(kBedrockPrefix)) return route;
  std::string_view rest = path.substr(kBedrockPrefix.size());
  size_t slash = rest.rfind('/');
  if (slash == std::string_view::npos) return route;
  std::string_view operation = rest.substr(slash + 1);
  if (operation != "converse" && operation != "converse-stream") return route;
  route.api = ClientApi::bedrock_converse;
  route.stream_path = operation == "converse-stream";
  std::string_view encoded = rest.substr(0, slash);
  if (encoded.empty() || encoded.size() > kMaxModelId) {
    *error = "the model id in the path is empty or longer than 2048 bytes";
    return route;
  }
  if (!url_decode(encoded, &route.model_id) || route.model_id.empty()) {
    *error = "the model id in the path is not validly URL-encoded";
    route.model_id.clear();
    return route;
  }
  return route;
}

std::string_view api_name(ClientApi api) {
  switch (api) {
    case ClientApi::anthropic_messages:
      return "anthropic";
    case ClientApi::bedrock_converse:
      return "bedrock";
    case ClientApi::openai:
      break;
  }
  return "openai";
}

ApiError api_error_from_openai(int status, std::string_view body) {
  ApiError error;
  error.status = status;
  error.type = status >= 500 ? "api_error" : "invalid_request_error";
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto found = doc.FindMember("error");
    if (found != doc.MemberEnd() && found->value.IsObject()) {
      const auto& object = found->value;
      auto text = [&](const char* name) -> std::string {
        auto member = object.FindMember(name);
        if (member == object.MemberEnd() || !member->value.IsString()) return {};
        return std::string(member->value.GetString(), member->value.GetStringLength());
      };
      error.message = text("message");
      if (std::string type = text("type"); !type.empty()) error.type = std::move(type);
      error.code = text("code");
      if (!error.message.empty()) return error;
    }
  }
  error.message = std::string(body.substr(0, kMaxErrorText));
  if (error.message.empty()) error.message = "HTTP " + std::to_string(status);
  return error;
}

}  // namespace sluice::apis
