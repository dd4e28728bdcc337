#pragma once
// Host name resolution for the native client without blocking the loop: libevent's evdns
// (nameservers and search domains from resolv_conf, names from hosts_file, which also answers
// "localhost") behind a small positive cache (answers kept ttl_ms, at most max_entries names).
// Concurrent lookups of one name share one query. IP literals never get here.
//
// The evdns base is made on the first lookup (reading the two files once, on the loop); when
// that fails every lookup fails with the reason. Answers list IPv4 addresses before IPv6 ones.
//
// Everything runs on the loop's thread. A waiter is called back from the loop, never from inside
// resolve(); cancel() before destroying a waiter that is still waiting.

#include <event2/util.h>
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct event_base;
struct evdns_base;

namespace sluice::upstream {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

class ResolveWaiter {
 public:
  // `addresses` (ports zero) when the name resolved, else a reason in `error`.
  virtual void on_resolved(const std::vector<SocketAddress>& addresses,
                           const std::string& error) = 0;

 protected:
  ~ResolveWaiter() = default;
};

struct ResolverOptions {
  uint32_t ttl_ms = 30000;
  size_t max_entries = 1024;
  std::string resolv_conf = "/etc/resolv.conf";
  std::string hosts_file = "/etc/hosts";
};

class Resolver {
 public:
  Resolver(event_base* base, ResolverOptions options);
  // Lookups still running are abandoned; their waiters hear nothing, and libevent finishes them
  // (freeing what they hold) on the loop's next turn.
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  enum class Outcome {
    ready,    // *addresses holds the answer (cached, or known at once)
    pending,  // `waiter` will be called back
    failed,   // *error says why
  };
  // `host` is lower-case.
  Outcome resolve(const std::string& host, ResolveWaiter* waiter,
                  std::vector<SocketAddress>* addresses, std::string* error);
  void cancel(const std::string& host, ResolveWaiter* waiter);

  size_t cached_names() const { return cache_.size(); }

 private:
  struct Lookup;
  struct Entry {
    std::vector<SocketAddress> addresses;
    std::chrono::steady_clock::time_point expires;
  };
  using Clock = std::chrono::steady_clock;

  static void on_answer(int result, evutil_addrinfo* answer, void* arg);
  bool ensure_dns(std::string* error);
  // Caches a successful answer; returns the addresses (or the error) in order.
  void record(const std::string& host, int result, evutil_addrinfo* answer,
              std::vector<SocketAddress>* addresses, std::string* error);

  event_base* base_;
  ResolverOptions options_;
  evdns_base* dns_ = nullptr;
  std::string dns_error_;  // why dns_ could not be made (then it stays null)
  std::unordered_map<std::string, Entry> cache_;
  std::unordered_map<std::string, Lookup*> lookups_;  // in flight; each frees itself when done
};

}  // namespace sluice::upstream
