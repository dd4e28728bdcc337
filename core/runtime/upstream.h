#pragma once
// The seam between the attempt loop and whatever carries a request to a provider. The real
// client (core/upstream: libcurl multi on the worker's loop) plugs in here; tests plug in fakes.
//
// Rules: start() never calls back synchronously; after start() the callbacks arrive in order
// (headers once, body zero or more times, then exactly one of complete or failure), unless the
// returned call is destroyed first, which cancels it at once and silently (no callback after
// the destructor returns). Everything runs on the worker's loop thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/http/message.h"

namespace sluice::runtime {

struct UpstreamTimeouts {
  uint32_t connect_ms = 10000;      // TCP + TLS handshake
  uint32_t first_byte_ms = 600000;  // from the request sent to the first response byte
  uint32_t idle_ms = 300000;        // longest silence between two body chunks
  uint32_t total_ms = 0;            // whole exchange; 0 = none
};

struct UpstreamRequest {
  std::string url;  // absolute http:// or https:// URL; set by the config, never by a client
  std::string method;
  http::Headers headers;  // as sent; Host, Content-Length and framing are the client's job
  std::string body;
  UpstreamTimeouts timeouts;
  bool verify_tls = true;
  std::string ca_file;  // empty: the system bundle
};

enum class UpstreamFailure {
  connect,  // DNS, TCP or TLS failure before the request was sent
  timeout,  // connect, first-byte, idle or total timeout
  reset,    // the connection broke after the request was sent
  other,
};

class UpstreamCallbacks {
 public:
  virtual ~UpstreamCallbacks() = default;
  virtual void on_upstream_headers(int status, http::Headers headers) = 0;
  virtual void on_upstream_body(std::string_view data) = 0;
  virtual void on_upstream_complete() = 0;
  // No (complete) response. `reason` is for logs; it must hold no secret.
  virtual void on_upstream_failure(UpstreamFailure kind, std::string reason) = 0;
};

class UpstreamCall {
 public:
  virtual ~UpstreamCall() = default;  // cancels the call if it is still running
  // Backpressure: stop (and later resume) reading the response, e.g. while the client's output
  // buffer is above its bound.
  virtual void pause_body() = 0;
  virtual void resume_body() = 0;
};

class UpstreamTransport {
 public:
  virtual ~UpstreamTransport() = default;
  // nullptr when the request cannot even be started (bad URL, resource limit).
  virtual std::unique_ptr<UpstreamCall> start(const UpstreamRequest& request,
                                              UpstreamCallbacks& callbacks) = 0;
};

}  // namespace sluice::runtime
