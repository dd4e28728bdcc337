#pragma once
// One HTTP/1.1 response, parsed with llhttp in strict mode (no lenient flags) for the native
// client. Bytes go in as they are read; out come events, one at a time, so the caller can deliver
// each to its callbacks and stop (pause, cancel) between any two:
//   headers   the final response's header block ended: status() and take_headers() are ready
//   body      decoded body bytes (chunked framing removed), a view into the bytes fed
//   complete  the response ended; bytes after it on the connection are not part of it
// Interim 1xx responses are dropped (101 is an error: no protocol switch here). A response to
// HEAD, and any 204 or 304, has no body whatever its headers say. Trailers are dropped.
//
// Beyond llhttp's checks the header section is refused with bare CR or LF line ends, control
// characters or obsolete line folding, and bounded: max_header_bytes over every block (interim
// ones included) and max_header_count fields per block. Names are lower-cased, values trimmed
// (the same Headers CurlTransport delivers).
//
// Not thread-safe; one instance per connection, start()ed again for each response.

#include <llhttp.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "core/http/header_scanner.h"
#include "core/http/message.h"

namespace sluice::upstream {

class ResponseParser {
 public:
  struct Limits {
    size_t max_header_bytes = 64 * 1024;
    size_t max_header_count = 200;
  };

  // What one feed() found. `headers` never comes with body bytes or `complete`; `body` may come
  // with `complete` (deliver the body first).
  struct Step {
    size_t consumed = 0;  // bytes of the input used; feed the rest next
    bool headers = false;
    std::string_view body;
    bool complete = false;
    bool error = false;  // see error(); the parser is done
  };

  explicit ResponseParser(Limits limits);
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Prepares for the response to a request with the given method kind.
  void start(bool head_request);

  // Parses from `data` up to the next event. Call again with the unconsumed rest (possibly empty)
  // after every step that carried an event: the parser may finish a message without more bytes.
  // A step without any event and with consumed == data.size() means: read more.
  Step feed(std::string_view data);
  // The connection reached EOF: completes a response framed by the end of the connection, else
  // an error.
  Step finish();

  int status() const { return status_; }
  http::Headers take_headers() { return std::move(headers_); }
  // After complete: the connection may carry another exchange (HTTP/1.1 keep-alive semantics and
  // a length-delimited or chunked body).
  bool keep_alive() const { return keep_alive_; }
  // Why a step said error (no header value in it).
  const std::string& error() const { return error_; }

 private:
  // A header name or value as it is being read: a run of the bytes being parsed (input_), or,
  // once a read ended inside it, of carry_. Fields are built from these when they end, so a
  // field read in one piece is copied once, straight into the Headers.
  struct Span {
    size_t offset = 0;
    size_t size = 0;
    bool carried = false;
  };

  static const llhttp_settings_t* settings();
  static int on_header_field(llhttp_t* p, const char* at, size_t length);
  static int on_header_value(llhttp_t* p, const char* at, size_t length);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t length);
  static int on_chunk_complete(llhttp_t* p);
  static int on_message_complete(llhttp_t* p);

  void extend(Span* span, const char* at, size_t length);
  void carry(Span* span);
  void carry_field();
  std::string_view text(const Span& span) const;
  Step fail(std::string message);
  int set_error(std::string message);
  Step collect(size_t consumed);
  void resume_if_paused();

  Limits limits_;
  llhttp_t parser_;
  bool head_request_ = false;
  bool paused_ = false;  // llhttp_execute returned HPE_PAUSED: llhttp_resume before the next
  bool failed_ = false;
  bool interim_ = false;  // the block being parsed is a 1xx one
  bool headers_done_ = false;
  bool headers_ready_ = false;  // for the next step
  bool complete_ = false;
  bool complete_reported_ = false;
  bool keep_alive_ = false;
  http::HeaderScanner scanner_{.in_request_line = false};
  size_t head_bytes_ = 0;
  int status_ = 0;
  const char* input_ = nullptr;  // the bytes llhttp_execute is parsing, while it runs
  Span name_;
  Span value_;
  std::string carry_;  // bytes of name_ and value_ from earlier reads
  http::Headers headers_;
  std::string_view body_;
  std::string error_;
};

}  // namespace sluice::upstream
