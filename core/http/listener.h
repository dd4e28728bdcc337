#pragma once
// A listening socket on one worker's event_base: binds an IPv4 or IPv6 literal address with
// SO_REUSEADDR and SO_REUSEPORT (so every worker can own a listener on the same port), accepts
// plain or TLS connections, owns them, and caps how many are open at once (it stops accepting at
// the cap and resumes when one closes). Also the hooks for graceful drain.
//
// Everything runs on the event_base's thread. Creating a listener ignores SIGPIPE process-wide
// (writes to a closed peer must fail with EPIPE, not kill the process).

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/http/connection.h"
#include "core/http/exchange.h"
#include "core/http/limits.h"

struct event;
struct event_base;
struct evconnlistener;
struct sockaddr;

namespace sluice::http {

struct ListenerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal; "[::1]" is accepted too
  uint16_t port = 0;                  // 0: any free port (see Listener::port())
  ServerLimits limits;
  SSL_CTX* tls = nullptr;  // not owned; must outlive the listener. nullptr: plain HTTP
  int backlog = 1024;
};

// Gives the RequestHandler for a new connection (normally the worker's single handler). The
// returned handler must outlive every connection it was given to.
using HandlerProvider = std::function<RequestHandler&()>;

class Listener {
 public:
  // nullptr and a message in *error when the address is not a literal or cannot be bound.
  static std::unique_ptr<Listener> create(event_base* base, const ListenerOptions& options,
                                          HandlerProvider handler, std::string* error);
  // Stops accepting and closes every connection (in-flight exchanges get on_abort()).
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  uint16_t port() const { return port_; }
  bool tls() const { return options_.tls != nullptr; }

  // Stops accepting for good (drain). Open connections carry on.
  void close();
  bool closed() const { return closed_; }
  // Accepting right now (not closed and not at the connection cap).
  bool accepting() const { return !closed_ && !paused_; }

  size_t connection_count() const { return connections_.size(); }
  size_t in_flight_count() const;
  // Connections waiting for a next request (no byte of it read).
  size_t idle_count() const;
  // Closes the connections waiting for a next request; returns how many.
  size_t close_idle_connections();
  // Graceful drain: close(); in-flight requests finish and their responses carry
  // "connection: close"; idle connections close now; requests that arrive on open connections
  // are answered with "connection: close".
  void drain();
  // Closes every connection now (in-flight exchanges get on_abort()).
  void close_all_connections();

 private:
  Listener(event_base* base, const ListenerOptions& options, HandlerProvider handler);
  static void accept_cb(evconnlistener* listener, int fd, sockaddr* address, int length, void* arg);
  static void accept_error_cb(evconnlistener* listener, void* arg);
  static void retry_cb(int fd, short what, void* arg);
  void on_accept(int fd, const sockaddr* address, int length);
  void on_connection_closed(Connection& connection);
  void update_accepting();

  event_base* base_;
  ListenerOptions options_;
  HandlerProvider handler_;
  evconnlistener* listener_ = nullptr;
  event* retry_ev_ = nullptr;  // re-enables accepting after an accept error (e.g. EMFILE)
  uint16_t port_ = 0;
  bool closed_ = false;
  bool paused_ = false;         // at the connection cap
  bool error_backoff_ = false;  // waiting after an accept error
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
};

}  // namespace sluice::http
