#pragma once
// FakeServer: a whole fake-llm instance — N workers, each a thread with its own event_base, its
// own FakeHandler and its own SO_REUSEPORT listener on the same port — sharing one SharedState.
// Used by main.cc and, in-process, by the tests.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/http/limits.h"
#include "tools/fake-llm/bedrock_auth.h"
#include "tools/fake-llm/shared_state.h"

struct event;
struct event_base;

namespace sluice::http {
class Listener;
}

namespace fake_llm {

class FakeHandler;

inline constexpr unsigned kMaxWorkers = 256;

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
  uint16_t port = 0;               // 0: a free port
  unsigned workers = 1;
  bool log_requests = true;
  bool verbose = false;
  uint32_t embedding_dim = 8;
  AwsKeyPair aws_keys;  // empty: Bedrock signatures are not checked
  sluice::http::ServerLimits limits;
  // Keys the provider routes insist on (empty: any non-empty key).
  std::string anthropic_key;
  std::string azure_key;
  std::string gemini_key;
  // The PEM public key (or certificate) Vertex AI's JWTs must verify against; empty: JWT
  // signatures are not checked.
  std::string google_public_key_pem;
};

class FakeServer {
 public:
  explicit FakeServer(ServerOptions options);
  ~FakeServer();  // stops if still running
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // Binds every worker's listener (on the calling thread, so errors surface here), then starts
  // the worker threads. False with *error when binding fails.
  bool start(std::string* error);
  // Closes the listeners and every connection (in-flight requests are aborted) and joins the
  // workers. Idempotent.
  void stop();

  uint16_t port() const { return shared_.port.load(); }
  SharedState& shared() { return shared_; }

 private:
  struct Worker;
  static void stop_cb(int fd, short what, void* arg);

  ServerOptions options_;
  SharedState shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  bool running_ = false;
};

}  // namespace fake_llm
