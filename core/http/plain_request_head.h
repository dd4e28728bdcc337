#pragma once
// The request parser's fast path: a request head of the plain shape nearly every client sends,
// read in one pass instead of through llhttp's callbacks. Plain means: GET, POST, PUT, DELETE,
// PATCH, HEAD or OPTIONS; an origin-form target of RFC 3986 path and query characters (no
// fragment); HTTP/1.1 or HTTP/1.0; "name: value" lines of a token name and a value of visible
// ASCII, spaces and tabs; every line ended by CRLF; no Transfer-Encoding; at most one
// Content-Length, of digits only. The whole head, empty line included, must be in the bytes given.
//
// It never refuses a request: for anything else, or anything it cannot finish, it says no and
// the caller hands the same bytes to llhttp, which accepts them or names the error. So what it
// accepts llhttp must accept too, read the same way
// (test/unit/http/request_parser_differential_test.cc holds it to that).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/http/limits.h"
#include "core/http/message.h"

namespace sluice::http {

struct PlainHead {
  size_t bytes = 0;  // of the head, its empty line included
  std::string_view method;
  uint8_t version_minor = 1;
  bool has_content_length = false;
  uint64_t content_length = 0;
};

// When `data` starts with a whole plain head within the limits (max_header_bytes for the head,
// max_url_bytes, max_header_count), fills request.target and request.headers (names lower-cased,
// values without surrounding whitespace), and `head`, and returns true. Else false: the request
// may then hold part of what was read, and the caller clears it.
bool read_plain_head(std::string_view data, const ServerLimits& limits, Request& request,
                     PlainHead& head);

}  // namespace sluice::http
