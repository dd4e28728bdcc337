#pragma once
// What the native HTTP/1.1 client (native_transport.h) sends: the parts of an absolute http://
// URL it needs (where to connect, the Host header, the origin-form request target), and the whole
// request (request line, header section and body) as one buffer, so it leaves in one send().
//
// Headers go out as given, in order, except the framing and hop-by-hop ones (content-length,
// transfer-encoding, connection, keep-alive, proxy-connection, upgrade, te), which this client
// sets itself: Host (from the URL, with the port unless it is 80) when the request has none, and
// Content-Length when there is a body or the method is POST, PUT or PATCH. Nothing else is added
// (no Expect: 100-continue, no Accept). Pure functions; no I/O.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/runtime/upstream.h"

namespace sluice::upstream {

struct HttpUrl {
  std::string host;  // lower-cased name or IP literal (IPv6 without brackets)
  bool ip_literal = false;
  uint16_t port = 80;
  std::string authority;  // the Host header value: host, [v6], ":port" unless 80
  std::string target;     // origin-form request target ("/v1/x?y=1"); "/" when the URL has none
  std::string pool_key;   // "host:port": connections are shared per key
};

// False and a reason (the URL is never quoted back) when `url` is not an absolute http:// URL
// this client can send: another scheme, user information, a bad host or port, or characters in
// the path that would need encoding. A fragment is dropped.
bool parse_http_url(std::string_view url, HttpUrl* out, std::string* error);

// The request as bytes: request line, header section, body. False and a reason (no header value
// in it) when the method is not a token, a header name is not a token, a value holds CR, LF or
// NUL, or a HEAD request has a body.
bool serialize_request(const runtime::UpstreamRequestView& request, const HttpUrl& url,
                       std::string* out, std::string* error);

}  // namespace sluice::upstream
