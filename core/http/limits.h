#pragma once
// The server-side limits of the HTTP layer: a plain mirror of sluice.config.v1.Limits with the
// documented defaults. The configuration layer maps the proto onto it; nothing here knows the
// proto.

#include <cstdint>

namespace sluice::http {

struct ServerLimits {
  // Bytes of request line plus headers; beyond it: 431.
  uint32_t max_header_bytes = 65536;
  // Number of request header fields; beyond it: 431.
  uint32_t max_header_count = 100;
  // Bytes of the request target; beyond it: 414.
  uint32_t max_url_bytes = 8192;
  // Bytes of request body; beyond it: 413 (checked against Content-Length before the body is read).
  uint64_t max_body_bytes = 32ull * 1024 * 1024;
  // Time to receive the request line and headers (from accept, or from the first byte of a later
  // request on a kept-alive connection); then 408 and close.
  uint32_t header_timeout_ms = 10000;
  // Longest pause while receiving a body; then 408 and close.
  uint32_t body_idle_timeout_ms = 30000;
  // How long an idle keep-alive connection is kept; then closed silently.
  uint32_t keepalive_idle_timeout_ms = 60000;
  // Open client connections per listener (one listener per worker); beyond it the listener stops
  // accepting until a connection closes.
  uint32_t max_connections_per_worker = 10000;
  // Nesting depth of a JSON body (enforced by the chain runtime, not by the HTTP layer).
  uint32_t max_json_depth = 64;
  // Bytes of response output queued for a slow client before the producer should pause
  // (see ResponseSink::buffered_bytes and core/http/flow_control.h).
  uint32_t max_response_buffer_bytes = 1024 * 1024;
};

}  // namespace sluice::http
