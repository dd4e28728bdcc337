// Idle keep-alive connections per host:port (see connection_pool.h).

#include "core/upstream/connection_pool.h"

#include <event2/event.h>

#include <algorithm>

namespace sluice::upstream {

using Clock = std::chrono::steady_clock;

ConnectionPool::ConnectionPool(event_base* base, size_t max_idle_per_host, uint32_t idle_timeout_ms)
    : max_idle_per_host_(max_idle_per_host), idle_timeout_ms_(idle_timeout_ms) {
  timer_ = evtimer_new(base, &ConnectionPool::on_timer, this);
}

ConnectionPool::~ConnectionPool() {
  by_key_.clear();
  idle_.clear();
  if (timer_ != nullptr) event_free(timer_);
}

std::unique_ptr<NativeConnection> ConnectionPool::take(const std::string& key) {
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return nullptr;
  return unlink(*found->second.back());
}

void ConnectionPool::put(std::unique_ptr<NativeConnection> connection) {
  if (max_idle_per_host_ == 0 || idle_timeout_ms_ == 0) return;  // closed
  NativeConnection& c = *connection;
  std::vector<NativeConnection*>& same_host = by_key_[c.key()];
  if (same_host.size() >= max_idle_per_host_) {
    unlink(*same_host.front());  // the oldest of the host makes room; closed here
  }
  c.set_owner(this);
  c.watch(true, false);  // EOF or stray bytes while idle end it
  c.idle_since = Clock::now();
  idle_.push_back(std::move(connection));
  c.pool_position = std::prev(idle_.end());
  by_key_[c.key()].push_back(&c);
  if (!timer_armed_) arm_timer();
}

std::unique_ptr<NativeConnection> ConnectionPool::unlink(NativeConnection& connection) {
  auto found = by_key_.find(connection.key());
  if (found != by_key_.end()) {
    std::vector<NativeConnection*>& same_host = found->second;
    same_host.erase(std::find(same_host.begin(), same_host.end(), &connection));
    if (same_host.empty()) by_key_.erase(found);
  }
  std::unique_ptr<NativeConnection> out = std::move(*connection.pool_position);
  idle_.erase(connection.pool_position);
  return out;
}

void ConnectionPool::on_connection_ready(NativeConnection& connection, short) {
  // An idle connection has nothing to say: EOF, an error or unexpected bytes all end it.
  unlink(connection);
}

void ConnectionPool::arm_timer() {
  timer_armed_ = false;
  if (idle_.empty() || timer_ == nullptr) {
    if (timer_ != nullptr) evtimer_del(timer_);
    return;
  }
  const Clock::time_point expires =
      idle_.front()->idle_since + std::chrono::milliseconds(idle_timeout_ms_);
  const auto wait = std::max<Clock::duration>(expires - Clock::now(), Clock::duration::zero());
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(wait).count() + 1000;
  const timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  evtimer_add(timer_, &tv);
  timer_armed_ = true;
}

void ConnectionPool::on_timer(int, short, void* arg) {
  auto* self = static_cast<ConnectionPool*>(arg);
  self->timer_armed_ = false;
  const Clock::time_point now = Clock::now();
  const auto timeout = std::chrono::milliseconds(self->idle_timeout_ms_);
  while (!self->idle_.empty() && self->idle_.front()->idle_since + timeout <= now) {
    self->unlink(*self->idle_.front());
  }
  self->arm_timer();
}

}  // namespace sluice::upstream
