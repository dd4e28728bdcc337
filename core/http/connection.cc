// One client connection: request reading and timeouts, response framing through ResponseSink,
// the Exchange lifetime rules of exchange.h, and a clean close (flush, shut the write side,
// linger).

#include "core/http/connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <cerrno>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "core/http/error_body.h"
#include "core/http/flow_control.h"
#include "core/http/token.h"
#include "core/observability/log.h"

namespace sluice::http {
namespace {

// Input kept while a request is with the handler (pipelined bytes); reading pauses beyond it.
constexpr size_t kReadHighWatermark = 128 * 1024;
// How long a closing connection keeps reading (and discarding) after shutting its write side, so
// that unread client bytes do not turn the close into a reset that destroys the response.
constexpr uint32_t kLingerMs = 1000;

char lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool valid_field_name(std::string_view name) {
  return is_token(name);
}

bool valid_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7F;
  });
}

std::optional<uint64_t> parse_length(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// Framing and hop-by-hop fields the connection writes itself (or never forwards).
bool is_framing_field(std::string_view name) {
  return name == "transfer-encoding" || name == "connection" || name == "keep-alive" ||
         name == "upgrade" || name == "proxy-connection" || name == "te" || name == "trailer";
}

// Appends "HTTP/1.1 <status> <reason>\r\n"; status is within 100..999.
void append_status_line(std::string& out, int status) {
  char digits[3] = {static_cast<char>('0' + status / 100 % 10),
                    static_cast<char>('0' + status / 10 % 10),
                    static_cast<char>('0' + status % 10)};
  out.append("HTTP/1.1 ");
  out.append(digits, 3);
  out.push_back(' ');
  out.append(reason_phrase(status));
  out.append("\r\n");
}

}  // namespace

Connection::Connection(bufferevent* bev, RequestHandler& handler, const ServerLimits& limits,
                       std::string peer, bool tls, ClosedCallback on_closed)
    : bev_(bev),
      handler_(handler),
      limits_(limits),
      peer_(std::move(peer)),
      tls_(tls),
      on_closed_(std::move(on_closed)),
      parser_(limits),
      sink_(*this) {
  event_base* base = bufferevent_get_base(bev_);
  timer_ev_ = evtimer_new(base, &Connection::timer_cb, this);
  after_response_ev_ = event_new(base, -1, 0, &Connection::after_response_cb, this);
  closed_ev_ = event_new(base, -1, 0, &Connection::closed_cb, this);
  flush_ev_ = event_new(base, -1, 0, &Connection::flush_cb, this);
  bufferevent_setcb(bev_, &Connection::read_cb, &Connection::write_cb, &Connection::event_cb, this);
  bufferevent_setwatermark(bev_, EV_READ, 0, kReadHighWatermark);
  bufferevent_setwatermark(bev_, EV_WRITE, limits_.max_response_buffer_bytes / 2, 0);
}

Connection::~Connection() {
  phase_ = Phase::closed;
  abort_exchange();
  exchange_.reset();
  if (read_ev_ != nullptr) event_free(read_ev_);
  if (bev_ != nullptr) bufferevent_free(bev_);
  event_free(timer_ev_);
  event_free(after_response_ev_);
  event_free(closed_ev_);
  event_free(flush_ev_);
}

void Connection::start() {
  // Plain sockets write directly (flush()) and ask for EV_WRITE only when the kernel buffer is
  // full: bufferevent's own write path costs two epoll_ctl calls per response. TLS keeps it.
  if (tls_) {
    bufferevent_enable(bev_, EV_READ | EV_WRITE);
  } else {
    // Plain sockets read with one recv() per readiness (bufferevent adds an ioctl(FIONREAD) to
    // every read) and write directly, asking for EV_WRITE only when the kernel buffer is full
    // (bufferevent's own write path costs two epoll_ctl calls per response).
    bufferevent_disable(bev_, EV_READ | EV_WRITE);  // a new bufferevent has EV_WRITE enabled
    read_ev_ = event_new(bufferevent_get_base(bev_), bufferevent_getfd(bev_), EV_READ | EV_PERSIST,
                         &Connection::socket_read_cb, this);
    event_add(read_ev_, nullptr);
  }
  arm(Timer::header);  // the first request's header timeout runs from accept
}

bool Connection::in_flight() const {
  return phase_ == Phase::dispatched && !response_.finished;
}
bool Connection::idle() const {
  return phase_ == Phase::reading && !parser_.started();
}
bool Connection::closed() const {
  return phase_ == Phase::closed;
}

size_t Connection::buffered_bytes() const {
  return bev_ == nullptr ? 0 : evbuffer_get_length(bufferevent_get_output(bev_));
}

void Connection::drain() {
  draining_ = true;
  if (phase_ == Phase::dispatched) {
    keep_alive_ = false;  // carried by the response head if it has not gone out yet
  } else if (idle()) {
    begin_close();
  }
}

void Connection::close() {
  close_now();
}

// ---- libevent trampolines --------------------------------------------------------------------

void Connection::read_cb(bufferevent*, void* arg) {
  static_cast<Connection*>(arg)->on_read();
}
void Connection::write_cb(bufferevent*, void* arg) {
  static_cast<Connection*>(arg)->on_write();
}
void Connection::event_cb(bufferevent*, short what, void* arg) {
  static_cast<Connection*>(arg)->on_event(what);
}
void Connection::timer_cb(int, short, void* arg) {
  static_cast<Connection*>(arg)->on_timer();
}
void Connection::after_response_cb(int, short, void* arg) {
  static_cast<Connection*>(arg)->after_response();
}
void Connection::socket_read_cb(int, short, void* arg) {
  static_cast<Connection*>(arg)->read_socket();
}
void Connection::flush_cb(int, short, void* arg) {
  static_cast<Connection*>(arg)->flush();
}
void Connection::closed_cb(int, short, void* arg) {
  auto* self = static_cast<Connection*>(arg);
  self->abort_exchange();
  self->exchange_.reset();
  if (self->on_closed_) self->on_closed_(*self);  // may destroy *self: nothing may follow
}

// ---- reading ---------------------------------------------------------------------------------

void Connection::on_read() {
  switch (phase_) {
    case Phase::reading:
      process_input();
      break;
    case Phase::closing:
    case Phase::lingering: {
      evbuffer* input = bufferevent_get_input(bev_);
      evbuffer_drain(input, evbuffer_get_length(input));
      resume_reading_if_room();
      break;
    }
    case Phase::dispatched:  // pipelined bytes wait until the response is done
    case Phase::closed:
      break;
  }
}

void Connection::process_input() {
  process_input_once();
  resume_reading_if_room();
}

void Connection::process_input_once() {
  evbuffer* input = bufferevent_get_input(bev_);
  while (phase_ == Phase::reading) {
    std::string_view chunk;
    if (evbuffer_get_length(input) > 0) {
      evbuffer_iovec vec{};
      if (evbuffer_peek(input, -1, nullptr, &vec, 1) > 0 && vec.iov_len > 0) {
        chunk = {static_cast<const char*>(vec.iov_base), vec.iov_len};
      } else {
        const size_t n = std::min<size_t>(evbuffer_get_length(input), 16384);
        chunk = {reinterpret_cast<const char*>(evbuffer_pullup(input, static_cast<ssize_t>(n))), n};
      }
    }
    if (!chunk.empty() && !parser_.started() && timer_ == Timer::keepalive) {
      arm(Timer::header);  // a later request's header timeout runs from its first byte
    }
    const bool in_body = parser_.headers_done();
    const RequestParser::Progress progress = parser_.feed(chunk);
    if (progress.consumed > 0) evbuffer_drain(input, progress.consumed);
    switch (progress.event) {
      case RequestParser::Event::need_more:
        if (in_body && progress.consumed > 0) arm(Timer::body);
        if (progress.consumed > 0 && evbuffer_get_length(input) > 0) continue;
        if (peer_eof_) begin_close();  // the rest of this request will never come
        return;
      case RequestParser::Event::headers_complete:
        if (parser_.body_expected()) {
          if (parser_.expect_continue()) write("HTTP/1.1 100 Continue\r\n\r\n");
          arm(Timer::body);
        }
        continue;
      case RequestParser::Event::message_complete:
        dispatch();
        return;
      case RequestParser::Event::error:
        send_error(parser_.error_status(), parser_.error_message());
        return;
    }
  }
}

void Connection::dispatch() {
  Request request = parser_.take_request();
  request.peer = peer_;
  request.tls = tls_;
  head_request_ = request.method == "HEAD";
  http10_ = request.version_minor == 0;
  keep_alive_ = request.keep_alive && !draining_;
  phase_ = Phase::dispatched;
  response_ = Response{};
  over_buffer_limit_ = false;
  arm(Timer::none);

  bool threw = false;
  try {
    exchange_ = handler_.start(std::move(request), sink_);
  } catch (...) {
    threw = true;
  }
  // Closed meanwhile (e.g. the handler closed connections): closed_cb aborts exchange_.
  if (phase_ == Phase::closed) return;
  if (response_.finished || (exchange_ && !threw)) return;
  // Nothing will ever finish this response.
  if (!response_.head_sent) {
    keep_alive_ = false;
    ResponseHead head;
    head.status = 500;
    head.headers.push_back({"content-type", "application/json"});
    sink_.send_whole(std::move(head),
                     openai_error_body(500, "internal error: the request was not answered"));
  } else {
    close_now();
  }
}

// ---- the response ----------------------------------------------------------------------------

bool Connection::sink_usable() const {
  return phase_ == Phase::dispatched && !response_.finished;
}

void Connection::Sink::send_head(ResponseHead head, bool end_stream) {
  connection_.begin_response(std::move(head), end_stream, std::nullopt);
}

void Connection::Sink::send_body(std::string_view data, bool end_stream) {
  if (!connection_.sink_usable() || !connection_.response_.head_sent) return;
  connection_.write_body(data, end_stream);
}

void Connection::Sink::send_whole(ResponseHead head, std::string_view body) {
  if (!connection_.sink_usable() || connection_.response_.head_sent) return;
  connection_.begin_response(std::move(head), false, body.size());
  connection_.write_body(body, true);
}

void Connection::begin_response(ResponseHead head, bool end_stream,
                                std::optional<uint64_t> whole_length) {
  if (!sink_usable() || response_.head_sent) return;
  response_.head_sent = true;
  int status = head.status;
  if (status < 200 || status > 999) status = 500;  // 1xx cannot be sent through the sink
  const bool no_body_status = status == 204 || status == 304;
  response_.suppress_body = head_request_ || no_body_status;

  std::optional<uint64_t> declared = whole_length;
  std::string out;
  out.reserve(256);
  append_status_line(out, status);
  for (Header& field : head.headers) {
    for (char& c : field.name) c = lower_ascii(c);
    if (field.name == "content-length") {
      if (!whole_length) declared = parse_length(field.value);
      continue;
    }
    if (is_framing_field(field.name)) continue;
    if (!valid_field_name(field.name) || !valid_field_value(field.value)) continue;
    out += field.name;
    out += ": ";
    out += field.value;
    out += "\r\n";
  }
  const auto add_length = [&out](uint64_t length) {
    out += "content-length: ";
    out += std::to_string(length);
    out += "\r\n";
  };
  if (no_body_status) {
    response_.mode = BodyMode::none;
  } else if (whole_length) {
    response_.mode = BodyMode::fixed;
    response_.remaining = *whole_length;
    add_length(*whole_length);
  } else if (end_stream) {
    response_.mode = BodyMode::none;
    add_length(head_request_ && declared ? *declared : 0);
  } else if (declared) {
    response_.mode = BodyMode::fixed;
    response_.remaining = *declared;
    add_length(*declared);
  } else if (http10_) {
    response_.mode = BodyMode::until_close;  // HTTP/1.0 has no chunked encoding
    keep_alive_ = false;
  } else {
    response_.mode = BodyMode::chunked;
    out += "transfer-encoding: chunked\r\n";
  }
  if (!keep_alive_) {
    out += "connection: close\r\n";
  } else if (http10_) {
    out += "connection: keep-alive\r\n";
  }
  out += "\r\n";
  write(out);
  if (end_stream) finish_response();
}

void Connection::write_body(std::string_view data, bool end_stream) {
  if (!response_.suppress_body) {
    switch (response_.mode) {
      case BodyMode::fixed: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), response_.remaining));
        write(data.substr(0, n));
        response_.remaining -= n;
        if (n < data.size()) keep_alive_ = false;  // handler overran its Content-Length
        if (end_stream && response_.remaining > 0) keep_alive_ = false;  // short body: close
        break;
      }
      case BodyMode::chunked:
        if (!data.empty()) {
          char size_line[24];
          const int n = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", data.size());
          write(std::string_view(size_line, static_cast<size_t>(n)));
          write(data);
          write("\r\n");
        }
        if (end_stream) write("0\r\n\r\n");
        break;
      case BodyMode::until_close:
        write(data);
        break;
      case BodyMode::none:
        break;
    }
  }
  if (end_stream) finish_response();
}

void Connection::finish_response() {
  response_.finished = true;
  if (response_.mode == BodyMode::until_close) keep_alive_ = false;
  // The Exchange is destroyed from after_response(), never inside the call it is making now.
  event_active(after_response_ev_, EV_TIMEOUT, 0);
}

void Connection::write(std::string_view bytes) {
  if (bev_ == nullptr || bytes.empty()) return;
  bufferevent_write(bev_, bytes.data(), bytes.size());
  if (buffered_bytes() > limits_.max_response_buffer_bytes) over_buffer_limit_ = true;
  // Everything written during this loop turn (head, body, chunk framing) leaves in one writev.
  if (!tls_) event_active(flush_ev_, EV_TIMEOUT, 0);
}

void Connection::read_socket() {
  if (bev_ == nullptr || phase_ == Phase::closed) return;
  evbuffer* input = bufferevent_get_input(bev_);
  if (evbuffer_get_length(input) >= kReadHighWatermark) {
    event_del(read_ev_);  // a flood of pipelined bytes waits in the kernel until we catch up
    reading_paused_ = true;
    return;
  }
  evbuffer_iovec space{};
  evbuffer_unfreeze(input, 0);  // a socket bufferevent keeps the end of its input frozen
  evbuffer_reserve_space(input, 16384, &space, 1);
  ssize_t n = ::recv(bufferevent_getfd(bev_), space.iov_base, space.iov_len, 0);
  space.iov_len = n > 0 ? static_cast<size_t>(n) : 0;
  evbuffer_commit_space(input, &space, 1);
  evbuffer_freeze(input, 0);
  if (n > 0) {
    on_read();
  } else if (n == 0) {
    event_del(read_ev_);  // EOF stays readable: watching on would spin
    on_event(BEV_EVENT_READING | BEV_EVENT_EOF);
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    event_del(read_ev_);
    on_event(BEV_EVENT_READING | BEV_EVENT_ERROR);
  }
}

void Connection::resume_reading_if_room() {
  if (!reading_paused_ || bev_ == nullptr || phase_ == Phase::closed) return;
  if (evbuffer_get_length(bufferevent_get_input(bev_)) < kReadHighWatermark) {
    reading_paused_ = false;
    event_add(read_ev_, nullptr);
  }
}

void Connection::flush() {
  if (bev_ == nullptr || phase_ == Phase::closed) return;
  evbuffer* output = bufferevent_get_output(bev_);
  while (evbuffer_get_length(output) > 0) {
    // A socket bufferevent keeps the start of its output frozen so only its own write callback
    // drains it; thaw it for this one write, as that callback does.
    evbuffer_unfreeze(output, 1);
    errno = 0;
    int n = evbuffer_write(output, bufferevent_getfd(bev_));
    evbuffer_freeze(output, 1);
    if (n > 0) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      bufferevent_enable(bev_, EV_WRITE);  // the kernel buffer is full: wait for writability
      return;
    }
    close_now();  // reset or broken pipe
    return;
  }
  on_write();
}

void Connection::after_response() {
  exchange_.reset();
  if (phase_ != Phase::dispatched) return;
  if (!keep_alive_ || draining_) {
    begin_close();
    return;
  }
  phase_ = Phase::reading;
  parser_.next_request();
  arm(Timer::keepalive);
  process_input();  // a pipelined request may already be buffered
}

void Connection::on_write() {
  if (bev_ == nullptr) return;
  const size_t queued = buffered_bytes();
  if (!tls_ && queued == 0) bufferevent_disable(bev_, EV_WRITE);
  if (phase_ == Phase::closing) {
    if (queued == 0) shutdown_and_linger();
    return;
  }
  if (over_buffer_limit_ && queued <= limits_.max_response_buffer_bytes / 2) {
    over_buffer_limit_ = false;
    if (in_flight() && exchange_) {
      if (auto* listener = dynamic_cast<ResponseDrainListener*>(exchange_.get())) {
        listener->on_response_drained();
      }
    }
  }
}

// ---- errors, timeouts, closing ---------------------------------------------------------------

void Connection::on_event(short what) {
  if ((what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) != 0) {
    if (tls_ && bev_ != nullptr && log::enabled(log::Level::debug)) {
      if (const unsigned long code = bufferevent_get_openssl_error(bev_); code != 0) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof(reason));
        log::debug("tls connection failed", {{"peer", peer_}, {"error", reason}});
      }
    }
    close_now();  // reset, write error, TLS failure
    return;
  }
  if ((what & BEV_EVENT_EOF) == 0) return;
  peer_eof_ = true;
  switch (phase_) {
    case Phase::reading:
      begin_close();
      break;
    case Phase::dispatched:
      // The client left while its request was being answered. Like nginx's default, this is an
      // abort: the handler stops (and cancels any upstream call) rather than computing an answer
      // nobody will read. Clients that half-close and still wait for an answer are rare.
      if (!response_.finished) close_now();
      break;
    case Phase::closing:  // keep flushing; the close follows
      break;
    case Phase::lingering:
      close_now();
      break;
    case Phase::closed:
      break;
  }
}

void Connection::on_timer() {
  const Timer which = timer_;
  timer_ = Timer::none;
  switch (which) {
    case Timer::header:
      if (phase_ != Phase::reading) return;
      if (tls_ && !tls_handshake_done()) {
        close_now();
      } else {
        send_error(408, "timed out waiting for the request headers");
      }
      return;
    case Timer::body:
      if (phase_ == Phase::reading) send_error(408, "timed out waiting for the request body");
      return;
    case Timer::keepalive:
      if (idle()) close_now();
      return;
    case Timer::flush:
      if (phase_ != Phase::closing) return;
      if (buffered_bytes() < flush_mark_) {  // the client is still reading: give it more time
        flush_mark_ = buffered_bytes();
        arm(Timer::flush);
      } else {
        close_now();
      }
      return;
    case Timer::linger:
      close_now();
      return;
    case Timer::none:
      return;
  }
}

void Connection::send_error(int status, std::string_view message) {
  if (phase_ != Phase::reading) return;
  const std::string body = openai_error_body(status, message);
  std::string out;
  append_status_line(out, status);
  out += "content-type: application/json\r\ncontent-length: ";
  out += std::to_string(body.size());
  out += "\r\nconnection: close\r\n\r\n";
  out += body;
  keep_alive_ = false;
  write(out);
  begin_close();
}

void Connection::begin_close() {
  if (phase_ == Phase::closing || phase_ == Phase::lingering || phase_ == Phase::closed) return;
  if (in_flight()) {
    close_now();
    return;
  }
  phase_ = Phase::closing;
  if (buffered_bytes() == 0) {
    shutdown_and_linger();
    return;
  }
  flush_mark_ = buffered_bytes();
  arm(Timer::flush);
}

void Connection::shutdown_and_linger() {
  phase_ = Phase::lingering;
  if (peer_eof_) {
    close_now();
    return;
  }
  evbuffer* input = bufferevent_get_input(bev_);
  evbuffer_drain(input, evbuffer_get_length(input));
  resume_reading_if_room();
  if (tls_) {
    SSL* ssl = bufferevent_openssl_get_ssl(bev_);
    if (ssl != nullptr && SSL_is_init_finished(ssl)) SSL_shutdown(ssl);  // close_notify
  }
  const evutil_socket_t fd = bufferevent_getfd(bev_);
  if (fd >= 0) ::shutdown(fd, SHUT_WR);
  arm(Timer::linger);
}

void Connection::close_now() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  arm(Timer::none);
  if (read_ev_ != nullptr) {
    event_free(read_ev_);  // before bufferevent_free closes the socket it watches
    read_ev_ = nullptr;
  }
  if (bev_ != nullptr) {
    bufferevent_free(bev_);
    bev_ = nullptr;
  }
  event_active(closed_ev_, EV_TIMEOUT, 0);
}

void Connection::abort_exchange() {
  if (exchange_ && !response_.finished) {
    std::unique_ptr<Exchange> exchange = std::move(exchange_);
    exchange->on_abort();
  }
}

void Connection::arm(Timer timer) {
  timer_ = timer;
  uint32_t ms = 0;
  switch (timer) {
    case Timer::none:
      evtimer_del(timer_ev_);
      return;
    case Timer::header:
      ms = limits_.header_timeout_ms;
      break;
    case Timer::body:
      ms = limits_.body_idle_timeout_ms;
      break;
    case Timer::keepalive:
      ms = limits_.keepalive_idle_timeout_ms;
      break;
    case Timer::flush:
      ms = std::max(limits_.keepalive_idle_timeout_ms, 1000u);
      break;
    case Timer::linger:
      ms = kLingerMs;
      break;
  }
  const timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(timer_ev_, &tv);
}

bool Connection::tls_handshake_done() const {
  SSL* ssl = bev_ == nullptr ? nullptr : bufferevent_openssl_get_ssl(bev_);
  return ssl != nullptr && SSL_is_init_finished(ssl);
}

}  // namespace sluice::http
