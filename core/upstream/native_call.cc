// One exchange of the native HTTP/1.1 client (see native_call.h).

#include "core/upstream/native_call.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/http/loop_clock.h"
#include "core/upstream/native_transport.h"
#include "core/upstream/public_address.h"

namespace sluice::upstream {

using runtime::UpstreamFailure;

namespace {

// connect_ms = 0 means libcurl's default, so both transports agree.
constexpr uint32_t kDefaultConnectMs = 300000;
// Reads per readiness when the buffer comes back full (fairness with other sockets).
constexpr int kMaxReadsPerEvent = 4;

std::string address_text(const SocketAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  uint16_t port = 0;
  if (address.storage.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address.storage);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    port = ntohs(v6->sin6_port);
    return "[" + std::string(text) + "]:" + std::to_string(port);
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address.storage);
  ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
  port = ntohs(v4->sin_port);
  return std::string(text) + ":" + std::to_string(port);
}

void set_port(SocketAddress* address, uint16_t port) {
  if (address->storage.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&address->storage)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&address->storage)->sin_port = htons(port);
  }
}

bool literal_address(const HttpUrl& url, SocketAddress* out) {
  *out = SocketAddress{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out->storage);
  if (::inet_pton(AF_INET, url.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    out->length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
    if (::inet_pton(AF_INET6, url.host.c_str(), &v6->sin6_addr) != 1) return false;
    v6->sin6_family = AF_INET6;
    out->length = sizeof(sockaddr_in6);
  }
  set_port(out, url.port);
  return true;
}

}  // namespace

NativeCall::NativeCall(NativeTransport& transport, runtime::UpstreamCallbacks& callbacks,
                       std::shared_ptr<const HttpUrl> url, std::string request_bytes,
                       bool head_request, runtime::UpstreamTimeouts timeouts, CallGuard guard)
    : transport_(&transport),
      callbacks_(&callbacks),
      url_(std::move(url)),
      request_(std::move(request_bytes)),
      head_request_(head_request),
      timeouts_(timeouts),
      guard_(guard),
      parser_(transport.parser_limits_) {}

NativeCall::~NativeCall() {
  if (alive_ != nullptr) *alive_ = false;
  if (state_ != State::finished) {
    if (state_ == State::resolving) transport_->resolver_.cancel(url_->host, this);
    connection_.reset();
    release();
  }
}

void NativeCall::release() {
  state_ = State::finished;
  callbacks_ = nullptr;
  if (timer_used_) {
    event_del(&timer_);
    timer_used_ = false;
    timer_armed_ = false;
    timer_activated_ = false;
  }
  if (waiting()) transport_->waits_.leave(*this);
  if (transport_ != nullptr) transport_->unlink(this);
}

void NativeCall::detach() {
  if (state_ == State::resolving) transport_->resolver_.cancel(url_->host, this);
  connection_.reset();
  release();
  transport_ = nullptr;
}

// ---- getting a connection ------------------------------------------------------------------

void NativeCall::begin() {
  started_at_ = http::LoopClock::now();
  if (auto idle = guard_.isolated ? nullptr : transport_->pool_.take(url_->pool_key)) {
    connection_ = std::move(idle);
    connection_->set_owner(this);
    reused_ = true;
    start_exchange();
  } else {
    open_connection();
  }
  arm_timer();
}

void NativeCall::open_connection() {
  if (waiting()) transport_->waits_.leave(*this);  // a retry: connecting has its own deadline
  reused_ = false;
  connect_started_at_ = http::LoopClock::now();
  addresses_.clear();
  next_address_ = 0;
  connect_error_.clear();
  refused_addresses_ = 0;
  if (url_->ip_literal) {
    SocketAddress address;
    if (!literal_address(*url_, &address)) {
      fail(UpstreamFailure::connect, "cannot parse the address of " + url_->authority);
      return;
    }
    addresses_.push_back(address);
    connect_next();
    return;
  }
  state_ = State::resolving;
  std::string error;
  switch (transport_->resolver_.resolve(url_->host, this, &addresses_, &error)) {
    case Resolver::Outcome::ready:
      for (SocketAddress& address : addresses_) set_port(&address, url_->port);
      connect_next();
      return;
    case Resolver::Outcome::pending:
      return;
    case Resolver::Outcome::failed:
      fail(UpstreamFailure::connect, error);
      return;
  }
}

void NativeCall::on_resolved(const std::vector<SocketAddress>& addresses,
                             const std::string& error) {
  if (state_ != State::resolving) return;
  if (!error.empty()) {
    fail(UpstreamFailure::connect, error);
    return;
  }
  addresses_ = addresses;
  for (SocketAddress& address : addresses_) set_port(&address, url_->port);
  connect_next();
}

void NativeCall::connect_next() {
  state_ = State::connecting;
  while (next_address_ < addresses_.size()) {
    const SocketAddress& address = addresses_[next_address_++];
    if (guard_.public_only &&
        !is_public_address(reinterpret_cast<const sockaddr*>(&address.storage), address.length)) {
      ++refused_addresses_;  // never connected to: not even a SYN reaches it
      continue;
    }
    int error_number = 0;
    ++transport_->connections_opened_;
    connection_ =
        NativeConnection::open(transport_->base_, address, url_->pool_key, this, &error_number);
    if (connection_ != nullptr) return;  // writability says how the connect went
    connect_error_ = address_text(address) + ": " + std::strerror(error_number);
  }
  if (!addresses_.empty() && refused_addresses_ == addresses_.size()) {
    fail(UpstreamFailure::refused,
         url_->authority + " resolves to no public address (internal addresses are refused)");
    return;
  }
  fail(UpstreamFailure::connect,
       "cannot connect to " + url_->authority + " (" + connect_error_ + ")");
}

// ---- the exchange --------------------------------------------------------------------------

void NativeCall::start_exchange() {
  state_ = State::exchanging;
  sent_ = 0;
  response_started_ = false;
  request_started_at_ = http::LoopClock::now();
  parser_.start(head_request_);
  send_more();
}

bool NativeCall::send_more() {
  while (sent_ < request_.size()) {
    const ssize_t n = connection_->send(request_.data() + sent_, request_.size() - sent_);
    if (n > 0) {
      sent_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      connection_->watch(!reading_paused(), true);
      return true;
    }
    connection_broke(n < 0 ? errno : EPIPE);
    return false;
  }
  // The whole request is out: the first-byte clock starts (again) here.
  connection_->watch(!reading_paused(), false);
  if (!response_started_) {
    request_started_at_ = http::LoopClock::now();
    wait_for_response();
    arm_timer();
  } else {
    std::string().swap(request_);
    sent_ = 0;
  }
  return true;
}

void NativeCall::on_connection_ready(NativeConnection& connection, short what) {
  if (state_ == State::connecting) {
    const int error_number = connection.connect_error();
    if (error_number != 0) {
      connect_error_ = std::string(std::strerror(error_number));
      connection_.reset();
      if (next_address_ < addresses_.size()) {
        connect_next();
      } else {
        fail(UpstreamFailure::connect,
             "cannot connect to " + url_->authority + " (" + connect_error_ + ")");
      }
      return;
    }
    start_exchange();
    return;
  }
  if (state_ != State::exchanging) return;
  if ((what & EV_WRITE) != 0 && !send_more()) return;
  if ((what & EV_READ) != 0 && state_ == State::exchanging) read_some();
}

bool NativeCall::read_some() {
  char* buffer = transport_->read_buffer_.get();
  for (int round = 0; round < kMaxReadsPerEvent; ++round) {
    if (reading_paused()) {
      connection_->watch(false, !request_sent());
      return true;
    }
    const ssize_t n = connection_->receive(buffer, NativeTransport::kReadBufferSize);
    if (n == 0) {
      read_eof();
      return false;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
      connection_broke(errno);
      return false;
    }
    last_read_at_ = http::LoopClock::now();
    if (!response_started_) {
      response_started_ = true;
      arm_timer();  // the idle deadline replaces the first-byte one
      if (request_sent()) {
        std::string().swap(request_);  // no retry from here on
        sent_ = 0;
      }
    }
    if (!process(buffer, static_cast<size_t>(n))) return false;
    if (state_ != State::exchanging) return false;
    if (static_cast<size_t>(n) < NativeTransport::kReadBufferSize) return true;
  }
  return true;
}

void NativeCall::read_eof() {
  if (!response_started_) {
    connection_broke(0);
    return;
  }
  if (reading_paused()) return;
  const ResponseParser::Step step = parser_.finish();
  if (step.error) {
    fail(UpstreamFailure::reset,
         "the connection to " + url_->authority + " closed before the response ended");
    return;
  }
  complete(false);
}

void NativeCall::connection_broke(int error_number) {
  // A pooled connection the upstream closed while it sat idle: the request never reached
  // anyone, so it goes again, once, on a fresh connection.
  if (reused_ && !response_started_ && !retried_) {
    retried_ = true;
    connection_.reset();
    open_connection();
    if (state_ != State::finished) arm_timer();
    return;
  }
  const std::string what = error_number == 0
                               ? std::string("closed")
                               : std::string("broke (") + std::strerror(error_number) + ")";
  fail(UpstreamFailure::reset,
       "the connection to " + url_->authority + " " + what +
           (response_started_ ? " before the response ended" : " before any response byte"));
}

bool NativeCall::process(const char* data, size_t length) {
  std::string_view rest(data, length);
  while (true) {
    if (reading_paused()) {
      hold(rest);
      return true;
    }
    const ResponseParser::Step step = parser_.feed(rest);
    rest.remove_prefix(step.consumed);
    if (step.error) {
      fail(UpstreamFailure::other, parser_.error());
      return false;
    }
    if (step.headers) {
      headers_delivered_ = true;
      bool alive = true;
      alive_ = &alive;
      callbacks_->on_upstream_headers(parser_.status(), parser_.take_headers());
      if (!alive) return false;
      alive_ = nullptr;
      continue;
    }
    if (!step.body.empty()) {
      bool alive = true;
      alive_ = &alive;
      callbacks_->on_upstream_body(step.body);
      if (!alive) return false;
      alive_ = nullptr;
    }
    if (step.complete) {
      if (paused_) {
        complete_pending_ = true;
        hold(rest);
        return true;
      }
      complete(rest.empty());
      return false;
    }
    if (step.body.empty() && rest.empty()) return true;  // read more
  }
}

void NativeCall::hold(std::string_view rest) {
  std::string copy(rest);  // `rest` may point into held_ itself
  held_.swap(copy);
  if (connection_ != nullptr) connection_->watch(false, !request_sent());
}

bool NativeCall::deliver_held() {
  if (paused_ || state_ != State::exchanging) return true;
  if (complete_pending_) {
    complete_pending_ = false;
    complete(held_.empty());
    return false;
  }
  const std::string data = std::move(held_);  // survives the call being destroyed inside
  held_.clear();
  if (!process(data.data(), data.size())) return false;
  if (state_ == State::exchanging && !reading_paused()) {
    connection_->watch(true, !request_sent());
  }
  return true;
}

void NativeCall::complete(bool clean_end) {
  std::unique_ptr<NativeConnection> connection = std::move(connection_);
  const bool reusable = clean_end && parser_.keep_alive() && request_sent() && !guard_.isolated;
  NativeTransport* transport = transport_;
  runtime::UpstreamCallbacks* callbacks = callbacks_;
  const Clock::time_point idle_since = last_read_at_;  // the read that ended the response
  release();
  if (reusable) {
    // Back before the callback, so a call started from inside it can use it.
    ++connection->exchanges;
    transport->pool_.put(std::move(connection), idle_since);
  }
  connection.reset();
  callbacks->on_upstream_complete();
}

// ---- failures and deadlines ----------------------------------------------------------------

void NativeCall::stop(UpstreamFailure kind, std::string reason) {
  if (state_ == State::resolving) transport_->resolver_.cancel(url_->host, this);
  connection_.reset();
  held_.clear();
  state_ = State::failing;
  failure_kind_ = kind;
  failure_reason_ = std::move(reason);
}

void NativeCall::fail(UpstreamFailure kind, std::string reason) {
  if (state_ == State::failing || state_ == State::finished) return;
  stop(kind, std::move(reason));
  activate_timer();
}

void NativeCall::report_failure() {
  runtime::UpstreamCallbacks* callbacks = callbacks_;
  const UpstreamFailure kind = failure_kind_;
  std::string reason = std::move(failure_reason_);
  release();
  callbacks->on_upstream_failure(kind, std::move(reason));
}

void NativeCall::on_timer(int, short, void* arg) {
  http::LoopClock::Scope clock;
  auto* self = static_cast<NativeCall*>(arg);
  self->timer_armed_ = false;
  self->timer_activated_ = false;
  if (self->state_ == State::failing) {
    self->report_failure();
    return;
  }
  if (self->resume_pending_) {
    self->resume_pending_ = false;
    if (!self->deliver_held()) return;
  }
  if (self->state_ == State::finished || self->state_ == State::failing) {
    if (self->state_ == State::failing) self->report_failure();
    return;
  }
  if (!self->check_deadlines()) return;
  self->arm_timer();
}

bool NativeCall::check_deadlines() {
  using std::chrono::milliseconds;
  const Clock::time_point now = http::LoopClock::now();
  std::string reason;
  if (timeouts_.total_ms != 0 && now >= started_at_ + milliseconds(timeouts_.total_ms)) {
    reason =
        "no complete response within " + std::to_string(timeouts_.total_ms) + " ms (total timeout)";
  } else if (state_ == State::resolving || state_ == State::connecting) {
    const uint32_t ms = timeouts_.connect_ms != 0 ? timeouts_.connect_ms : kDefaultConnectMs;
    if (now >= connect_started_at_ + milliseconds(ms)) {
      reason = "cannot connect to " + url_->authority + " within " + std::to_string(ms) +
               " ms (connect timeout)";
    }
  } else if (state_ == State::exchanging && !response_started_) {
    if (timeouts_.first_byte_ms != 0 &&
        now >= request_started_at_ + milliseconds(timeouts_.first_byte_ms)) {
      reason = "no response within " + std::to_string(timeouts_.first_byte_ms) +
               " ms of sending the request (first-byte timeout)";
    }
  } else if (state_ == State::exchanging && timeouts_.idle_ms != 0 && !reading_paused() &&
             now >= last_read_at_ + milliseconds(timeouts_.idle_ms)) {
    reason = "no response data for " + std::to_string(timeouts_.idle_ms) + " ms (idle timeout)";
  }
  if (reason.empty()) return true;
  stop(UpstreamFailure::timeout, std::move(reason));
  report_failure();
  return false;
}

void NativeCall::wait_for_response() {
  // The line's wait is the shorter timeout: a first byte found the call still in line then, so
  // it sets no timer either (the idle deadline after it comes no earlier).
  const uint32_t first_byte = timeouts_.first_byte_ms;
  const uint32_t idle = timeouts_.idle_ms;
  const uint32_t wait = first_byte == 0 ? idle
                        : idle == 0     ? first_byte
                                        : std::min(first_byte, idle);
  if (waiting()) transport_->waits_.leave(*this);
  if (wait != 0) {
    transport_->waits_.join(*this, std::chrono::milliseconds(wait), request_started_at_);
  }
}

void NativeCall::on_wait_over() {
  // Out of the line: what the timer event does for a deadline. A failing call reports from its
  // timer event; the others in line are exchanging.
  if (state_ != State::exchanging) return;
  if (!check_deadlines()) return;
  arm_timer();
}

event* NativeCall::timer() {
  if (!timer_ready_) {
    evtimer_assign(&timer_, transport_->base_, &NativeCall::on_timer, this);
    timer_ready_ = true;
  }
  return &timer_;
}

void NativeCall::arm_timer() {
  using std::chrono::milliseconds;
  if (state_ == State::failing || state_ == State::finished || timer_activated_) return;
  Clock::time_point deadline = Clock::time_point::max();
  if (timeouts_.total_ms != 0) deadline = started_at_ + milliseconds(timeouts_.total_ms);
  if (state_ == State::resolving || state_ == State::connecting) {
    const uint32_t ms = timeouts_.connect_ms != 0 ? timeouts_.connect_ms : kDefaultConnectMs;
    deadline = std::min(deadline, connect_started_at_ + milliseconds(ms));
  } else if (!response_started_) {
    if (timeouts_.first_byte_ms != 0) {
      deadline = std::min(deadline, request_started_at_ + milliseconds(timeouts_.first_byte_ms));
    }
  } else if (timeouts_.idle_ms != 0 && !reading_paused()) {
    deadline = std::min(deadline, last_read_at_ + milliseconds(timeouts_.idle_ms));
  }
  if (deadline == Clock::time_point::max()) return;
  // Deadlines only move later between timer events (reads push the idle one back), so a timer
  // set for an earlier time stays: it fires early once and is set again for the rest. The wait
  // line counts as such a timer.
  if (timer_armed_ && timer_at_ <= deadline) return;
  if (waiting() && wait_until() <= deadline) return;
  const auto wait =
      std::max<Clock::duration>(deadline - http::LoopClock::now(), Clock::duration::zero());
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(wait).count() + 500;
  const timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  evtimer_add(timer(), &tv);
  timer_used_ = true;
  timer_armed_ = true;
  timer_at_ = deadline;
}

void NativeCall::activate_timer() {
  event_active(timer(), EV_TIMEOUT, 1);
  timer_used_ = true;
  timer_activated_ = true;
}

// ---- backpressure --------------------------------------------------------------------------

void NativeCall::pause_body() {
  if (paused_) return;
  paused_ = true;
  if (state_ == State::exchanging && reading_paused() && connection_ != nullptr) {
    connection_->watch(false, !request_sent());
  }
}

void NativeCall::resume_body() {
  if (!paused_) return;
  paused_ = false;
  if (state_ != State::exchanging) return;
  last_read_at_ = http::LoopClock::now();  // silence while paused is not the upstream's fault
  if (!held_.empty() || complete_pending_) {
    resume_pending_ = true;
    activate_timer();  // delivered from the loop, never from in here
  } else if (connection_ != nullptr) {
    connection_->watch(true, !request_sent());
  }
  arm_timer();
}

}  // namespace sluice::upstream
