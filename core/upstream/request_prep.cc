// Request checks and libcurl header lines (see request_prep.h).

#include "core/upstream/request_prep.h"

#include <curl/curl.h>

#include <array>
#include <string_view>

#include "core/http/ascii_case.h"
#include "core/http/token.h"

namespace sluice::upstream {

namespace {

constexpr size_t kMinSecretLength = 4;

bool is_dropped(const std::string& lower_name) {
  static constexpr std::array<std::string_view, 7> kDropped = {
      "content-length",   "transfer-encoding", "connection", "keep-alive",
      "proxy-connection", "upgrade",           "te"};
  for (const std::string_view name : kDropped) {
    if (lower_name == name) return true;
  }
  return false;
}

// Parses the URL with libcurl's URL API; collects its credentials.
bool check_url(const std::string& url, PreparedRequest* out, std::string* error) {
  CURLU* parsed = curl_url();
  if (parsed == nullptr) {
    *error = "out of memory";
    return false;
  }
  bool ok = false;
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    *error = "upstream URL is not a valid absolute URL";
  } else {
    char* scheme = nullptr;
    if (curl_url_get(parsed, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && scheme != nullptr) {
      out->scheme = http::lower_ascii(scheme);
    }
    curl_free(scheme);
    if (out->scheme != "http" && out->scheme != "https") {
      *error = "upstream URL scheme is not http or https";
    } else {
      ok = true;
      for (const CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD}) {
        for (const unsigned int flags : {0u, static_cast<unsigned int>(CURLU_URLDECODE)}) {
          char* value = nullptr;
          if (curl_url_get(parsed, part, &value, flags) == CURLUE_OK && value != nullptr &&
              *value != '\0') {
            out->secrets.emplace_back(value);
          }
          curl_free(value);
        }
      }
    }
  }
  curl_url_cleanup(parsed);
  return ok;
}

}  // namespace

bool prepare_request(const runtime::UpstreamRequest& request, PreparedRequest* out,
                     std::string* error) {
  *out = PreparedRequest{};
  if (!check_url(request.url, out, error)) return false;

  if (!http::is_token(request.method)) {
    *error = "request method is not a token";
    return false;
  }
  const bool has_body = !request.body.empty();
  if (request.method == "HEAD") {
    if (has_body) {
      *error = "HEAD request with a body";
      return false;
    }
    out->mode = PreparedRequest::Mode::head;
  } else if (has_body || request.method == "POST" || request.method == "PUT" ||
             request.method == "PATCH") {
    out->mode = PreparedRequest::Mode::upload;
    if (request.method != "POST") out->custom_method = request.method;
  } else {
    out->mode = PreparedRequest::Mode::plain;
    if (request.method != "GET") out->custom_method = request.method;
  }

  bool has_expect = false;
  bool has_accept = false;
  bool has_content_type = false;
  out->header_lines.reserve(request.headers.size() + 3);
  for (const http::Header& header : request.headers) {
    if (!http::is_token(header.name)) {
      *error = "request header name is not a token";
      return false;
    }
    if (http::has_cr_lf_or_nul(header.value)) {
      *error = "request header value contains CR, LF or NUL";
      return false;
    }
    const std::string name = http::lower_ascii(header.name);
    if (is_dropped(name)) continue;
    has_expect = has_expect || name == "expect";
    has_accept = has_accept || name == "accept";
    has_content_type = has_content_type || name == "content-type";
    // "Name;" is libcurl's way to send a header with an empty value ("Name:" would remove it).
    // A value of nothing but blanks would make libcurl drop the header: send it empty instead.
    const bool blank = header.value.find_first_not_of(" \t") == std::string::npos;
    out->header_lines.push_back(blank ? header.name + ";" : header.name + ": " + header.value);
    if (header.value.size() >= kMinSecretLength) out->secrets.push_back(header.value);
  }
  // "Name:" removes a header libcurl would add on its own.
  if (!has_expect) out->header_lines.emplace_back("Expect:");
  if (!has_accept) out->header_lines.emplace_back("Accept:");
  if (!has_content_type && out->mode == PreparedRequest::Mode::upload) {
    out->header_lines.emplace_back("Content-Type:");
  }
  return true;
}

}  // namespace sluice::upstream
