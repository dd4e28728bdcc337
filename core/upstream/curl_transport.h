#pragma once
// The upstream HTTP client of one worker: a libcurl multi handle driven by the worker's libevent
// loop, implementing runtime::UpstreamTransport (core/runtime/upstream.h).
//
// Wiring: libcurl's socket callback keeps one persistent libevent event per socket (re-armed when
// libcurl changes what it waits for, freed when it forgets the socket), its timer callback one
// timer event; readiness and timeouts go to curl_multi_socket_action, and finished transfers are
// collected with curl_multi_info_read after each action. Nothing blocks the loop: libcurl resolves
// names on its resolver threads (create() refuses a libcurl without asynchronous DNS) and never
// uses signals.
//
// Connections are reused per worker (the multi handle's cache, CURLMOPT_MAXCONNECTS); HTTP/2 is
// used when a TLS upstream offers it (and streams multiplex), HTTP/1.1 otherwise. Redirects are
// not followed. Proxies come from the environment, read once in create() (see proxy_env.h);
// guarded calls (request.isolated) go direct on a connection of their own (transfer.h).
//
// Requests go out as request_prep.h describes. Responses: header lines are parsed as they arrive
// (response_head.h; interim 1xx responses are dropped), on_upstream_headers comes once at the end
// of the final block, on_upstream_body once per chunk libcurl reads, trailers are dropped. TLS:
// peer and host name are verified unless verify_tls is false; ca_file replaces the system bundle.
// libcurl builds the CA store once per transport and CA file and caches it, so only the first TLS
// connection of a worker (per CA file) parses the bundle, on the loop.
//
// Re-entrancy: libcurl forbids multi-handle calls from inside its callbacks, and callers may
// start, pause, resume or destroy calls from inside any UpstreamCallbacks method. So start() only
// prepares the easy handle, and adding it, resuming a paused one and removing a cancelled one
// happen in a deferred event (event_active) on this loop. A destroyed call is silenced at once;
// its easy handle stays with the transport until that event removes and frees it. Callbacks never
// arrive inside start(), pause_body() or resume_body().
//
// Timeouts (request.timeouts): connect_ms is libcurl's connect timeout (DNS, TCP, proxy tunnel,
// TLS; 0: libcurl's default of 300 s); total_ms libcurl's whole-transfer timeout (0: none). The
// first-byte deadline (from libcurl being about to send the request, restarted once the whole
// body is handed over, until the first response header byte) and the idle deadline (the longest
// silence after that, reset by every header line and body chunk, stopped while the caller has
// the body paused) are the call's own libevent timer; 0 switches either off. Every timeout is
// failure `timeout`.
//
// Bounds: at most max_calls calls at once (start() returns nullptr beyond it), response header
// blocks of at most max_header_bytes bytes and max_header_count fields (else failure `other`).
//
// Everything runs on the loop's thread. The transport may be destroyed with calls still out
// (worker shutdown): they are cancelled silently and their handles detached, so destroying them
// later is harmless. It must not be destroyed from inside one of its own callbacks.

#include <curl/curl.h>
#include <event2/util.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/runtime/upstream.h"
#include "core/upstream/proxy_env.h"
#include "core/upstream/transfer.h"

struct event;
struct event_base;

namespace sluice::upstream {

struct CurlTransportOptions {
  size_t max_calls = 10000;         // calls at once, cancelled ones not yet freed included
  long max_idle_connections = 256;  // CURLMOPT_MAXCONNECTS: connections kept for reuse
  size_t max_header_bytes = 64 * 1024;
  size_t max_header_count = 200;
};

class CurlTransport final : public runtime::UpstreamTransport, private TransferOwner {
 public:
  // nullptr and a reason in *error when libcurl cannot be set up (or lacks asynchronous DNS).
  // `base` must outlive the transport.
  static std::unique_ptr<CurlTransport> create(event_base* base, CurlTransportOptions options,
                                               std::string* error);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // nullptr when the URL is not absolute http(s), the method or a header cannot be sent, or
  // max_calls calls are out; last_start_error() says which.
  std::unique_ptr<runtime::UpstreamCall> start(const runtime::UpstreamRequestView& request,
                                               runtime::UpstreamCallbacks& callbacks) override;
  const std::string& last_start_error() const { return last_start_error_; }

  // Calls whose easy handle the transport still holds (cancelled ones until they are freed).
  size_t live_calls() const { return transfers_.size(); }
  // Sockets libcurl currently has the loop watch (tests).
  size_t watched_sockets() const { return sockets_.size(); }

 private:
  friend class CurlCall;

  CurlTransport(event_base* base, CurlTransportOptions options);

  // From CurlCall.
  void cancel(Transfer& transfer);
  void pause(Transfer& transfer);
  void resume(Transfer& transfer);

  // libcurl's multi callbacks, and the events they drive.
  static int socket_cb(CURL* easy, curl_socket_t fd, int what, void* arg, void* socket_arg);
  static int timer_cb(CURLM* multi, long timeout_ms, void* arg);
  static void on_socket(evutil_socket_t fd, short what, void* arg);
  static void on_timer(evutil_socket_t fd, short what, void* arg);
  static void on_deferred(evutil_socket_t fd, short what, void* arg);
  int watch_socket(curl_socket_t fd, int what);

  void schedule_deferred();
  void run_deferred();
  void collect_finished();
  Transfer* find(uint64_t id);
  // Removes the easy handle (when added), frees the transfer, then reports the outcome unless the
  // call was cancelled. Only outside libcurl's callbacks.
  void finish(Transfer& transfer, CURLcode code);
  void destroy(Transfer& transfer);
  void on_transfer_deadline(Transfer& transfer) override;

  event_base* base_;
  CurlTransportOptions options_;
  ProxyEnvironment proxy_;
  CURLM* multi_ = nullptr;
  event* timer_ev_ = nullptr;
  event* deferred_ev_ = nullptr;
  std::unordered_map<curl_socket_t, event*> sockets_;
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> transfers_;
  uint64_t next_id_ = 1;
  // Work for the deferred event, by transfer id (an id is never reused; a freed one is skipped).
  std::vector<uint64_t> to_add_;
  std::vector<uint64_t> to_resume_;
  std::vector<uint64_t> to_remove_;
  std::string last_start_error_;
};

}  // namespace sluice::upstream
