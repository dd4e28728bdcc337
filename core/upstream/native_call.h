#pragma once
// One exchange of the native HTTP/1.1 client, and the handle start() gives the caller
// (runtime::UpstreamCall): gets a connection (an idle one from the pool, else resolve and
// connect), sends the request in one send(), parses the response as it is read and hands it to
// the callbacks, then gives the connection back to the pool or closes it.
//
// Re-entrancy: callers may pause, resume or destroy the call, and start others, from inside any
// callback. So callbacks are made only from the loop (socket readiness, the call's timer event,
// which also runs deferred work via event_active, or the end of its wait in the transport's wait
// line, native_wait_lines.h), every callback is the last thing its caller does with the call's
// state unless a guard on the stack says the call still exists, and failures found outside
// those places (in start(), or while connecting) are reported from the timer event. Nothing is
// parsed while the body is paused: bytes read before the pause wait in a buffer of the call's own
// and are parsed after resume_body(), from the timer event.
//
// A connection that came from the pool and breaks before any response byte arrived (the upstream
// closed it while idle) is replaced by a fresh connection once, and the request sent again.
//
// A guarded call (CallGuard, from the request's isolated / public_addresses_only) never takes a
// pooled connection nor gives its own back, and with public_only connects only to addresses
// public_address.h calls public: the address checked is the one connect() is given, so a name
// that resolves to an internal address is refused however it resolved.

#include <event2/event_struct.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/block_cache.h"
#include "core/runtime/upstream.h"
#include "core/upstream/dns_resolver.h"
#include "core/upstream/native_connection.h"
#include "core/upstream/native_request.h"
#include "core/upstream/native_wait_lines.h"
#include "core/upstream/response_parser.h"

namespace sluice::upstream {

class NativeTransport;

struct CallGuard {
  bool isolated = false;     // a fresh connection, closed afterwards
  bool public_only = false;  // connect only to public unicast addresses
};

class NativeCall final : public runtime::UpstreamCall,
                         private ConnectionOwner,
                         private ResolveWaiter,
                         private WaitLines::Member,
                         private runtime::BlockCache<NativeCall> {
 public:
  // One is made and destroyed per request: the block is reused (core/runtime/block_cache.h).
  using runtime::BlockCache<NativeCall>::operator new;
  using runtime::BlockCache<NativeCall>::operator delete;

  NativeCall(NativeTransport& transport, runtime::UpstreamCallbacks& callbacks,
             std::shared_ptr<const HttpUrl> url, std::string request_bytes, bool head_request,
             runtime::UpstreamTimeouts timeouts, CallGuard guard = {});
  // Cancels at once and silently: the connection is closed (a half-read one never goes back to
  // the pool), a name lookup forgotten, and no callback comes after this returns.
  ~NativeCall() override;
  NativeCall(const NativeCall&) = delete;
  NativeCall& operator=(const NativeCall&) = delete;

  // Stop reading the connection (the response headers still come) and start again. Neither
  // calls back from inside.
  void pause_body() override;
  void resume_body() override;

  // For the transport. begin(): start the exchange (from start(); never calls back). detach():
  // the transport is going away; end silently, after which the handle does nothing.
  void begin();
  void detach();

  // The transport's list of running calls.
  NativeCall* prev = nullptr;
  NativeCall* next = nullptr;

 private:
  using Clock = std::chrono::steady_clock;
  enum class State {
    resolving,   // waiting for the resolver
    connecting,  // a fresh connection's connect is under way
    exchanging,  // sending the request and/or reading the response
    failing,     // a failure waits to be reported from the timer event
    finished,    // reported (or cancelled, or detached): holds nothing
  };

  void on_connection_ready(NativeConnection& connection, short what) override;
  void on_resolved(const std::vector<SocketAddress>& addresses, const std::string& error) override;
  void on_wait_over() override;
  static void on_timer(int fd, short what, void* arg);

  void open_connection();
  void connect_next();
  void start_exchange();
  // False when the call ended or was destroyed (touch nothing then).
  bool send_more();
  bool read_some();
  void read_eof();
  bool process(const char* data, size_t length);
  bool deliver_held();
  void hold(std::string_view rest);
  void connection_broke(int error_number);

  void complete(bool clean_end);
  // Ends the exchange (closes the connection, stops a lookup) and records why.
  void stop(runtime::UpstreamFailure kind, std::string reason);
  // stop() and report from the timer event.
  void fail(runtime::UpstreamFailure kind, std::string reason);
  void report_failure();
  // Leaves the transport's list and stops the timer: the call is finished.
  void release();

  bool reading_paused() const { return paused_ && headers_delivered_; }
  bool request_sent() const { return sent_ == request_.size(); }
  bool check_deadlines();
  // The request has left: the wait for the response goes in the transport's line.
  void wait_for_response();
  void arm_timer();
  // Runs on_timer from the loop soon (deferred work).
  void activate_timer();

  NativeTransport* transport_;
  runtime::UpstreamCallbacks* callbacks_;
  std::shared_ptr<const HttpUrl> url_;  // shared with the transport's URL cache
  std::string request_;  // request line, headers and body; freed once the response has begun
  size_t sent_ = 0;
  bool head_request_;
  runtime::UpstreamTimeouts timeouts_;
  CallGuard guard_;

  State state_ = State::resolving;
  std::unique_ptr<NativeConnection> connection_;
  std::vector<SocketAddress> addresses_;
  size_t next_address_ = 0;
  std::string connect_error_;     // the last connect failure, for the reason
  size_t refused_addresses_ = 0;  // skipped by guard_.public_only
  ResponseParser parser_;

  bool reused_ = false;   // the connection came from the pool
  bool retried_ = false;  // the one retry on a fresh connection was used
  bool response_started_ = false;
  bool headers_delivered_ = false;
  bool paused_ = false;
  bool resume_pending_ = false;    // the timer event delivers what is held
  bool complete_pending_ = false;  // the response ended while paused
  std::string held_;               // bytes read but not parsed while paused

  runtime::UpstreamFailure failure_kind_ = runtime::UpstreamFailure::other;
  std::string failure_reason_;
  bool* alive_ = nullptr;  // a guard on the stack while a callback runs; cleared by ~NativeCall

  // The call's own timer event, in place and set up on first use (no allocation per call): the
  // deadlines the wait line does not cover, and deferred work through event_active. timer_used_:
  // added or activated since the last event_del. timer_activated_: activated and its callback
  // not run yet; libevent drops such an activation if the timer is added again meanwhile
  // (event_add with a timeout takes a timed-out event off the active list), so arm_timer leaves
  // it alone then: the callback arms it when it runs.
  event* timer();
  event timer_{};
  bool timer_ready_ = false;
  bool timer_used_ = false;
  bool timer_armed_ = false;
  bool timer_activated_ = false;
  Clock::time_point timer_at_;
  Clock::time_point started_at_;
  Clock::time_point connect_started_at_;
  Clock::time_point request_started_at_;  // restarted when the last request byte left
  Clock::time_point last_read_at_;
};

}  // namespace sluice::upstream
