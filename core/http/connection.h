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
// connections (drain, admin actions).
//
// Everything runs on the thread of the bufferevent's event_base.

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
    void send_head(ResponseHead head, bool end_stream) override;
    void send_body(std::string_view data, bool end_stream) override;
    void send_whole(ResponseHead head, std::string_view body) override;
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

  static void read_cb(bufferevent* bev, void* arg);
  static void write_cb(bufferevent* bev, void* arg);
  static void event_cb(bufferevent* bev, short what, void* arg);
  static void timer_cb(int fd, short what, void* arg);
  static void after_response_cb(int fd, short what, void* arg);
  static void closed_cb(int fd, short what, void* arg);
  static void flush_cb(int fd, short what, void* arg);
  static void socket_read_cb(int fd, short what, void* arg);

  void on_read();
  void on_write();
  void on_event(short what);
  void on_timer();
  void after_response();

  void process_input();
  void process_input_once();
  void dispatch();
  void begin_response(ResponseHead head, bool end_stream, std::optional<uint64_t> whole_length);
  void write_body(std::string_view data, bool end_stream);
  void finish_response();
  bool sink_usable() const;
  void write(std::string_view bytes);
  void flush();
  void read_socket();
  void resume_reading_if_room();
  void note_buffered();

  void send_error(int status, std::string_view message);
  void begin_close();
  void shutdown_and_linger();
  void close_now();
  void abort_exchange();
  void arm(Timer timer);
  bool tls_handshake_done() const;

  bufferevent* bev_;
  RequestHandler& handler_;
  const ServerLimits limits_;
  const std::string peer_;
  const bool tls_;
  ClosedCallback on_closed_;

  event* timer_ev_ = nullptr;
  event* after_response_ev_ = nullptr;
  event* closed_ev_ = nullptr;
  event* flush_ev_ = nullptr;  // plain sockets: one direct write per loop turn (see write())
  event* read_ev_ = nullptr;   // plain sockets: our own reads (see read_socket())
  bool reading_paused_ = false;
  Timer timer_ = Timer::none;
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
