#pragma once
// One HTTP/1.1 response for the native client, parsed strictly (RFC 9112) by hand: a response
// head is a few short lines, and llhttp's byte-at-a-time machine with a callback a span cost more
// than everything else the client does for an answer. Bytes go in as they are read; out come
// events, one at a time, so the caller can deliver each to its callbacks and stop (pause,
// cancel) between any two:
//   headers   the final response's header block ended: status() and take_headers() are ready
//   body      decoded body bytes (chunked framing removed), a view into the bytes fed
//   complete  the response ended; bytes after it on the connection are not part of it
// Interim 1xx responses are dropped (101 is an error: no protocol switch here). A response to
// HEAD, and any 204 or 304, has no body whatever its headers say. Trailers are checked, then
// dropped.
//
// Refused: a version other than HTTP/1.0 and 1.1, a status not of three digits or outside
// 100..599, a line not ended by CRLF (bare LF) or holding a bare CR, control characters, obsolete
// line folding, a header name that is not a token or is followed by anything but ':', a
// Content-Length that is not digits or comes twice, Content-Length with Transfer-Encoding,
// Transfer-Encoding in HTTP/1.0 or with chunked twice, a tab in Content-Length or
// Transfer-Encoding (a tab in Connection closes the connection after the response), and chunk
// framing that is not hex digits, extensions (;name[="quoted"] or a last ;name=token) and CRLF.
// Never more than llhttp's strict mode with the header checks it leaves to its users takes
// (native_response_parser_differential_test.cc). Bounded: max_header_bytes over every block
// (interim ones included) and again for the trailers, max_header_count fields per block, 16 hex
// digits a chunk size and kMaxChunkExtension bytes of extensions a chunk. Names are lower-cased,
// values trimmed (the same Headers CurlTransport delivers).
//
// Not thread-safe; one instance per connection, start()ed again for each response.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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
  static constexpr size_t kMaxChunkExtension = 4096;

  enum class Phase : uint8_t { head, length_body, chunked_body, close_body, done, failed };
  // Where the chunked body is: in a chunk-size line, its extension or the LF ending it; in a
  // chunk's data or the CRLF after it; in the trailer section.
  enum class Chunk : uint8_t { size, extension, size_lf, data, data_cr, data_lf, trailers };
  // Where a chunk extension is (RFC 9112 section 7.1.1 as llhttp's strict mode takes it: no
  // whitespace, no quoted pairs, nothing after a token value): after ';', in its name, after '=',
  // in a token value, in a quoted one, after the closing quote.
  enum class Extension : uint8_t { name_start, name, value_start, token, quoted, quoted_end };
  enum class Line : uint8_t { more, block_end, failed };

  Step feed_head(std::string_view data);
  Step feed_chunked(std::string_view data);
  // One byte of a chunk extension: false when the grammar does not allow it there.
  bool extension_byte(char c);
  // Takes the next complete line from data into *line (CRLF cut off; a line cut by the end of a
  // read waits in line_ for the rest), adding its bytes to head_bytes_ against the bound. False
  // when data ends first (all of it kept) or the line is refused (phase_ failed); *used says how
  // much of data it took either way.
  bool next_line(std::string_view data, size_t* used, std::string_view* line);
  Line take_head_line(std::string_view line);
  bool status_line(std::string_view line);
  bool field_line(std::string_view line, bool keep);
  bool framing_field(const http::Header& header, std::string_view raw_value);
  Line end_of_block();
  void start_block();
  Step complete_step(size_t consumed);
  Step fail(std::string message);

  Limits limits_;
  Phase phase_ = Phase::head;
  Chunk chunk_ = Chunk::size;
  bool head_request_ = false;
  bool complete_reported_ = false;
  bool keep_alive_ = false;
  size_t head_bytes_ = 0;  // of every header block so far; then of the trailer section
  std::string line_;       // a line cut by the end of a read, until its end comes
  // The block being read.
  bool block_started_ = false;  // its status line was read
  bool interim_ = false;
  bool http10_ = false;
  size_t block_fields_ = 0;
  int content_lengths_ = 0;
  uint64_t content_length_ = 0;
  bool transfer_encoding_ = false;
  int chunked_codings_ = 0;
  bool chunked_last_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  // The body.
  uint64_t remaining_ = 0;  // of a Content-Length body, or of the current chunk
  int size_digits_ = 0;
  size_t extension_bytes_ = 0;
  Extension extension_ = Extension::name_start;
  int status_ = 0;
  http::Headers headers_;
  std::string error_;
};

}  // namespace sluice::upstream
