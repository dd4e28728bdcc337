#pragma once
// Test scaffolding for the HTTP server tests: an event loop on a helper thread, a Listener with a
// small scripted RequestHandler, blocking socket clients (plain and TLS) that read responses, and
// a self-signed certificate generated at run time.

#include <event2/event.h>
#include <openssl/ssl.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/http/exchange.h"
#include "core/http/limits.h"
#include "core/http/listener.h"
#include "core/http/message.h"

namespace sluice::http::test {

// An event_base running on its own thread until destruction.
class LoopThread {
 public:
  LoopThread();
  ~LoopThread();
  event_base* base() const { return base_; }
  // Runs `fn` on the loop thread and waits for it.
  void run(const std::function<void()>& fn);

 private:
  event_base* base_;
  std::thread thread_;
};

// Counters the scripted handler keeps (read from the test thread).
struct HandlerStats {
  std::atomic<int> started{0};
  std::atomic<int> aborted{0};
  std::atomic<int> destroyed{0};
  std::atomic<int> misuse{
      0};  // the exchange was destroyed inside its own sink call, or aborted twice
  std::atomic<int> drained{0};
};

// Answers by path:
//   /echo (and anything unknown)  200, body "<METHOD> <target>\n<body>", at once
//   /delay/<ms>                   200 "delayed <target>" after <ms>
//   /stream/<n>                   chunked, n pieces "piece-<i>\n" 5 ms apart
//   /sync-stream                  chunked, three pieces written inside start()
//   /length/<n>                   send_head with content-length n, then n bytes of 'x' in two parts
//   /hang                         never answers (until the client goes away)
//   /unanswered                   returns nullptr without answering
//   /throw                        throws from start()
//   /status/<code>                send_head(code, end_stream)
//   /big/<bytes>                  one response body of <bytes> bytes, written at once
//   /flood/<n>                    chunked, n pieces of 16 KiB, paced by buffered_bytes() and
//                                 ResponseDrainListener (pauses above 64 KiB queued)
class ScriptedHandler : public RequestHandler {
 public:
  ScriptedHandler(event_base* base, HandlerStats* stats) : base_(base), stats_(stats) {}
  std::unique_ptr<Exchange> start(Request request, ResponseSink& sink) override;
  // The last request seen (loop thread only; read it through LoopThread::run).
  Request last_request;

 private:
  event_base* base_;
  HandlerStats* stats_;
};

// Fast timeouts for tests.
ServerLimits test_limits();

// A listener on 127.0.0.1:0 (or `address`) served by ScriptedHandler on a LoopThread.
class TestServer {
 public:
  explicit TestServer(ServerLimits limits = test_limits(), SSL_CTX* tls = nullptr,
                      std::string address = "127.0.0.1");
  ~TestServer();
  uint16_t port() const { return port_; }
  LoopThread& loop() { return *loop_; }
  HandlerStats& stats() { return stats_; }
  // Runs `fn` with the listener on the loop thread.
  void with_listener(const std::function<void(Listener&)>& fn);
  size_t connection_count();
  Request last_request();

 private:
  HandlerStats stats_;
  std::unique_ptr<LoopThread> loop_;
  std::unique_ptr<ScriptedHandler> handler_;
  std::unique_ptr<Listener> listener_;
  uint16_t port_ = 0;
};

struct ClientResponse {
  int status = 0;
  Headers headers;  // lower-case names
  std::string body;
  bool chunked = false;
  const std::string* header(std::string_view name) const { return find_header(headers, name); }
};

// A blocking client socket (optionally TLS) with receive timeouts.
class Client {
 public:
  explicit Client(uint16_t port, const std::string& host = "127.0.0.1", SSL_CTX* tls = nullptr);
  ~Client();
  bool connected() const { return fd_ >= 0 && (tls_ == nullptr || ssl_ != nullptr); }
  const std::string& tls_error() const { return tls_error_; }
  bool send(std::string_view bytes);
  // One response (a 1xx interim response is returned as such). nullopt on close/timeout first.
  std::optional<ClientResponse> read_response(bool head_request = false);
  // Reads until the server closes; false on timeout. Bytes read are appended to *rest if given.
  bool wait_closed(int timeout_ms = 3000, std::string* rest = nullptr);
  // Whether any byte (or EOF) arrives within `ms`.
  bool readable_within(int ms);
  void shutdown_write();
  void reset();  // close with RST
  void close();
  int fd() const { return fd_; }

 private:
  bool fill(int timeout_ms);  // reads more into buffer_; false on EOF/timeout/error
  bool read_exact(size_t n, std::string* out);
  bool read_line(std::string* out);

  int fd_ = -1;
  SSL_CTX* tls_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string tls_error_;
  std::string buffer_;
};

// The whole exchange: connect, send `request`, read one response (nullopt on failure).
std::optional<ClientResponse> roundtrip(uint16_t port, std::string_view request);

// True when `body` is {"error":{"message":<string>,"type":<string>,"param":null,"code":...}}.
bool is_openai_error(const std::string& body);

// A self-signed certificate and key for "localhost" in a fresh temporary folder.
struct TempCert {
  TempCert();
  ~TempCert();
  std::string dir;
  std::string cert_file;
  std::string key_file;
  std::string other_key_file;  // a key that does not match cert_file
};

}  // namespace sluice::http::test
