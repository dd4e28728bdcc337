// URL parts and request bytes for the native HTTP/1.1 client (see native_request.h).

#include "core/upstream/native_request.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "core/http/ascii_case.h"
#include "core/http/token.h"

namespace sluice::upstream {

namespace {

// Framing and hop-by-hop fields: this client writes its own. By length first: most names are
// none of these lengths.
bool is_dropped(std::string_view name) {
  switch (name.size()) {
    case 2:
      return http::iequals_ascii(name, "te");
    case 7:
      return http::iequals_ascii(name, "upgrade");
    case 10:
      return http::iequals_ascii(name, "connection") || http::iequals_ascii(name, "keep-alive");
    case 14:
      return http::iequals_ascii(name, "content-length");
    case 16:
      return http::iequals_ascii(name, "proxy-connection");
    case 17:
      return http::iequals_ascii(name, "transfer-encoding");
    default:
      return false;
  }
}

// http::has_cr_lf_or_nul's answer from three memchr scans, which libc runs many bytes at a time:
// cheaper than one byte-by-byte pass beyond a few bytes, and values such as API keys are long.
bool holds_cr_lf_or_nul(std::string_view value) {
  return std::memchr(value.data(), '\r', value.size()) != nullptr ||
         std::memchr(value.data(), '\n', value.size()) != nullptr ||
         std::memchr(value.data(), '\0', value.size()) != nullptr;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

bool parse_port(std::string_view text, uint16_t* port) {
  if (text.empty()) return true;  // "host:" means the default port
  if (text.size() > 5) return false;
  uint32_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

bool parse_http_url(std::string_view url, HttpUrl* out, std::string* error) {
  *out = HttpUrl{};
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || !http::iequals_ascii(url.substr(0, kScheme.size()), kScheme)) {
    *error = "upstream URL is not an absolute http:// URL";
    return false;
  }
  url.remove_prefix(kScheme.size());
  const size_t authority_end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, authority_end);
  std::string_view rest =
      authority_end == std::string_view::npos ? std::string_view() : url.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    *error = "upstream URL carries user information";
    return false;
  }

  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      *error = "upstream URL has a malformed IPv6 address";
      return false;
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      *error = "upstream URL has a malformed authority";
      return false;
    }
    if (!after.empty()) port_text = after.substr(1);
    in6_addr address{};
    const std::string text(host);
    if (::inet_pton(AF_INET6, text.c_str(), &address) != 1) {
      *error = "upstream URL has a malformed IPv6 address";
      return false;
    }
    out->ip_literal = true;
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (host.empty()) {
    *error = "upstream URL has no host";
    return false;
  }
  if (!parse_port(port_text, &out->port)) {
    *error = "upstream URL has a malformed port";
    return false;
  }
  out->host.reserve(host.size());
  for (const char c : host) out->host += http::lower_ascii(c);
  if (!out->ip_literal) {
    for (const char c : out->host) {
      if (!is_name_char(c)) {
        *error = "upstream URL has a malformed host";
        return false;
      }
    }
    in_addr v4{};
    out->ip_literal = ::inet_pton(AF_INET, out->host.c_str(), &v4) == 1;
  }
  const bool v6 = authority.front() == '[';
  std::string bracketed = v6 ? "[" + out->host + "]" : out->host;
  out->pool_key = bracketed + ":" + std::to_string(out->port);
  out->authority = out->port == 80 ? bracketed : out->pool_key;

  const size_t fragment = rest.find('#');
  if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  for (const char c : rest) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) {
      *error = "upstream URL has characters in its path that need encoding";
      return false;
    }
  }
  if (rest.empty() || rest.front() == '?') out->target = "/";
  out->target.append(rest);
  return true;
}

bool serialize_request(const runtime::UpstreamRequestView& request, const HttpUrl& url,
                       std::string* out, std::string* error) {
  const std::string_view method = request.method;
  if (!http::is_token(method)) {
    *error = "request method is not a token";
    return false;
  }
  if (method == "HEAD" && !request.body.empty()) {
    *error = "HEAD request with a body";
    return false;
  }
  // One pass checks the headers and sizes the head; the second copies them.
  bool has_host = false;
  size_t head_size = method.size() + url.target.size() + url.authority.size() + 64;
  for (const http::Header& header : request.headers) {
    if (!http::is_token(header.name)) {
      *error = "request header name is not a token";
      return false;
    }
    if (holds_cr_lf_or_nul(header.value)) {
      *error = "request header value contains CR, LF or NUL";
      return false;
    }
    has_host = has_host || http::iequals_ascii(header.name, "host");
    head_size += header.name.size() + header.value.size() + 4;
  }
  const bool send_length =
      !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";

  // The head is written through a pointer into room made for it (at most head_size bytes: the
  // 64 cover the fixed text and the length), then the body is appended.
  std::string& bytes = *out;
  bytes.clear();
  bytes.reserve(head_size + request.body.size());
  bytes.resize(head_size);
  char* const begin = bytes.data();
  char* at = begin;
  const auto put = [&at](std::string_view text) {
    std::memcpy(at, text.data(), text.size());
    at += text.size();
  };
  put(method);
  put(" ");
  put(url.target);
  put(" HTTP/1.1\r\n");
  if (!has_host) {
    put("Host: ");
    put(url.authority);
    put("\r\n");
  }
  for (const http::Header& header : request.headers) {
    if (is_dropped(header.name)) continue;
    put(header.name);
    put(header.value.empty() ? std::string_view(":\r\n") : std::string_view(": "));
    if (header.value.empty()) continue;
    put(header.value);
    put("\r\n");
  }
  if (send_length) {
    put("Content-Length: ");
    at = std::to_chars(at, begin + head_size, request.body.size()).ptr;
    put("\r\n");
  }
  put("\r\n");
  bytes.resize(static_cast<size_t>(at - begin));
  bytes.append(request.body);
  return true;
}

}  // namespace sluice::upstream
