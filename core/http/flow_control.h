#pragma once
// Optional back-pressure signal for response producers, in addition to exchange.h.
//
// ResponseSink::buffered_bytes() tells a producer how much output is queued for a slow client, but
// exchange.h has no way to say when that queue has drained again. An Exchange that also derives
// from ResponseDrainListener is told: once the queue went above
// ServerLimits::max_response_buffer_bytes, the connection calls on_response_drained() when it has
// fallen to half of that or less. The connection never blocks or drops output itself.

namespace sluice::http {

class ResponseDrainListener {
 public:
  virtual ~ResponseDrainListener() = default;
  // Runs on the connection's loop thread, from the socket write callback (never from inside a
  // ResponseSink call). The sink may be used from here.
  virtual void on_response_drained() = 0;
};

}  // namespace sluice::http
