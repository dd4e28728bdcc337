#pragma once
// One upstream TCP connection of the native client: a non-blocking socket (TCP_NODELAY), its
// connect, and one persistent libevent event whose readiness goes to the connection's current
// owner (the call using it, or the idle pool). The event stays registered across owners, so
// handing a connection from the pool to a call and back costs no epoll_ctl; watch() changes the
// registration only when the wanted readiness changes.
//
// No buffering and no HTTP here: the owner reads and writes the socket through receive() and
// send(). Destroying the connection closes the socket. Loop thread only.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/upstream/dns_resolver.h"

struct event;
struct event_base;

namespace sluice::upstream {

class NativeConnection;
struct PoolHost;  // connection_pool.h

class ConnectionOwner {
 public:
  // The socket is ready for what the owner watches (EV_READ and/or EV_WRITE in `what`). The
  // owner may destroy the connection (and itself) inside.
  virtual void on_connection_ready(NativeConnection& connection, short what) = 0;

 protected:
  ~ConnectionOwner() = default;
};

class NativeConnection {
 public:
  // Starts connecting to `address`; the event watches for writability (connect done). nullptr
  // and errno in *error_number when the socket cannot even start connecting.
  static std::unique_ptr<NativeConnection> open(event_base* base, const SocketAddress& address,
                                                std::string key, ConnectionOwner* owner,
                                                int* error_number);
  ~NativeConnection();
  NativeConnection(const NativeConnection&) = delete;
  NativeConnection& operator=(const NativeConnection&) = delete;

  void set_owner(ConnectionOwner* owner) { owner_ = owner; }
  // What readiness to report. Re-registers the event only when this differs from the current.
  void watch(bool read, bool write);
  // The outcome of the connect (SO_ERROR): 0 when connected.
  int connect_error() const;
  // send(2) (MSG_NOSIGNAL) and recv(2): bytes, or -1 with errno set.
  ssize_t send(const char* data, size_t length);
  ssize_t receive(char* buffer, size_t length);

  const std::string& key() const { return key_; }
  // How many responses this connection has carried (more than zero: it came from the pool).
  unsigned exchanges = 0;

  // Kept by ConnectionPool while the connection is idle: when it became idle, and its links in
  // the pool's two lists (every idle connection, and those of its host), oldest to newest.
  std::chrono::steady_clock::time_point idle_since;
  NativeConnection* idle_older = nullptr;
  NativeConnection* idle_newer = nullptr;
  NativeConnection* host_older = nullptr;
  NativeConnection* host_newer = nullptr;
  // The pool's entry for the connection's host, from when it was last idle, so that putting it
  // back needs no lookup; it holds while pool_generation is the pool's (no sweep since).
  PoolHost* pool_host = nullptr;
  uint64_t pool_generation = 0;

 private:
  NativeConnection(event_base* base, int fd, std::string key, ConnectionOwner* owner);
  static void on_event(int fd, short what, void* arg);

  event_base* base_;
  int fd_;
  std::string key_;
  ConnectionOwner* owner_;
  event* event_ = nullptr;
  short watching_ = 0;
};

}  // namespace sluice::upstream
