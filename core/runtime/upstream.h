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
#include <span>
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

struct UpstreamRequestView;

// A request that owns its parts: what a filter's http_call builds and what tests keep.
struct UpstreamRequest {
  UpstreamRequest() = default;
  // A copy of what `view` points at.
  explicit UpstreamRequest(const UpstreamRequestView& view);

  std::string url;  // absolute http:// or https:// URL; set by the config, never by a client
  std::string method;
  http::Headers headers;  // as sent; Host, Content-Length and framing are the client's job
  std::string body;
  UpstreamTimeouts timeouts;
  bool verify_tls = true;
  std::string ca_file;  // empty: the system bundle
  // A guarded call (a URL that came from a client, through http_call_guarded): a fresh direct
  // connection that is closed afterwards (no forward proxy, no pooled connection either way), and
  // with public_addresses_only, only to an address core/upstream/public_address.h calls public,
  // checked on the address actually connected to (failure `refused` otherwise).
  // public_addresses_only implies isolated (the transport router makes it so).
  bool isolated = false;
  bool public_addresses_only = false;
};

// What a transport's start() is given: views into the caller's request (an attempt's request as
// the filters left it, or an UpstreamRequest), valid only until start() returns. A transport
// copies what it keeps (the native client serialises the request, libcurl's gets a copy), so
// the attempt loop sends a request without copying its headers and body first.
struct UpstreamRequestView {
  UpstreamRequestView() = default;
  // Implicit, as std::string_view is from std::string: an UpstreamRequest is sent as it is.
  UpstreamRequestView(const UpstreamRequest& request)
      : url(request.url),
        method(request.method),
        headers(request.headers),
        body(request.body),
        timeouts(request.timeouts),
        verify_tls(request.verify_tls),
        ca_file(request.ca_file),
        isolated(request.isolated),
        public_addresses_only(request.public_addresses_only) {}

  std::string_view url;
  std::string_view method;
  std::span<const http::Header> headers;
  std::string_view body;
  UpstreamTimeouts timeouts;
  bool verify_tls = true;
  std::string_view ca_file;
  bool isolated = false;
  bool public_addresses_only = false;
};

inline UpstreamRequest::UpstreamRequest(const UpstreamRequestView& view)
    : url(view.url),
      method(view.method),
      headers(view.headers.begin(), view.headers.end()),
      body(view.body),
      timeouts(view.timeouts),
      verify_tls(view.verify_tls),
      ca_file(view.ca_file),
      isolated(view.isolated),
      public_addresses_only(view.public_addresses_only) {}

enum class UpstreamFailure {
  connect,  // DNS, TCP or TLS failure before the request was sent
  timeout,  // connect, first-byte, idle or total timeout
  reset,    // the connection broke after the request was sent
  other,
  refused,  // a guarded call's only addresses were not public (nothing was sent)
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
  virtual std::unique_ptr<UpstreamCall> start(const UpstreamRequestView& request,
                                              UpstreamCallbacks& callbacks) = 0;
};

}  // namespace sluice::runtime
