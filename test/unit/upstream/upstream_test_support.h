#pragma once
// Test scaffolding for the upstream client: everything runs on one event_base driven by the test
// thread (the transport under test and the servers it talks to). A recording UpstreamCallbacks
// with hooks, a scripted origin on the project's own HTTP server (core/http Listener), a raw
// loopback server that records request heads byte for byte (also used as a forward proxy), a
// port nobody listens on, a port whose accept queue is full (connects hang), and a self-signed
// certificate made with the OpenSSL API.

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/exchange.h"
#include "core/http/listener.h"
#include "core/http/message.h"
#include "core/runtime/upstream.h"

struct evconnlistener;

namespace sluice::upstream::test {

// An event_base run by the caller's thread in bounded slices.
class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  event_base* base() const { return base_; }
  // Runs the loop until `done` holds (checked after every loop iteration); false on timeout.
  bool run_until(const std::function<bool()>& done, int timeout_ms = 5000);
  // Runs the loop for `ms`.
  void run_for(int ms);

 private:
  event_base* base_;
};

// Records every callback in order; optional hooks run inside the callbacks (after recording).
class Recorder : public runtime::UpstreamCallbacks {
 public:
  void on_upstream_headers(int status, http::Headers headers) override;
  void on_upstream_body(std::string_view data) override;
  void on_upstream_complete() override;
  void on_upstream_failure(runtime::UpstreamFailure kind, std::string reason) override;

  bool finished() const { return completed + failed > 0; }
  std::string body() const;
  const std::string* header(std::string_view name) const {
    return http::find_header(headers, name);
  }

  std::vector<std::string> events;  // "headers", "body", "complete", "failure", in order
  int header_calls = 0;
  int completed = 0;
  int failed = 0;
  int status = 0;
  http::Headers headers;
  std::vector<std::string> chunks;
  runtime::UpstreamFailure failure_kind = runtime::UpstreamFailure::other;
  std::string failure_reason;
  std::chrono::steady_clock::time_point finished_at{};

  std::function<void()> on_headers_hook;
  std::function<void(std::string_view)> on_body_hook;
  std::function<void()> on_complete_hook;
  std::function<void()> on_failure_hook;
};

// The scripted origin. Paths:
//   /echo                 200, x-test: yes, body "<METHOD> <target>\n<body>" (also any other path)
//   /delay/<ms>           200 "delayed" after <ms>
//   /stream/<n>/<gap>     chunked: head and "piece-0\n" at once, then "piece-<i>\n" every <gap> ms
//   /hang                 never answers
//   /short                content-length 100, then 10 bytes and the server closes
//   /headers/<n>/<size>   200 with <n> extra fields "x-h<i>: <size bytes>"
//   /status/<code>        that status, empty body
class Origin : public http::RequestHandler {
 public:
  explicit Origin(event_base* base, SSL_CTX* tls = nullptr, http::ServerLimits limits = {});
  ~Origin() override;
  uint16_t port() const { return port_; }
  std::string url(std::string_view path) const;
  std::unique_ptr<http::Exchange> start(http::Request request, http::ResponseSink& sink) override;
  http::Listener& listener() { return *listener_; }

  std::vector<http::Request> requests;
  std::set<std::string> peers;  // distinct client "ip:port": one per TCP connection
  int aborted = 0;              // exchanges the client left before the response ended
  int pieces_sent = 0;          // /stream pieces written so far (all streams)

 private:
  event_base* base_;
  bool tls_;
  std::unique_ptr<http::Listener> listener_;
  uint16_t port_ = 0;
};

// A loopback server that reads one request head per connection, records it verbatim, and
// answers with `response` (by default "200 proxied" with connection: close), then closes: a
// forward proxy for absolute-form requests, or a raw origin for checking header bytes on the
// wire.
class RawServer {
 public:
  explicit RawServer(event_base* base);
  ~RawServer();
  uint16_t port() const { return port_; }
  std::vector<std::string> heads;
  // What every connection gets back.
  std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nproxied";

 private:
  static void accept_cb(evconnlistener* listener, int fd, struct sockaddr* address, int length,
                        void* arg);
  event_base* base_;
  evconnlistener* listener_ = nullptr;
  uint16_t port_ = 0;
};

// A loopback port with nothing listening (connect is refused).
uint16_t closed_port();

// A loopback port whose listener never accepts and whose accept queue is full: a connect to it
// hangs until the client gives up.
class FullBacklogPort {
 public:
  FullBacklogPort();
  ~FullBacklogPort();
  uint16_t port() const { return port_; }

 private:
  int listen_fd_ = -1;
  std::vector<int> clients_;
  uint16_t port_ = 0;
};

// A self-signed certificate (CN localhost, subjectAltName DNS:localhost and IP:127.0.0.1) with
// its key, in a fresh temporary folder.
struct TempCert {
  TempCert();
  ~TempCert();
  std::string dir;
  std::string cert_file;
  std::string key_file;
};

// Sets (or with nullptr unsets) an environment variable for the lifetime of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value);
  ~ScopedEnv();

 private:
  std::string name_;
  bool had_ = false;
  std::string old_;
};

// Unsets every proxy variable libcurl or the transport would read.
void clear_proxy_environment();

}  // namespace sluice::upstream::test
