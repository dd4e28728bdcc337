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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cerrno>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <utility>

#include "core/http/ascii_case.h"
#include "core/http/error_body.h"
#include "core/http/flow_control.h"
#include "core/http/io_activity.h"
#include "core/http/loop_clock.h"
#include "core/http/socket_io.h"
#include "core/http/token.h"
#include "core/observability/log.h"

namespace sluice::http {
namespace {

// Input kept while a request is with the handler (pipelined bytes); reading pauses beyond it.
constexpr size_t kReadHighWatermark = 128 * 1024;
// The most one read takes from a plain socket.
constexpr size_t kReadChunk = 64 * 1024;
// Buffer storage a connection keeps once the buffer is empty; larger storage is freed, so an
// idle connection (or one of a thousand open streams, which write a few hundred bytes at a time)
// holds at most this much.
constexpr size_t kKeepCapacity = 4 * 1024;
// Output of pipelined requests answered in one read is sent once it reaches this size, before
// the next one is handled.
constexpr size_t kEarlyFlushBytes = 64 * 1024;
// How long a closing connection keeps reading (and discarding) after shutting its write side, so
// that unread client bytes do not turn the close into a reset that destroys the response.
constexpr uint32_t kLingerMs = 1000;
// A timer wake-up this close to its deadline acts: libevent measures time with
// CLOCK_MONOTONIC_COARSE (kernel ticks, often 4 ms), so it may wake up a little before our
// steady_clock deadline.
constexpr auto kTimerSlack = std::chrono::milliseconds(5);

// What a byte is in a field name: kLowerToken (can be sent as it is), kUpperCase (a token
// character once lower-cased) or kNotToken.
constexpr uint8_t kLowerToken = 0;
constexpr uint8_t kUpperCase = 1;
constexpr uint8_t kNotToken = 2;
constexpr std::array<uint8_t, 256> kNameByteClass = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = !kTokenChars[c] ? kNotToken : (c >= 'A' && c <= 'Z') ? kUpperCase : kLowerToken;
  }
  return table;
}();

// A control character other than HTAB (CR and LF included) may not appear in a field value.
// Every response header passes here (and the request id), so it looks at sixteen bytes at a time
// where SSE2 is there, then eight at a time, and byte by byte only at the end or where some byte
// of a word is below 0x20 or is 0x7F.
bool has_control_char(std::string_view value) {
  const auto is_control = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7F;
  };
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i highest_control = _mm_set1_epi8(0x1F);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i del = _mm_set1_epi8(0x7F);
  for (; i + 16 <= value.size(); i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(value.data() + i));
    // Unsigned: a byte is at most 0x1F when the smaller of it and 0x1F is itself.
    const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(bytes, highest_control), bytes);
    const __m128i control =
        _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(bytes, tab), low), _mm_cmpeq_epi8(bytes, del));
    if (_mm_movemask_epi8(control) != 0) return true;
  }
#endif
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  for (; i + 8 <= value.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, value.data() + i, 8);
    const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
    const uint64_t del = word ^ (kOnes * 0x7F);
    const uint64_t is_del = (del - kOnes) & ~del & kHighBits;
    if ((below_space | is_del) != 0 &&
        std::any_of(value.data() + i, value.data() + i + 8, is_control)) {
      return true;
    }
  }
  return std::any_of(value.data() + i, value.data() + value.size(), is_control);
}

// Framing and hop-by-hop fields the connection writes itself (or never forwards).
bool is_framing_field(std::string_view name) {
  return iequals_ascii(name, "transfer-encoding") || iequals_ascii(name, "connection") ||
         iequals_ascii(name, "keep-alive") || iequals_ascii(name, "upgrade") ||
         iequals_ascii(name, "proxy-connection") || iequals_ascii(name, "te") ||
         iequals_ascii(name, "trailer");
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

// Writes into room reserved beforehand: the caller reserves enough, nothing is checked here.
class Writer {
 public:
  explicit Writer(char* at) : at_(at) {}
  char* at() const { return at_; }
  void put(std::string_view text) {
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }
  void put_decimal(uint64_t n) { at_ = std::to_chars(at_, at_ + 20, n).ptr; }
  // "HTTP/1.1 <status> <reason>\r\n"; status is within 100..999.
  void put_status_line(int status, std::string_view reason) {
    put("HTTP/1.1 ");
    const char digits[4] = {static_cast<char>('0' + status / 100 % 10),
                            static_cast<char>('0' + status / 10 % 10),
                            static_cast<char>('0' + status % 10), ' '};
    put({digits, 4});
    put(reason);
    put("\r\n");
  }
  // `name` lower-cased; false (and nothing written) when it is not a token.
  bool put_field_name(std::string_view name) {
    uint8_t seen = kLowerToken;
    for (const char c : name) seen |= kNameByteClass[static_cast<unsigned char>(c)];
    if (name.empty() || (seen & kNotToken) != 0) return false;
    if (seen == kLowerToken) {  // the usual case: sent as it is
      put(name);
      return true;
    }
    char* out = at_;  // a local: stores through char* could alias at_ itself
    for (const char c : name) *out++ = lower_ascii(c);
    at_ = out;
    return true;
  }

 private:
  char* at_;
};

// The most put_status_line() adds beyond the reason phrase, and the most the framing fields and
// the blank line add to a head.
constexpr size_t kStatusLineBytes = 15;
constexpr size_t kFramingBytes = 40 + 28 + 24 + 2;
constexpr std::string_view kRequestIdField = "x-request-id: ";

}  // namespace

// ---- Buffer ----------------------------------------------------------------------------------

void Connection::Buffer::append(std::string_view bytes) {
  if (bytes.empty()) return;
  std::memcpy(prepare(bytes.size()), bytes.data(), bytes.size());
  commit(bytes.size());
}

char* Connection::Buffer::prepare(size_t n) {
  if (capacity_ - end_ >= n) return data_.get() + end_;
  const size_t used = size();
  if (used + n <= capacity_) {
    std::memmove(data_.get(), data_.get() + begin_, used);  // compact
  } else {
    constexpr size_t kMinCapacity = 1024;  // a local reply or a stream event fits
    const size_t capacity = std::max({used + n, capacity_ * 2, kMinCapacity});
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (used > 0) std::memcpy(grown.get(), data_.get() + begin_, used);
    data_ = std::move(grown);
    capacity_ = capacity;
  }
  begin_ = 0;
  end_ = used;
  return data_.get() + end_;
}

void Connection::Buffer::consume(size_t n) {
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

void Connection::Buffer::trim(size_t keep) {
  if (!empty() || capacity_ <= keep) return;
  data_.reset();
  capacity_ = 0;
  begin_ = end_ = 0;
}

// ---- Connection ------------------------------------------------------------------------------

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
  closed_ev_ = event_new(base, -1, 0, &Connection::closed_cb, this);
  deferred_ev_ = event_new(base, -1, 0, &Connection::deferred_cb, this);
  if (tls_) {
    bufferevent_setcb(bev_, &Connection::read_cb, &Connection::write_cb, &Connection::event_cb,
                      this);
    bufferevent_setwatermark(bev_, EV_READ, 0, kReadHighWatermark);
    bufferevent_setwatermark(bev_, EV_WRITE, limits_.max_response_buffer_bytes / 2, 0);
  }
}

Connection::~Connection() {
  phase_ = Phase::closed;
  abort_exchange();
  exchange_.reset();
  if (read_ev_ != nullptr) event_free(read_ev_);
  if (write_ev_ != nullptr) event_free(write_ev_);
  if (bev_ != nullptr) bufferevent_free(bev_);
  event_free(timer_ev_);
  event_free(closed_ev_);
  event_free(deferred_ev_);
}

void Connection::start() {
  if (tls_) {
    bufferevent_enable(bev_, EV_READ | EV_WRITE);
  } else {
    // The bufferevent only owns the socket (a new one has EV_WRITE enabled). We read with one
    // recv() per readiness (bufferevent adds an ioctl(FIONREAD) to every read) and write
    // directly, asking for EV_WRITE only when the kernel buffer is full (bufferevent's own write
    // path costs two epoll_ctl calls per response).
    bufferevent_disable(bev_, EV_READ | EV_WRITE);
    fd_ = bufferevent_getfd(bev_);
    // Edge-triggered: a level-triggered socket stays on epoll's ready list after each read and
    // costs the kernel another poll of it on the next epoll_wait. A read that fills the buffer
    // or is interrupted schedules the next one itself (read_socket), since no new edge comes.
    read_ev_ = event_new(bufferevent_get_base(bev_), fd_, EV_READ | EV_PERSIST | EV_ET,
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
  if (bev_ == nullptr) return 0;
  return tls_ ? evbuffer_get_length(bufferevent_get_output(bev_)) : output_.size();
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
  LoopClock::Scope clock;
  io_activity::note();
  static_cast<Connection*>(arg)->on_read();
}
void Connection::write_cb(bufferevent*, void* arg) {
  LoopClock::Scope clock;
  static_cast<Connection*>(arg)->on_write();
}
void Connection::event_cb(bufferevent*, short what, void* arg) {
  LoopClock::Scope clock;
  static_cast<Connection*>(arg)->on_event(what);
}
void Connection::timer_cb(int, short, void* arg) {
  LoopClock::Scope clock;
  auto* self = static_cast<Connection*>(arg);
  self->begin_batch();
  self->on_timer_wakeup();
  self->end_batch();
}
void Connection::socket_read_cb(int, short, void* arg) {
  LoopClock::Scope clock;
  io_activity::note();
  auto* self = static_cast<Connection*>(arg);
  self->begin_batch();
  self->read_socket();
  self->end_batch();
}
void Connection::socket_write_cb(int, short, void* arg) {
  LoopClock::Scope clock;
  auto* self = static_cast<Connection*>(arg);
  self->begin_batch();
  self->flush();
  self->end_batch();
}
void Connection::deferred_cb(int, short, void* arg) {
  LoopClock::Scope clock;
  auto* self = static_cast<Connection*>(arg);
  self->deferred_scheduled_ = false;
  // The response's bytes leave before its Exchange is destroyed.
  if (std::exchange(self->flush_scheduled_, false)) self->flush();
  if (std::exchange(self->end_scheduled_, false)) {
    self->begin_batch();
    self->after_response();
    self->end_batch();
  }
}
void Connection::closed_cb(int, short, void* arg) {
  LoopClock::Scope clock;
  auto* self = static_cast<Connection*>(arg);
  self->abort_exchange();
  self->exchange_.reset();
  if (self->on_closed_) self->on_closed_(*self);  // may destroy *self: nothing may follow
}

// ---- reading ---------------------------------------------------------------------------------

void Connection::read_socket() {
  if (bev_ == nullptr || phase_ == Phase::closed) return;
  if (input_.size() >= kReadHighWatermark) {
    event_del(read_ev_);  // a flood of pipelined bytes waits in the kernel until we catch up
    reading_paused_ = true;
    return;
  }
  // One read buffer per thread: a read is parsed where it landed and only what cannot be parsed
  // yet is copied into input_, so no connection keeps a read buffer of its own.
  thread_local std::array<char, kReadChunk> landing;
  const ssize_t n = socket_receive(fd_, landing.data(), landing.size(), 0);
  if (n > 0) {
    const std::string_view bytes(landing.data(), static_cast<size_t>(n));
    if (input_.empty()) {
      fresh_ = bytes;
    } else {
      input_.append(bytes);  // after the older bytes
    }
    on_read();
    keep_unparsed_input();
    if (static_cast<size_t>(n) == landing.size()) read_again();  // more may be waiting
  } else if (n == 0) {
    event_del(read_ev_);  // EOF stays readable: watching on would spin
    on_event(BEV_EVENT_READING | BEV_EVENT_EOF);
  } else if (errno == EINTR) {
    read_again();
  } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
    event_del(read_ev_);
    on_event(BEV_EVENT_READING | BEV_EVENT_ERROR);
  }
}

void Connection::read_again() {
  if (read_ev_ != nullptr && phase_ != Phase::closed && !reading_paused_) {
    event_active(read_ev_, EV_READ, 0);
  }
}

void Connection::on_read() {
  switch (phase_) {
    case Phase::reading:
      process_input();
      break;
    case Phase::closing:
    case Phase::lingering:
      discard_input();
      resume_reading_if_room();
      break;
    case Phase::dispatched:  // pipelined bytes wait until the response is done
    case Phase::closed:
      break;
  }
}

void Connection::process_input() {
  process_input_once();
  input_.trim(kKeepCapacity);  // once pipelined input has all been handled
  resume_reading_if_room();
}

void Connection::process_input_once() {
  while (phase_ == Phase::reading) {
    const std::string_view chunk = pending_input();
    if (!chunk.empty() && !parser_.started() && timer_ == Timer::keepalive) {
      arm(Timer::header);  // a later request's header timeout runs from its first byte
    }
    const bool in_body = parser_.headers_done();
    const RequestParser::Progress progress = parser_.feed(chunk);
    if (progress.consumed > 0) consume_input(progress.consumed);
    switch (progress.event) {
      case RequestParser::Event::need_more:
        if (in_body && progress.consumed > 0) arm(Timer::body);
        if (progress.consumed > 0 && !pending_input().empty()) continue;
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
        // Answered inside start() (a local reply): start() has returned, so the Exchange may go
        // now, and a pipelined request is handled by this loop rather than by recursion.
        if (phase_ != Phase::dispatched || !response_.finished || !end_exchange()) return;
        if (output_.size() >= kEarlyFlushBytes) flush();
        continue;
      case RequestParser::Event::error:
        send_error(parser_.error_status(), parser_.error_message());
        return;
    }
  }
}

// The unparsed input: input_ first (older), else the rest of the current read.
std::string_view Connection::pending_input() {
  if (!tls_) return input_.empty() ? fresh_ : input_.view();
  evbuffer* input = bufferevent_get_input(bev_);
  const size_t length = evbuffer_get_length(input);
  if (length == 0) return {};
  evbuffer_iovec vec{};
  if (evbuffer_peek(input, -1, nullptr, &vec, 1) > 0 && vec.iov_len > 0) {
    return {static_cast<const char*>(vec.iov_base), vec.iov_len};
  }
  const size_t n = std::min<size_t>(length, 16384);
  return {reinterpret_cast<const char*>(evbuffer_pullup(input, static_cast<ssize_t>(n))), n};
}

void Connection::consume_input(size_t n) {
  if (tls_) {
    evbuffer_drain(bufferevent_get_input(bev_), n);
  } else if (!input_.empty()) {
    input_.consume(n);
  } else {
    fresh_.remove_prefix(n);
  }
}

void Connection::discard_input() {
  if (tls_) {
    evbuffer* input = bufferevent_get_input(bev_);
    evbuffer_drain(input, evbuffer_get_length(input));
    return;
  }
  input_.clear();
  input_.trim(kKeepCapacity);
  fresh_ = {};
}

// The thread's read buffer is reused by the next read (of any connection): keep what is left.
void Connection::keep_unparsed_input() {
  if (fresh_.empty()) return;
  input_.append(fresh_);
  fresh_ = {};
}

void Connection::resume_reading_if_room() {
  if (!reading_paused_ || bev_ == nullptr || phase_ == Phase::closed) return;
  if (input_.size() < kReadHighWatermark) {
    reading_paused_ = false;
    event_add(read_ev_, nullptr);
  }
}

void Connection::dispatch() {
  keep_unparsed_input();  // the handler may run anything; the read buffer is not ours to keep
  const Request& parsed = parser_.request();
  head_request_ = parsed.method == "HEAD";
  http10_ = parsed.version_minor == 0;
  keep_alive_ = parsed.keep_alive && !draining_;
  phase_ = Phase::dispatched;
  response_ = Response{};
  over_buffer_limit_ = false;
  arm(Timer::none);

  dispatching_ = true;
  bool threw = false;
  try {
    exchange_ = handler_.start(take_request(), sink_);
  } catch (...) {
    threw = true;
  }
  // Closed meanwhile (e.g. the handler closed connections): closed_cb aborts exchange_.
  const bool abandoned =
      phase_ != Phase::closed && !response_.finished && (exchange_ == nullptr || threw);
  if (abandoned) {  // nothing will ever finish this response
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
  dispatching_ = false;
}

// Built right into start()'s parameter: a Request is large to move.
Request Connection::take_request() {
  Request request = parser_.take_request();
  request.peer = peer_;
  request.tls = tls_;
  return request;
}

// ---- the response ----------------------------------------------------------------------------

bool Connection::sink_usable() const {
  return phase_ == Phase::dispatched && !response_.finished;
}

void Connection::Sink::send_head(const ResponseHead& head, bool end_stream) {
  connection_.begin_response(head, end_stream, std::nullopt);
}

void Connection::Sink::send_body(std::string_view data, bool end_stream) {
  if (!connection_.sink_usable() || !connection_.response_.head_sent) return;
  connection_.write_body(data, end_stream);
}

void Connection::Sink::send_whole(const ResponseHead& head, std::string_view body) {
  if (!connection_.sink_usable() || connection_.response_.head_sent) return;
  connection_.begin_response(head, false, body.size());
  connection_.write_body(body, true);
}

void Connection::begin_response(const ResponseHead& head, bool end_stream,
                                std::optional<uint64_t> whole_length) {
  if (!sink_usable() || response_.head_sent) return;
  response_.head_sent = true;
  int status = head.status;
  if (status < 200 || status > 999) status = 500;  // 1xx cannot be sent through the sink
  const bool no_body_status = status == 204 || status == 304;
  response_.suppress_body = head_request_ || no_body_status;

  // The head is formatted in place, in room reserved for its longest possible form.
  const std::string_view reason = reason_phrase(status);
  size_t room = kStatusLineBytes + reason.size() + kFramingBytes;
  for (const Header& field : head.headers) room += field.name.size() + field.value.size() + 4;
  room += kRequestIdField.size() + head.request_id.size() + 2;
  char* const start = reserve_output(room);
  Writer out(start);
  out.put_status_line(status, reason);

  std::optional<uint64_t> declared = whole_length;
  for (const Header& field : head.headers) {
    if (iequals_ascii(field.name, "content-length")) {
      if (!whole_length) declared = parse_length(field.value);
      continue;
    }
    if (is_framing_field(field.name) || has_control_char(field.value)) continue;
    if (!out.put_field_name(field.name)) continue;
    out.put(": ");
    out.put(field.value);
    out.put("\r\n");
  }
  if (!head.request_id.empty() && !has_control_char(head.request_id)) {
    out.put(kRequestIdField);
    out.put(head.request_id);
    out.put("\r\n");
  }
  const auto put_length = [&out](uint64_t length) {
    out.put("content-length: ");
    out.put_decimal(length);
    out.put("\r\n");
  };
  if (no_body_status) {
    response_.mode = BodyMode::none;
  } else if (whole_length) {
    response_.mode = BodyMode::fixed;
    response_.remaining = *whole_length;
    put_length(*whole_length);
  } else if (end_stream) {
    response_.mode = BodyMode::none;
    put_length(head_request_ && declared ? *declared : 0);
  } else if (declared) {
    response_.mode = BodyMode::fixed;
    response_.remaining = *declared;
    put_length(*declared);
  } else if (http10_) {
    response_.mode = BodyMode::until_close;  // HTTP/1.0 has no chunked encoding
    keep_alive_ = false;
  } else {
    response_.mode = BodyMode::chunked;
    out.put("transfer-encoding: chunked\r\n");
  }
  if (!keep_alive_) {
    out.put("connection: close\r\n");
  } else if (http10_) {
    out.put("connection: keep-alive\r\n");
  }
  out.put("\r\n");
  commit_output(static_cast<size_t>(out.at() - start));
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
          char* end = std::to_chars(size_line, size_line + 16, data.size(), 16).ptr;
          *end++ = '\r';
          *end++ = '\n';
          write(std::string_view(size_line, static_cast<size_t>(end - size_line)));
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
  if (end_stream) {
    send_finished_response_now();
    finish_response();
  }
}

// A finished response leaves at once, before the Exchange's completion work (the access log,
// metrics) runs and before the loop turns, which matters most to a lone client waiting for it:
// one send attempt. What the kernel does not take, and any error, stays with the deferred flush,
// so the Exchange is never torn down under the call that is writing its response.
void Connection::send_finished_response_now() {
  if (tls_ || batch_output_ || writable_watched_ || bev_ == nullptr || phase_ == Phase::closed ||
      output_.empty()) {
    return;
  }
  const std::string_view bytes = output_.view();
  const ssize_t n = socket_send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n > 0) output_.consume(static_cast<size_t>(n));
}

void Connection::finish_response() {
  response_.finished = true;
  if (response_.mode == BodyMode::until_close) keep_alive_ = false;
  // The Exchange is destroyed once the call it is making now has returned: by dispatch()'s
  // caller when answered inside start(), else from after_response() on a later loop turn.
  if (!dispatching_) {
    end_scheduled_ = true;
    schedule_deferred();
  }
}

void Connection::after_response() {
  if (end_exchange()) process_input();  // a pipelined request may already be buffered
}

// The response is finished: destroys the Exchange and waits for the next request. False when
// the connection is closing instead.
bool Connection::end_exchange() {
  exchange_.reset();
  if (phase_ != Phase::dispatched) return false;
  if (!keep_alive_ || draining_) {
    begin_close();
    return false;
  }
  phase_ = Phase::reading;
  parser_.next_request();
  arm(Timer::keepalive);
  return true;
}

// ---- output ----------------------------------------------------------------------------------

void Connection::write(std::string_view bytes) {
  if (bev_ == nullptr || bytes.empty()) return;
  if (tls_) {
    bufferevent_write(bev_, bytes.data(), bytes.size());
  } else {
    output_.append(bytes);
  }
  after_output();
}

// Room for `n` bytes of output, to be formatted in place and then given to commit_output().
char* Connection::reserve_output(size_t n) {
  return output_.prepare(n);
}

void Connection::commit_output(size_t n) {
  output_.commit(n);
  if (tls_) {  // output_ only staged it
    bufferevent_write(bev_, output_.view().data(), output_.size());
    output_.clear();
  }
  after_output();
}

void Connection::after_output() {
  if (buffered_bytes() > limits_.max_response_buffer_bytes) over_buffer_limit_ = true;
  if (tls_ || batch_output_ || flush_scheduled_ || writable_watched_) return;
  // Written from outside our own callbacks (an upstream answer, a timer): everything written
  // during this loop turn (head, body, chunk framing) leaves in one send.
  flush_scheduled_ = true;
  schedule_deferred();
}

void Connection::schedule_deferred() {
  if (deferred_scheduled_) return;
  deferred_scheduled_ = true;
  event_active(deferred_ev_, EV_TIMEOUT, 0);
}

// Our own callbacks send what they wrote when they end, in one send() and without waking the
// loop for it.
void Connection::begin_batch() {
  batch_output_ = true;
}
void Connection::end_batch() {
  batch_output_ = false;
  if (!output_.empty()) flush();
}

void Connection::flush() {
  if (bev_ == nullptr || phase_ == Phase::closed || tls_) return;
  if (send_output()) on_write();
}

// Sends queued output until it is gone or the kernel buffer is full; false when that closed the
// connection.
bool Connection::send_output() {
  while (!output_.empty()) {
    const std::string_view bytes = output_.view();
    const ssize_t n = socket_send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      output_.consume(static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch_writable(true);
      return true;
    } else {
      close_now();  // reset or broken pipe
      return false;
    }
  }
  output_.trim(kKeepCapacity);
  watch_writable(false);
  return true;
}

void Connection::watch_writable(bool on) {
  if (on == writable_watched_) return;
  if (write_ev_ == nullptr) {
    write_ev_ = event_new(bufferevent_get_base(bev_), fd_, EV_WRITE | EV_PERSIST,
                          &Connection::socket_write_cb, this);
  }
  if (on) {
    event_add(write_ev_, nullptr);
  } else {
    event_del(write_ev_);
  }
  writable_watched_ = on;
}

void Connection::on_write() {
  if (bev_ == nullptr) return;
  const size_t queued = buffered_bytes();
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
  const std::string_view reason = reason_phrase(status);
  char* const start = reserve_output(kStatusLineBytes + reason.size() + 128 + body.size());
  Writer out(start);
  out.put_status_line(status, reason);
  out.put("content-type: application/json\r\ncontent-length: ");
  out.put_decimal(body.size());
  out.put("\r\nconnection: close\r\n\r\n");
  out.put(body);
  keep_alive_ = false;
  commit_output(static_cast<size_t>(out.at() - start));
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
  discard_input();
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
  cancel_timer();
  // Our events go before bufferevent_free closes the socket they watch.
  if (read_ev_ != nullptr) {
    event_free(read_ev_);
    read_ev_ = nullptr;
  }
  if (write_ev_ != nullptr) {
    event_free(write_ev_);
    write_ev_ = nullptr;
    writable_watched_ = false;
  }
  if (bev_ != nullptr) {
    bufferevent_free(bev_);
    bev_ = nullptr;
  }
  fresh_ = {};
  input_.clear();
  input_.trim(0);
  output_.clear();  // unsent output is dropped
  output_.trim(0);
  event_active(closed_ev_, EV_TIMEOUT, 0);
}

void Connection::abort_exchange() {
  if (exchange_ && !response_.finished) {
    std::unique_ptr<Exchange> exchange = std::move(exchange_);
    exchange->on_abort();
  }
}

// ---- timers ----------------------------------------------------------------------------------

std::chrono::milliseconds Connection::timeout_of(Timer timer) const {
  switch (timer) {
    case Timer::header:
      return std::chrono::milliseconds(limits_.header_timeout_ms);
    case Timer::body:
      return std::chrono::milliseconds(limits_.body_idle_timeout_ms);
    case Timer::keepalive:
      return std::chrono::milliseconds(limits_.keepalive_idle_timeout_ms);
    case Timer::flush:
      return std::chrono::milliseconds(std::max(limits_.keepalive_idle_timeout_ms, 1000u));
    case Timer::linger:
      return std::chrono::milliseconds(kLingerMs);
    case Timer::none:
      break;
  }
  return std::chrono::milliseconds(0);
}

void Connection::arm(Timer timer) {
  timer_ = timer;
  if (timer == Timer::none) return;  // a wake-up already scheduled finds nothing to do
  const Clock::time_point now = LoopClock::now();
  deadline_ = now + timeout_of(timer);
  // Most requests push the deadline back; a wake-up scheduled before it re-arms for the rest.
  if (wakeup_scheduled_ && wakeup_ <= deadline_) return;
  schedule_wakeup(now);
}

void Connection::schedule_wakeup(Clock::time_point now) {
  const auto wait = std::chrono::ceil<std::chrono::microseconds>(
      std::max(deadline_ - now, Clock::duration::zero()));
  const timeval tv{static_cast<time_t>(wait.count() / 1000000),
                   static_cast<suseconds_t>(wait.count() % 1000000)};
  evtimer_add(timer_ev_, &tv);
  wakeup_scheduled_ = true;
  wakeup_ = deadline_;
}

void Connection::on_timer_wakeup() {
  wakeup_scheduled_ = false;
  if (timer_ == Timer::none) return;
  const Clock::time_point now = LoopClock::now();
  if (deadline_ - now > kTimerSlack) {  // the deadline moved since this wake-up was scheduled
    schedule_wakeup(now);
    return;
  }
  on_timer();
}

void Connection::cancel_timer() {
  timer_ = Timer::none;
  if (wakeup_scheduled_) evtimer_del(timer_ev_);
  wakeup_scheduled_ = false;
}

bool Connection::tls_handshake_done() const {
  SSL* ssl = bev_ == nullptr ? nullptr : bufferevent_openssl_get_ssl(bev_);
  return ssl != nullptr && SSL_is_init_finished(ssl);
}

}  // namespace sluice::http
