// The OpenAI-style error JSON body. Strings are escaped by the one JSON escaper of the host
// (log::append_json_escaped: RFC 8259, invalid UTF-8 becomes U+FFFD).

#include "core/http/error_body.h"

#include "core/observability/log.h"

namespace sluice::http {
namespace {

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  log::append_json_escaped(out, text);
  out.push_back('"');
}

}  // namespace

std::string_view default_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 429:
      return "rate_limit_error";
    default:
      break;
  }
  if (status >= 400 && status < 500) return "invalid_request_error";
  return "server_error";
}

std::string openai_error_body(int status, std::string_view message, std::string_view code,
                              std::string_view type) {
  std::string out;
  out.reserve(64 + message.size() + code.size() + type.size());
  out += "{\"error\":{\"message\":";
  append_json_string(out, message);
  out += ",\"type\":";
  append_json_string(out, type.empty() ? default_error_type(status) : type);
  out += ",\"param\":null,\"code\":";
  if (code.empty()) {
    out += "null";
  } else {
    append_json_string(out, code);
  }
  out += "}}";
  return out;
}

}  // namespace sluice::http
