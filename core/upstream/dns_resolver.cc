// evdns lookups behind a small positive cache (see dns_resolver.h).

#include "core/upstream/dns_resolver.h"

#include <event2/dns.h>
#include <event2/util.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace sluice::upstream {

// One query in flight. Owned by itself: evdns calls on_answer exactly once (with an error when
// its base is freed first), and that frees it. `resolver` is null once the resolver is gone.
struct Resolver::Lookup {
  Resolver* resolver = nullptr;
  std::string host;
  std::vector<ResolveWaiter*> waiters;
  // Set while evdns_getaddrinfo runs: an answer arriving inside it (hosts file) is kept here.
  bool starting = true;
  bool answered = false;
  int result = 0;
  evutil_addrinfo* answer = nullptr;
};

Resolver::Resolver(event_base* base, ResolverOptions options)
    : base_(base), options_(std::move(options)) {}

Resolver::~Resolver() {
  for (auto& [host, lookup] : lookups_) {
    lookup->resolver = nullptr;
    lookup->waiters.clear();
  }
  lookups_.clear();
  // Not evdns_getaddrinfo_cancel: its callback is deferred and would reach into the freed base.
  // Failing the requests at shutdown instead makes libevent answer each lookup with an error on
  // the loop's next turn without touching the base, and on_answer frees it then.
  if (dns_ != nullptr) evdns_base_free(dns_, 1);
}

bool Resolver::ensure_dns(std::string* error) {
  if (dns_ != nullptr) return true;
  if (!dns_error_.empty()) {
    *error = dns_error_;
    return false;
  }
  // Not made in the constructor: a worker that never resolves a name never reads the files, and
  // DISABLE_WHEN_INACTIVE keeps idle nameserver sockets from holding the loop open.
  dns_ = evdns_base_new(base_, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
  if (dns_ == nullptr) {
    dns_error_ = "DNS resolver unavailable: evdns could not be initialised";
    *error = dns_error_;
    return false;
  }
  const int parsed = evdns_base_resolv_conf_parse(dns_, DNS_OPTIONS_ALL & ~DNS_OPTION_HOSTSFILE,
                                                  options_.resolv_conf.c_str());
  // 0: read; 1: no such file and 6: no nameserver in it (both fall back to 127.0.0.1, like libc).
  if (parsed != 0 && parsed != 1 && parsed != 6) {
    evdns_base_free(dns_, 0);
    dns_ = nullptr;
    dns_error_ = "DNS resolver unavailable: cannot read " + options_.resolv_conf;
    *error = dns_error_;
    return false;
  }
  if (evdns_base_load_hosts(dns_, options_.hosts_file.c_str()) != 0) {
    evdns_base_load_hosts(dns_, nullptr);  // at least localhost
  }
  return true;
}

Resolver::Outcome Resolver::resolve(const std::string& host, ResolveWaiter* waiter,
                                    std::vector<SocketAddress>* addresses, std::string* error) {
  const Clock::time_point now = Clock::now();
  if (auto hit = cache_.find(host); hit != cache_.end()) {
    if (hit->second.expires > now) {
      *addresses = hit->second.addresses;
      return Outcome::ready;
    }
    cache_.erase(hit);
  }
  if (auto running = lookups_.find(host); running != lookups_.end()) {
    running->second->waiters.push_back(waiter);
    return Outcome::pending;
  }
  if (!ensure_dns(error)) return Outcome::failed;

  auto lookup = std::make_unique<Lookup>();
  lookup->resolver = this;
  lookup->host = host;
  evutil_addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  Lookup* raw = lookup.release();
  // The request handle is not kept: lookups are never cancelled (see ~Resolver and cancel()).
  evdns_getaddrinfo(dns_, host.c_str(), nullptr, &hints, &Resolver::on_answer, raw);
  raw->starting = false;
  if (raw->answered) {
    // Answered inside evdns_getaddrinfo (hosts file, or an immediate error).
    std::unique_ptr<Lookup> done(raw);
    record(host, done->result, done->answer, addresses, error);
    return error->empty() ? Outcome::ready : Outcome::failed;
  }
  raw->waiters.push_back(waiter);
  lookups_.emplace(host, raw);
  return Outcome::pending;
}

void Resolver::cancel(const std::string& host, ResolveWaiter* waiter) {
  auto running = lookups_.find(host);
  if (running == lookups_.end()) return;
  std::vector<ResolveWaiter*>& waiters = running->second->waiters;
  waiters.erase(std::remove(waiters.begin(), waiters.end(), waiter), waiters.end());
  // The query runs on: its answer fills the cache for the next call.
}

void Resolver::on_answer(int result, evutil_addrinfo* answer, void* arg) {
  auto* lookup = static_cast<Lookup*>(arg);
  if (lookup->starting) {
    lookup->answered = true;
    lookup->result = result;
    lookup->answer = answer;
    return;
  }
  std::unique_ptr<Lookup> done(lookup);
  Resolver* resolver = done->resolver;
  if (resolver == nullptr) {
    if (answer != nullptr) evutil_freeaddrinfo(answer);
    return;
  }
  resolver->lookups_.erase(done->host);
  std::vector<SocketAddress> addresses;
  std::string error;
  resolver->record(done->host, result, answer, &addresses, &error);
  // No waiter's callback starts or ends lookups of this name synchronously, but it may cancel
  // others: walk a copy.
  const std::vector<ResolveWaiter*> waiters = std::move(done->waiters);
  for (ResolveWaiter* waiter : waiters) waiter->on_resolved(addresses, error);
}

void Resolver::record(const std::string& host, int result, evutil_addrinfo* answer,
                      std::vector<SocketAddress>* addresses, std::string* error) {
  addresses->clear();
  error->clear();
  for (const evutil_addrinfo* ai = answer; ai != nullptr; ai = ai->ai_next) {
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) || ai->ai_addr == nullptr ||
        ai->ai_addrlen > sizeof(sockaddr_storage)) {
      continue;
    }
    SocketAddress address;
    std::memcpy(&address.storage, ai->ai_addr, ai->ai_addrlen);
    address.length = static_cast<socklen_t>(ai->ai_addrlen);
    addresses->push_back(address);
  }
  if (answer != nullptr) evutil_freeaddrinfo(answer);
  std::stable_sort(addresses->begin(), addresses->end(),
                   [](const SocketAddress& a, const SocketAddress& b) {
                     return a.storage.ss_family == AF_INET && b.storage.ss_family != AF_INET;
                   });
  if (result != 0 || addresses->empty()) {
    addresses->clear();
    *error = "cannot resolve " + host + ": " +
             (result != 0 ? evutil_gai_strerror(result) : "no IPv4 or IPv6 address");
    return;
  }
  const Clock::time_point now = Clock::now();
  if (cache_.size() >= options_.max_entries) {
    std::erase_if(cache_, [now](const auto& item) { return item.second.expires <= now; });
    if (cache_.size() >= options_.max_entries) cache_.erase(cache_.begin());
  }
  cache_[host] = Entry{*addresses, now + std::chrono::milliseconds(options_.ttl_ms)};
}

}  // namespace sluice::upstream
