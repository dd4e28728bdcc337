// The plan runner: timers between steps, response framing choices, the reset fault, log upkeep.

#include "tools/fake-llm/responder.h"

#include <event2/event.h>

#include <utility>

#include "core/observability/log.h"
#include "tools/fake-llm/socket_reset.h"

namespace fake_llm {
namespace {

constexpr uint32_t kResetPollMs = 2;
constexpr int kMaxResetPolls = 500;  // about a second for the output to reach the socket

int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

}  // namespace

std::unique_ptr<sluice::http::Exchange> Responder::start(ResponderContext context,
                                                         sluice::http::ResponseSink& sink,
                                                         Plan plan) {
  std::unique_ptr<Responder> responder(new Responder(std::move(context), sink, std::move(plan)));
  if (responder->plan_.never_answer) return responder;  // waits for the client to give up
  if (responder->plan_.reset_before != kNoReset) {
    responder->close_instead_of_reset_ =
        find_connection_fd(responder->context_.peer, responder->context_.local_port) < 0;
    if (responder->close_instead_of_reset_) {
      sluice::log::warn("fake-llm: socket not found; reset_mid_stream falls back to a short body",
                        {{"peer", responder->context_.peer}});
    }
  }
  responder->advance();
  if (responder->state_ == State::done) return nullptr;
  return responder;
}

Responder::Responder(ResponderContext context, sluice::http::ResponseSink& sink, Plan plan)
    : context_(std::move(context)), sink_(sink), plan_(std::move(plan)) {}

Responder::~Responder() {
  if (timer_ != nullptr) event_free(timer_);
}

void Responder::on_abort() {
  if (timer_ != nullptr) {
    event_free(timer_);
    timer_ = nullptr;
  }
  const State was = state_;
  state_ = State::aborted;
  if (was == State::reset_sent) return;  // our own reset, not the client leaving
  const int64_t after = elapsed_ms(context_.arrival);
  context_.log.update([after](LogEntry& entry) {
    entry.client_disconnected = true;
    entry.disconnected_after_ms = after;
  });
}

void Responder::timer_cb(evutil_socket_t, short, void* arg) {
  static_cast<Responder*>(arg)->on_timer();
}

void Responder::on_timer() {
  if (state_ == State::resetting) {
    try_reset();
    return;
  }
  waited_ = true;
  advance();
}

void Responder::arm(uint32_t ms) {
  if (timer_ == nullptr) timer_ = evtimer_new(context_.base, &Responder::timer_cb, this);
  const timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(timer_, &tv);
}

void Responder::advance() {
  if (state_ == State::head) {
    if (plan_.head_delay_ms > 0 && !waited_) {
      arm(plan_.head_delay_ms);
      return;
    }
    waited_ = false;
    send_head();
  }
  while (state_ == State::body) {
    const Segment& segment = plan_.segments[next_];
    if (segment.delay_before_ms > 0 && !waited_) {
      arm(segment.delay_before_ms);
      return;
    }
    waited_ = false;
    if (next_ == plan_.reset_before) {
      begin_reset();
      return;
    }
    const bool last = next_ + 1 == plan_.segments.size();
    if (last) state_ = State::done;
    sink_.send_body(segment.data, last);
    ++next_;
    if (segment.counted) ++chunks_sent_;
    if (segment.counted || last) {
      const uint32_t chunks = chunks_sent_;
      context_.log.update([chunks, last](LogEntry& entry) {
        entry.chunks = chunks;
        entry.completed = last;
      });
    }
  }
}

void Responder::send_head() {
  state_ = State::body;
  const int status = plan_.head.status;
  const bool stream = plan_.stream;
  context_.log.update([status, stream](LogEntry& entry) {
    entry.status = status;
    entry.stream = stream;
  });
  if (plan_.segments.empty()) {
    state_ = State::done;
    sink_.send_head(std::move(plan_.head), true);
    context_.log.update([](LogEntry& entry) { entry.completed = true; });
    return;
  }
  const bool immediate_whole = !plan_.stream && plan_.segments.size() == 1 &&
                               plan_.segments[0].delay_before_ms == 0 && plan_.reset_before != 0;
  if (immediate_whole) {
    state_ = State::done;
    next_ = 1;
    sink_.send_whole(std::move(plan_.head), plan_.segments[0].data);
    context_.log.update([](LogEntry& entry) { entry.completed = true; });
    return;
  }
  // A body of known length is announced up front, so it can arrive in pieces (and, for the
  // reset fallback, end short, which makes the connection close).
  if (!plan_.stream || close_instead_of_reset_) {
    size_t total = 0;
    for (const Segment& segment : plan_.segments) total += segment.data.size();
    plan_.head.headers.push_back({"content-length", std::to_string(total)});
  }
  sink_.send_head(std::move(plan_.head), false);
}

void Responder::begin_reset() {
  state_ = State::resetting;
  reset_polls_ = 0;
  arm(kResetPollMs);  // let what was sent reach the socket first
}

void Responder::try_reset() {
  if (sink_.buffered_bytes() > 0 && ++reset_polls_ < kMaxResetPolls) {
    arm(kResetPollMs);
    return;
  }
  if (close_instead_of_reset_) {
    state_ = State::done;
    sink_.send_body({}, true);  // short of the announced length: the connection closes
    return;
  }
  const int fd = find_connection_fd(context_.peer, context_.local_port);
  if (fd >= 0 && reset_connection(fd)) {
    state_ = State::reset_sent;  // the connection sees EOF, closes (RST) and aborts us
    return;
  }
  // Nothing can end a chunked response short from here: stop sending; the client times out.
  state_ = State::stalled;
  sluice::log::warn("fake-llm: could not reset the connection; the stream stalls instead",
                    {{"peer", context_.peer}});
}

}  // namespace fake_llm
