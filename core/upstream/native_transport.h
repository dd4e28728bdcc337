#pragma once
// The native upstream client of one worker: HTTP/1.1 over plain TCP for absolute http:// URLs,
// implementing runtime::UpstreamTransport (core/runtime/upstream.h) without libcurl. It exists for
// cost: a request on a kept-alive connection is one send() of head and body together, then
// epoll_wait and recv() until the response is read, with no epoll_ctl and no allocation beyond
// the call itself. TLS, forward proxies and everything else stay with CurlTransport; the worker
// picks the transport per request.
//
// Pieces: native_request.h (URL and request bytes), native_connection.h (a socket and its one
// persistent event), connection_pool.h (idle keep-alive connections per host:port),
// dns_resolver.h (evdns with a small cache; IP literals skip it), response_parser.h (strict,
// by hand), native_call.h (one exchange and the caller's handle, re-entrancy rules included),
// native_wait_lines.h (the deadlines of calls awaiting a response, without a timer each).
//
// Contract as CurlTransport's: start() never calls back; headers once, body zero or more times,
// then complete or failure; destroying the call cancels it silently. Failures: connect (name
// lookup, TCP connect), timeout (connect_ms covers lookup and connect, 0 meaning 300 s;
// first_byte_ms from sending the request until the first response byte; idle_ms between reads
// after that, stopped while the body is paused; total_ms; 0 switches off all but connect),
// reset (the connection broke or closed after the request went out, before the response ended),
// other (malformed response, over a bound, 101). Reasons name host and port, never header
// values.
//
// Bounds: at most max_calls calls running at once (start() returns nullptr beyond); idle
// connections max_idle_per_host per host:port for idle_timeout_ms; response header blocks of
// max_header_bytes bytes and max_header_count fields. Memory: one read buffer per transport
// (bytes are parsed as they are read; only a paused call keeps what it had read), so a running
// call costs its request bytes until the response begins, its connection, and its parser state.
//
// Everything runs on the loop's thread. The transport may be destroyed with calls out: they end
// silently and destroying them later is harmless. It must not be destroyed from inside one of its
// own callbacks.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/upstream.h"
#include "core/upstream/connection_pool.h"
#include "core/upstream/dns_resolver.h"
#include "core/upstream/native_request.h"
#include "core/upstream/native_wait_lines.h"
#include "core/upstream/response_parser.h"

struct event_base;

namespace sluice::upstream {

class NativeCall;

struct NativeTransportOptions {
  size_t max_calls = 10000;
  size_t max_idle_per_host = 64;
  uint32_t idle_timeout_ms = 60000;
  size_t max_header_bytes = 64 * 1024;
  size_t max_header_count = 200;
  ResolverOptions dns;  // 30 s positive cache of 1024 names, /etc/resolv.conf, /etc/hosts
};

class NativeTransport final : public runtime::UpstreamTransport {
 public:
  // nullptr and a reason in *error when the transport cannot be set up. `base` must outlive it.
  static std::unique_ptr<NativeTransport> create(event_base* base, NativeTransportOptions options,
                                                 std::string* error);
  ~NativeTransport() override;
  NativeTransport(const NativeTransport&) = delete;
  NativeTransport& operator=(const NativeTransport&) = delete;

  // nullptr when the URL is not an absolute http:// URL this client sends, the method or a header
  // cannot be sent, or max_calls calls are running; last_start_error() says which.
  std::unique_ptr<runtime::UpstreamCall> start(const runtime::UpstreamRequestView& request,
                                               runtime::UpstreamCallbacks& callbacks) override;
  const std::string& last_start_error() const { return last_start_error_; }

  size_t live_calls() const { return live_calls_; }
  size_t idle_connections() const { return pool_.idle(); }
  // TCP connections started so far (tests: reuse).
  uint64_t connections_opened() const { return connections_opened_; }

 private:
  friend class NativeCall;
  static constexpr size_t kReadBufferSize = 64 * 1024;

  NativeTransport(event_base* base, NativeTransportOptions options);
  void link(NativeCall* call);
  void unlink(NativeCall* call);
  // The parsed form of `url` (nullptr and last_start_error_ when it is not one this client
  // sends), from a small cache: a worker sends to a handful of deployment URLs, and parsing one
  // costs more than the rest of starting a call. Calls share the cached value.
  std::shared_ptr<const HttpUrl> parsed_url(std::string_view url);

  event_base* base_;
  NativeTransportOptions options_;
  Resolver resolver_;
  ConnectionPool pool_;
  WaitLines waits_;  // deadlines of calls awaiting a response
  ResponseParser::Limits parser_limits_;
  std::unique_ptr<char[]> read_buffer_;  // shared: each read is parsed before the next
  NativeCall* calls_ = nullptr;          // running calls, a list through NativeCall::next
  size_t live_calls_ = 0;
  uint64_t connections_opened_ = 0;
  std::string last_start_error_;
  struct ParsedUrl {
    std::string text;
    std::shared_ptr<const HttpUrl> url;
  };
  static constexpr size_t kUrlCacheSize = 16;
  std::vector<ParsedUrl> url_cache_;  // valid URLs only; replaced round-robin when full
  size_t url_cache_next_ = 0;
};

}  // namespace sluice::upstream
