#pragma once
// Strict, bounded HTTP/1.1 request parsing: a wrapper over llhttp (HTTP_REQUEST, no lenient flag
// ever set) that reads one request at a time into http::Request and says which status to answer
// when the bytes are not an acceptable request.
//
// On top of llhttp's strict mode it rejects what llhttp 8.1 lets through: obs-fold, bare CR/LF
// line ends, control characters and malformed request lines in the header section and trailers;
// empty header names; any Transfer-Encoding other than exactly "chunked"; Transfer-Encoding in
// HTTP/1.0; HTTP versions other than 1.0/1.1 (505); a missing or repeated Host (HTTP/1.1);
// Upgrade and CONNECT; unbounded chunk framing (extensions, leading zeros).
//
// A head of the plain shape nearly every client sends, whole in one buffer, is read by the fast
// path of plain_request_head.h instead, with its Content-Length body (if any) after it; the
// framing checks above run on it all the same. Anything else goes to llhttp.

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/http/header_scanner.h"
#include "core/http/limits.h"
#include "core/http/message.h"

namespace sluice::http {

class RequestParser {
 public:
  enum class Event {
    need_more,         // every byte given was used; feed more when it arrives
    headers_complete,  // request line and headers accepted; the body (if any) follows
    message_complete,  // a whole request is ready (take_request); nothing more is read until
                       // next_request()
    error,             // answer error_status() and close the connection; the parser is finished
  };
  struct Progress {
    Event event;
    size_t consumed;  // bytes of the given data used; the rest must be given again later
  };

  // plain_fast_path false: every request through llhttp (tests compare the two).
  explicit RequestParser(const ServerLimits& limits, bool plain_fast_path = true);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses as much of `data` as the current request needs. After headers_complete, call feed
  // again (even with no bytes: a request without a body then completes).
  Progress feed(std::string_view data);

  // After message_complete (and take_request): starts reading the next request.
  void next_request();

  // Some byte of the current request has been read (leading empty lines included).
  bool started() const { return phase_ != Phase::idle; }
  bool headers_done() const { return phase_ == Phase::body || phase_ == Phase::complete; }
  // Valid once headers are done: a body follows (chunked, or Content-Length > 0).
  bool body_expected() const { return body_expected_; }
  // Valid once headers are done: the client sent "Expect: 100-continue" (HTTP/1.1 only).
  bool expect_continue() const { return expect_continue_; }

  // The current request's head was read by the fast path (for tests).
  bool read_plain() const { return plain_; }

  const Request& request() const { return request_; }
  Request take_request();

  // Valid after Event::error: the status to answer (400, 413, 414, 417, 431, 505) and a short
  // client-facing message.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

 private:
  enum class Phase { idle, head, body, complete, failed };
  enum class Pause { none, headers, last_chunk, message };

  // Checks the raw bytes of the header section (and trailers): CRLF line ends only, no obs-fold,
  // no control characters, exactly two spaces in the request line.
  Progress fail(int status, std::string message, size_t consumed);
  int set_error(int status, std::string message);  // from callbacks; returns HPE_USER
  // What check_headers needs beyond the fields, from llhttp or from the fast path.
  struct HeadFacts {
    uint8_t version_minor;
    std::string_view method;
    bool connect;
    bool content_length_valid;  // a Content-Length field was read as a number
    uint64_t content_length;
  };
  // At headers-complete; false after set_error.
  bool check_headers(const HeadFacts& facts);
  // At the start of a request: the fast path; false when llhttp must read it.
  bool take_plain_head(std::string_view data);
  // The body of a request whose head the fast path read: Content-Length bytes.
  Progress feed_plain_body(std::string_view data, size_t consumed);
  void commit_header();

  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, size_t length);
  static int on_version(llhttp_t* p, const char* at, size_t length);
  static int on_version_complete(llhttp_t* p);
  static int on_header_field(llhttp_t* p, const char* at, size_t length);
  static int on_header_value(llhttp_t* p, const char* at, size_t length);
  static int on_header_field_complete(llhttp_t* p);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t length);
  static int on_chunk_header(llhttp_t* p);
  static int on_message_complete(llhttp_t* p);
  static const llhttp_settings_t* settings();

  const ServerLimits limits_;
  const bool plain_fast_path_;
  bool plain_ = false;  // this request's head was read by the fast path
  uint64_t plain_body_left_ = 0;
  llhttp_t parser_;
  bool parser_paused_ = false;
  Phase phase_ = Phase::idle;
  Pause pause_ = Pause::none;
  HeaderScanner scanner_;
  bool scanning_ = true;  // header section or trailers: raw bytes go through scanner_

  Request request_;
  std::string field_;
  std::string value_;
  std::string version_text_;
  bool version_seen_ = false;
  bool in_trailers_ = false;
  uint64_t header_bytes_ = 0;
  uint32_t field_count_ = 0;
  uint64_t body_phase_bytes_ = 0;
  uint64_t chunk_count_ = 0;
  bool chunked_ = false;
  bool body_expected_ = false;
  bool expect_continue_ = false;

  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace sluice::http
