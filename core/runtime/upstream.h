#pragma once
// The seam between the attempt loop and whatever carries a request to a provider. The real
// client (libcurl on the worker's loop) plugs in here; tests plug in fakes.
//
// Rules: start() never calls back synchronously; after start() exactly one of on_complete or
// on_failure is called, unless the returned call is destroyed first, which cancels it silently.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/http/message.h"

namespace sluice::runtime {

struct UpstreamRequest {
  std::string url;  // from request metadata "upstream.url", set by a per-attempt filter
  std::string method;
  http::Headers headers;
  std::string body;
  uint32_t timeout_ms = 0;  // per-try; 0 = none
};

class UpstreamCallbacks {
 public:
  virtual ~UpstreamCallbacks() = default;
  virtual void on_upstream_headers(int status, http::Headers headers) = 0;
  virtual void on_upstream_body(std::string_view data) = 0;
  virtual void on_upstream_complete() = 0;
  // Connect failure, reset or timeout. `reason` is for logs; it must hold no secret.
  virtual void on_upstream_failure(std::string reason) = 0;
};

class UpstreamCall {
 public:
  virtual ~UpstreamCall() = default;  // cancels the call if it is still running
};

class UpstreamTransport {
 public:
  virtual ~UpstreamTransport() = default;
  virtual std::unique_ptr<UpstreamCall> start(const UpstreamRequest& request,
                                              UpstreamCallbacks& callbacks) = 0;
};

}  // namespace sluice::runtime
