#pragma once
// Parses a response header block line by line, as libcurl hands it over (CURLOPT_HEADERFUNCTION:
// one complete line per call, CR LF included): the status line ("HTTP/1.1 200 OK", "HTTP/2 200"),
// header fields (names lower-cased, values trimmed, obsolete line folding joined), the blank line
// that ends the block. Interim 1xx responses are recognised and discarded. The block is bounded in
// bytes (counting every block, interim ones included) and in fields (per block).

#include <cstddef>
#include <string>
#include <string_view>

#include "core/http/message.h"

namespace sluice::upstream {

class ResponseHeadParser {
 public:
  enum class Step {
    more,     // keep feeding lines
    interim,  // a 1xx block ended and was discarded; the next line starts a new status line
    done,     // the final response's block ended: status() and take_headers() are ready
    error,    // malformed or over a bound: see error()
  };

  ResponseHeadParser(size_t max_bytes, size_t max_count)
      : max_bytes_(max_bytes), max_count_(max_count) {}

  Step feed(std::string_view line);

  int status() const { return status_; }
  http::Headers take_headers() { return std::move(headers_); }
  // Why feed() said error (no header value in it).
  const std::string& error() const { return error_; }

 private:
  Step fail(std::string message);
  bool parse_status_line(std::string_view line);

  size_t max_bytes_;
  size_t max_count_;
  size_t bytes_ = 0;
  bool have_status_ = false;
  int status_ = 0;
  http::Headers headers_;
  std::string error_;
};

}  // namespace sluice::upstream
