#pragma once
// One HTTP/1.1 client connection on a libevent bufferevent (plain socket or OpenSSL): reads
// requests through RequestParser, hands each complete one to a RequestHandler, and frames the
// handler's response (Content-Length, chunked, or close-delimited for HTTP/1.0 streams).
//
// Lifetime: the connection is owned by whoever created it (normally a Listener). When it has
// finished (closed by either side, a timeout, an error, close()) it frees the socket at once and,
// from its own event callback on a later loop turn, aborts the Exchange still in flight (if any:
// on_abort() then destruction) and calls `on_closed`; the owner may destroy it there. Destroying
// it at any other time is also allowed: an Exchange still in flight gets on_abort() first. So an
// Exchange is never aborted or destroyed inside a call it is making, even when that call closes
// connections (drain, admin actions). A response finished inside RequestHandler::start() has its
// Exchange destroyed as soon as start() has returned; one finished later, from a later loop turn.
//
// Plain sockets bypass the bufferevent's buffers (it only owns the socket): the connection reads
// and writes the socket itself with its own reused buffers, so a request answered at once costs
// one recv() and one send() and no allocation. TLS connections use the bufferevent throughout.
//
// Everything runs on the thread of the bufferevent's event_base.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/exchange.h"
#include "core/http/limits.h"
#include "core/http/message.h"
#include "core/http/request_parser.h"

struct bufferevent;
struct event;

namespace sluice::http {

class Connection {
 public:
  using ClosedCallback = std::function<void(Connection&)>;

  // Takes ownership of `bev` (an accepted socket: created with BEV_OPT_CLOSE_ON_FREE, and
  // preferably BEV_OPT_DEFER_CALLBACKS). `handler` must outlive the connection. `peer` is the
  // client's "ip:port". Call start() to begin reading.
  Connection(bufferevent* bev, RequestHandler& handler, const ServerLimits& limits,
             std::string peer, bool tls, ClosedCallback on_closed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();

  // A request was handed to the handler and its response is not finished.
  bool in_flight() const;
  // Waiting for the next request, no byte of it read yet.
  bool idle() const;
  bool closed() const;
  const std::string& peer() const { return peer_; }
  // Response bytes queued and not yet written to the socket.
  size_t buffered_bytes() const;

  // For graceful drain: responses from now on carry "connection: close" and the connection
  // closes after them; an idle connection closes now.
  void drain();
  // Closes now: unsent output is dropped; an in-flight Exchange gets on_abort() on a later loop
  // turn (the sink ignores calls meanwhile).
  void close();

 private:
  enum class Phase {
    reading,     // reading a request (or waiting for one)
    dispatched,  // a request is with the handler
    closing,     // flushing the last output before shutting down the write side
    lingering,   // write side shut; discarding input until the peer closes or a short timer
    closed,
  };
  enum class Timer { none, header, body, keepalive, flush, linger };
  enum class BodyMode { none, fixed, chunked, until_close };

  class Sink final : public ResponseSink {
   public:
    explicit Sink(Connection& connection) : connection_(connection) {}
    void send_head(const ResponseHead& head, bool end_stream) override;
    void send_body(std::string_view data, bool end_stream) override;
    void send_whole(const ResponseHead& head, std::string_view body) override;
    size_t buffered_bytes() const override { return connection_.buffered_bytes(); }

   private:
    Connection& connection_;
  };

  struct Response {
    bool head_sent = false;
    bool finished = false;
    bool suppress_body = false;  // HEAD request, or a 204/304 status
    BodyMode mode = BodyMode::none;
    uint64_t remaining = 0;  // BodyMode::fixed
  };

  // A byte queue for plain sockets: appended at the back, consumed from the front. Its storage
  // is kept (and compacted) between requests, so steady traffic allocates nothing.
  class Buffer {
   public:
    size_t size() const { return end_ - begin_; }
    bool empty() const { return begin_ == end_; }
    std::string_view view() const { return {data_.get() + begin_, size()}; }
    void append(std::string_view bytes);
    // At least `n` bytes of room at the back: write there, then commit() what was written.
    char* prepare(size_t n);
    void commit(size_t n) { end_ += n; }
    void consume(size_t n);  // n <= size()
    void clear() { begin_ = end_ = 0; }
    // Once empty, frees storage grown beyond `keep` bytes (one large response must not pin it).
    void trim(size_t keep);

   private:
    std::unique_ptr<char[]> data_;
    size_t capacity_ = 0;
    size_t begin_ = 0;
    size_t end_ = 0;
  };

  using Clock = std::chrono::steady_clock;

  static void read_cb(bufferevent* bev, void* arg);
  static void write_cb(bufferevent* bev, void* arg);
  static void event_cb(bufferevent* bev, short what, void* arg);
  static void timer_cb(int fd, short what, void* arg);
  static void closed_cb(int fd, short what, void* arg);
  static void deferred_cb(int fd, short what, void* arg);
  static void socket_read_cb(int fd, short what, void* arg);
  static void socket_write_cb(int fd, short what, void* arg);

  void on_read();
  void on_write();
  void on_event(short what);
  void on_timer_wakeup();
  void on_timer();
  void after_response();
  bool end_exchange();

  void process_input();
  void process_input_once();
  std::string_view pending_input();
  void consume_input(size_t n);
  void discard_input();
  void keep_unparsed_input();
  void dispatch();
  Request take_request();
  void begin_response(const ResponseHead& head, bool end_stream,
                      std::optional<uint64_t> whole_length);
  void write_body(std::string_view data, bool end_stream);
  void finish_response();
  bool sink_usable() const;
  void write(std::string_view bytes);
  char* reserve_output(size_t n);
  void commit_output(size_t n);
  void after_output();
  void schedule_deferred();
  void begin_batch();
  void end_batch();
  void flush();
  void send_finished_response_now();
  bool send_output();
  void watch_writable(bool on);
  void read_socket();
  void read_again();  // the socket may hold more than one read took: read on the next turn
  void resume_reading_if_room();

  void send_error(int status, std::string_view message);
  void begin_close();
  void shutdown_and_linger();
  void close_now();
  void abort_exchange();
  void arm(Timer timer);
  void schedule_wakeup(Clock::time_point now);
  void cancel_timer();
  std::chrono::milliseconds timeout_of(Timer timer) const;
  bool tls_handshake_done() const;

  bufferevent* bev_;
  RequestHandler& handler_;
  const ServerLimits limits_;
  const std::string peer_;
  const bool tls_;
  ClosedCallback on_closed_;

  event* timer_ev_ = nullptr;
  event* closed_ev_ = nullptr;
  // Work for the next loop turn, in this order: a flush (plain sockets: one send per loop turn,
  // see after_output()), then the end of a response finished from outside our callbacks (see
  // finish_response()). One event for both: a response answered from an upstream callback needs
  // both, and each event_active costs a lock and a pass of the loop.
  event* deferred_ev_ = nullptr;
  bool deferred_scheduled_ = false;
  bool end_scheduled_ = false;  // after_response() is due
  event* read_ev_ = nullptr;    // plain sockets: our own reads (see read_socket())
  event* write_ev_ = nullptr;   // plain sockets: created when the kernel buffer first fills up
  int fd_ = -1;                 // plain sockets: the bufferevent's socket
  bool reading_paused_ = false;
  bool writable_watched_ = false;
  bool flush_scheduled_ = false;
  bool batch_output_ = false;  // inside our own callback: output leaves when it ends
  bool dispatching_ = false;   // inside dispatch(): a finished response is completed by its caller

  // Plain sockets. input_ holds only what a read brought beyond what could be parsed at once;
  // fresh_ is the unparsed rest of the current read, still in the thread's read buffer.
  Buffer input_;
  std::string_view fresh_;
  Buffer output_;  // TLS: only stages what reserve_output() formats, then goes to the bufferevent

  // Timers are lazy: timer_ev_ may wake up before deadline_ (then it re-arms for the rest), so
  // pushing a deadline back costs no libevent call.
  Timer timer_ = Timer::none;
  Clock::time_point deadline_;
  bool wakeup_scheduled_ = false;
  Clock::time_point wakeup_;
  size_t flush_mark_ = 0;  // output still queued when the flush timer was armed

  RequestParser parser_;
  Sink sink_;
  Phase phase_ = Phase::reading;
  Response response_;
  std::unique_ptr<Exchange> exchange_;
  bool keep_alive_ = true;  // for the request being answered
  bool head_request_ = false;
  bool http10_ = false;
  bool peer_eof_ = false;
  bool draining_ = false;
  bool over_buffer_limit_ = false;
};

}  // namespace sluice::http
