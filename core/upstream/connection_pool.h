#pragma once
// The idle keep-alive connections of one worker's native client, per "host:port". A connection
// comes back after a complete response that allows reuse; the newest idle one of a host is handed
// out first. Bounds: max_idle_per_host (the oldest of a host is closed to make room) and
// idle_timeout_ms (one timer for the whole pool, armed for the oldest connection).
//
// Idle connections stay watched for readability: an upstream that closes one (or sends bytes
// nobody asked for) gets it closed and dropped at once, so a stale connection is rarely handed
// out. Loop thread only; destroying the pool closes every idle connection.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/upstream/native_connection.h"

struct event;
struct event_base;

namespace sluice::upstream {

// The idle connections of one host:port, oldest to newest (NativeConnection::host_older and
// host_newer). An entry outlives its last connection until the next idle sweep: a call usually
// brings back the connection it took at once, and the entry is then still there.
struct PoolHost {
  NativeConnection* oldest = nullptr;
  NativeConnection* newest = nullptr;
  size_t count = 0;
};

class ConnectionPool final : private ConnectionOwner {
 public:
  ConnectionPool(event_base* base, size_t max_idle_per_host, uint32_t idle_timeout_ms);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The newest idle connection for `key`, or nullptr. The caller owns it (and sets its owner).
  std::unique_ptr<NativeConnection> take(const std::string& key);
  // Keeps a connection that just finished an exchange cleanly; its idle time counts from
  // `idle_since`, a steady-clock reading the caller took just before (its last read).
  void put(std::unique_ptr<NativeConnection> connection,
           std::chrono::steady_clock::time_point idle_since);

  size_t idle() const { return idle_count_; }

 private:
  void on_connection_ready(NativeConnection& connection, short what) override;
  static void on_timer(int fd, short what, void* arg);
  // Unlinks an idle connection (of `host`) and hands it back (destroying the result closes it).
  std::unique_ptr<NativeConnection> unlink(PoolHost& host, NativeConnection& connection);
  std::unique_ptr<NativeConnection> unlink(NativeConnection& connection) {
    return unlink(*connection.pool_host, connection);
  }
  void arm_timer();

  size_t max_idle_per_host_;
  uint32_t idle_timeout_ms_;
  // Every idle connection, oldest to newest, linked through NativeConnection::idle_older and
  // idle_newer. The pool owns them: unlink() hands ownership back.
  NativeConnection* oldest_ = nullptr;
  NativeConnection* newest_ = nullptr;
  size_t idle_count_ = 0;
  std::unordered_map<std::string, PoolHost> hosts_;
  uint64_t generation_ = 1;  // advanced when entries of hosts_ are erased
  event* timer_ = nullptr;
  bool timer_armed_ = false;
};

}  // namespace sluice::upstream
