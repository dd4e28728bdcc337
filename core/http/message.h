#pragma once
// Plain HTTP/1.1 message types shared by the server (core/http) and the chain runtime
// (core/runtime). No behaviour lives here.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http {

// Header names are stored lower-cased (HTTP field names are case-insensitive); values as received,
// without surrounding whitespace. Order and duplicates are kept.
struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// First value of `name` (lower-case), or nullptr.
const std::string* find_header(const Headers& headers, std::string_view name);

// A complete request: the server reads and bounds the whole body before handing it on.
struct Request {
  std::string method;         // "GET", "POST", ...
  std::string target;         // request-target as sent ("/v1/chat/completions?x=1")
  std::string path;           // target up to '?' (or a '#' fragment)
  std::string query;          // after '?', without it and without a fragment; empty when absent
  uint8_t version_minor = 1;  // HTTP/1.<minor>
  Headers headers;
  std::string body;  // de-chunked
  bool keep_alive = true;
  std::string peer;  // "ip:port" of the client
  bool tls = false;
};

struct ResponseHead {
  int status = 200;
  Headers headers;  // must not contain Content-Length, Transfer-Encoding or Connection: the
                    // server frames the response itself
  // When set, the server adds it as x-request-id (a view: it must outlive the send call).
  std::string_view request_id;
};

// Reason phrase for a status code ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status);

}  // namespace sluice::http
