#pragma once
// Checks an UpstreamRequest and turns it into what libcurl is given: the URL (absolute http or
// https, parsed by libcurl's URL API), how the method maps onto libcurl's request modes, and the
// CURLOPT_HTTPHEADER lines. Headers go out as given, except the framing and hop-by-hop ones
// (content-length, transfer-encoding, connection, keep-alive, proxy-connection, upgrade, te),
// which are libcurl's job; lines that would switch off libcurl's own additions (Expect:
// 100-continue, Accept: */*, and Content-Type for bodies) are appended unless the request sets
// those headers. Also collects the secrets a failure reason must not show.

#include <string>
#include <vector>

#include "core/runtime/upstream.h"

namespace sluice::upstream {

struct PreparedRequest {
  enum class Mode {
    plain,   // no request body (CURLOPT_HTTPGET)
    head,    // HEAD: no response body either (CURLOPT_NOBODY)
    upload,  // a request body, sent with Content-Length (CURLOPT_POST)
  };
  std::string scheme;  // "http" or "https"
  Mode mode = Mode::plain;
  std::string custom_method;  // for CURLOPT_CUSTOMREQUEST; empty when the mode's own method fits
  std::vector<std::string> header_lines;
  // URL user and password, request header values of 4 bytes or more.
  std::vector<std::string> secrets;
};

// False and a reason (without secrets) in *error when the request cannot be sent: URL not absolute
// http(s), method not a token, a header name not a token or a value with CR, LF or NUL, HEAD with
// a body.
bool prepare_request(const runtime::UpstreamRequest& request, PreparedRequest* out,
                     std::string* error);

}  // namespace sluice::upstream
