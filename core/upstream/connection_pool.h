#pragma once
// The idle keep-alive connections of one worker's native client, per "host:port". A connection
// comes back after a complete response that allows reuse; the newest idle one of a host is handed
// out first. Bounds: max_idle_per_host (the oldest of a host is closed to make room) and
// idle_timeout_ms (one timer for the whole pool, armed for the oldest connection).
//
// Idle connections stay watched for readability: an upstream that closes one (or sends bytes
// nobody asked for) gets it closed and dropped at once, so a stale connection is rarely handed
// out. Loop thread only; destroying the pool closes every idle connection.

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/upstream/native_connection.h"

struct event;
struct event_base;

namespace sluice::upstream {

class ConnectionPool final : private ConnectionOwner {
 public:
  ConnectionPool(event_base* base, size_t max_idle_per_host, uint32_t idle_timeout_ms);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The newest idle connection for `key`, or nullptr. The caller owns it (and sets its owner).
  std::unique_ptr<NativeConnection> take(const std::string& key);
  // Keeps a connection that just finished an exchange cleanly.
  void put(std::unique_ptr<NativeConnection> connection);

  size_t idle() const { return idle_.size(); }

 private:
  using List = std::list<std::unique_ptr<NativeConnection>>;

  void on_connection_ready(NativeConnection& connection, short what) override;
  static void on_timer(int fd, short what, void* arg);
  // Unlinks an idle connection and hands it back (destroying the result closes it).
  std::unique_ptr<NativeConnection> unlink(NativeConnection& connection);
  void arm_timer();

  size_t max_idle_per_host_;
  uint32_t idle_timeout_ms_;
  List idle_;                                                               // oldest first
  std::unordered_map<std::string, std::vector<NativeConnection*>> by_key_;  // newest last
  event* timer_ = nullptr;
  bool timer_armed_ = false;
};

}  // namespace sluice::upstream
