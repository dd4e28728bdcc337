#pragma once
// Responder: the Exchange that carries out a Plan on one connection — waits, head, body
// segments, the reset fault — and keeps the request's log entry current (status, chunks,
// completion, client disconnect). Plans with no waits finish inside start() and leave nothing
// behind.
//
// Lifetime (core/http/exchange.h): the connection owns the Responder. Its timer is freed on
// on_abort() and in the destructor; the sink is never touched after on_abort().

#include <event2/util.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/http/exchange.h"
#include "tools/fake-llm/request_log.h"
#include "tools/fake-llm/response_plan.h"

struct event;
struct event_base;

namespace fake_llm {

struct ResponderContext {
  event_base* base = nullptr;
  uint16_t local_port = 0;  // the listening port (to find the socket for a reset)
  std::string peer;         // the client's "ip:port"
  LogRef log;
  std::chrono::steady_clock::time_point arrival;
};

class Responder final : public sluice::http::Exchange {
 public:
  // Runs `plan` as far as it can now; nullptr when the response is already complete.
  static std::unique_ptr<sluice::http::Exchange> start(ResponderContext context,
                                                       sluice::http::ResponseSink& sink, Plan plan);
  ~Responder() override;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  void on_abort() override;

 private:
  enum class State { head, body, resetting, reset_sent, stalled, done, aborted };

  Responder(ResponderContext context, sluice::http::ResponseSink& sink, Plan plan);
  static void timer_cb(evutil_socket_t, short, void* arg);
  void on_timer();
  void advance();
  void send_head();
  void begin_reset();
  void try_reset();
  void arm(uint32_t ms);

  ResponderContext context_;
  sluice::http::ResponseSink& sink_;
  Plan plan_;
  event* timer_ = nullptr;
  State state_ = State::head;
  size_t next_ = 0;      // the next segment to send
  bool waited_ = false;  // the pause before the head / segments[next_] is over
  uint32_t chunks_sent_ = 0;
  int reset_polls_ = 0;
  bool close_instead_of_reset_ = false;  // no socket found: a short Content-Length body instead
};

}  // namespace fake_llm
