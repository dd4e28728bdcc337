#pragma once
// The contract between an HTTP connection (core/http/connection.*) and whatever answers requests
// (the chain runtime, the admin endpoints, tests).
//
// Threading: everything here runs on the connection's event-loop thread.
//
// Lifetime rules, the part that matters:
//  - The connection calls RequestHandler::start() once per complete request, strictly one request
//    at a time per connection (pipelined requests wait, and are answered in order).
//  - The returned Exchange is owned by the connection. The handler answers through the
//    ResponseSink, now or later (after timers or I/O).
//  - Once the sink has been given end_stream, the connection destroys the Exchange, never inside a
//    call the Exchange is making: right after start() returns when it answered inside start(),
//    otherwise on a later loop turn.
//  - If the client goes away (close, reset, write error, timeout) before end_stream, the connection
//    calls Exchange::on_abort() exactly once, then destroys the Exchange; the sink must not be used
//    after on_abort() returns.

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/http/message.h"

namespace sluice::http {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Starts the response. With end_stream the response has no body beyond what send_body may not
  // add; the server adds Content-Length: 0. Without end_stream the body follows in send_body calls
  // and is sent chunked, unless the head carried content-length (then exactly that many bytes).
  virtual void send_head(const ResponseHead& head, bool end_stream) = 0;
  // Appends body bytes; end_stream finishes the response.
  virtual void send_body(std::string_view data, bool end_stream) = 0;
  // Convenience: a whole response with a known body (sets Content-Length).
  virtual void send_whole(const ResponseHead& head, std::string_view body) = 0;
  // Bytes queued for the client and not yet written to the socket (for backpressure).
  virtual size_t buffered_bytes() const = 0;
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  // The client went away before the response finished. Called at most once.
  virtual void on_abort() = 0;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // A complete request arrived. `sink` lives as long as the returned Exchange. Returning nullptr
  // is allowed when the response was completed synchronously through `sink`.
  virtual std::unique_ptr<Exchange> start(Request request, ResponseSink& sink) = 0;
};

}  // namespace sluice::http
