// Idle keep-alive connections per host:port (see connection_pool.h).

#include "core/upstream/connection_pool.h"

#include <event2/event.h>

#include <algorithm>
#include <unordered_map>

namespace sluice::upstream {

using Clock = std::chrono::steady_clock;

ConnectionPool::ConnectionPool(event_base* base, size_t max_idle_per_host, uint32_t idle_timeout_ms)
    : max_idle_per_host_(max_idle_per_host), idle_timeout_ms_(idle_timeout_ms) {
  timer_ = evtimer_new(base, &ConnectionPool::on_timer, this);
}

ConnectionPool::~ConnectionPool() {
  hosts_.clear();
  while (oldest_ != nullptr) {
    std::unique_ptr<NativeConnection> closed(oldest_);
    oldest_ = oldest_->idle_newer;
  }
  if (timer_ != nullptr) event_free(timer_);
}

std::unique_ptr<NativeConnection> ConnectionPool::take(const std::string& key) {
  const auto found = hosts_.find(key);
  if (found == hosts_.end() || found->second.newest == nullptr) return nullptr;
  std::unique_ptr<NativeConnection> connection = unlink(found->second, *found->second.newest);
  connection->pool_generation = generation_;  // its pool_host is valid now
  return connection;
}

void ConnectionPool::put(std::unique_ptr<NativeConnection> connection,
                         Clock::time_point idle_since) {
  if (max_idle_per_host_ == 0 || idle_timeout_ms_ == 0) return;  // closed
  PoolHost& host = connection->pool_host != nullptr && connection->pool_generation == generation_
                       ? *connection->pool_host
                       : hosts_[connection->key()];
  if (host.count >= max_idle_per_host_) {
    unlink(host, *host.oldest);  // the oldest of the host makes room; closed here
  }
  NativeConnection* c = connection.release();  // the lists own it until unlink()
  c->pool_host = &host;  // valid while c is idle: entries with connections are never erased
  c->pool_generation = generation_;
  c->set_owner(this);
  c->watch(true, false);  // EOF or stray bytes while idle end it
  c->idle_since = idle_since;
  c->idle_older = newest_;
  (newest_ != nullptr ? newest_->idle_newer : oldest_) = c;
  newest_ = c;
  c->host_older = host.newest;
  (host.newest != nullptr ? host.newest->host_newer : host.oldest) = c;
  host.newest = c;
  ++host.count;
  ++idle_count_;
  if (!timer_armed_) arm_timer();
}

std::unique_ptr<NativeConnection> ConnectionPool::unlink(PoolHost& host, NativeConnection& c) {
  (c.idle_older != nullptr ? c.idle_older->idle_newer : oldest_) = c.idle_newer;
  (c.idle_newer != nullptr ? c.idle_newer->idle_older : newest_) = c.idle_older;
  (c.host_older != nullptr ? c.host_older->host_newer : host.oldest) = c.host_newer;
  (c.host_newer != nullptr ? c.host_newer->host_older : host.newest) = c.host_older;
  c.idle_older = c.idle_newer = c.host_older = c.host_newer = nullptr;
  --host.count;
  --idle_count_;
  return std::unique_ptr<NativeConnection>(&c);
}

void ConnectionPool::on_connection_ready(NativeConnection& connection, short) {
  // An idle connection has nothing to say: EOF, an error or unexpected bytes all end it.
  unlink(connection);
}

void ConnectionPool::arm_timer() {
  timer_armed_ = false;
  if (oldest_ == nullptr || timer_ == nullptr) {
    if (timer_ != nullptr) evtimer_del(timer_);
    return;
  }
  const Clock::time_point expires =
      oldest_->idle_since + std::chrono::milliseconds(idle_timeout_ms_);
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
  while (self->oldest_ != nullptr && self->oldest_->idle_since + timeout <= now) {
    self->unlink(*self->oldest_);
  }
  if (std::erase_if(self->hosts_, [](const auto& entry) { return entry.second.count == 0; }) > 0) {
    ++self->generation_;  // connections out may hold erased entries
  }
  self->arm_timer();
}

}  // namespace sluice::upstream
