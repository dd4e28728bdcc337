#pragma once
// Scaffolding for the NativeTransport tests: a loopback server that answers every request it
// reads with a script (send bytes, wait, close, reset, hang) and records what it got, and the
// fixture they share (one loop, the scripted origin of upstream_test_support.h, a native
// transport).

#include <gtest/gtest.h>

#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/upstream/native_transport.h"
#include "test/unit/upstream/upstream_test_support.h"

struct event;

namespace sluice::upstream::test {

class ScriptServer {
 public:
  struct Step {
    enum class Kind { send, wait, close, reset, hang };
    Kind kind = Kind::send;
    std::string bytes;
    int ms = 0;
  };
  static Step send(std::string bytes) { return {Step::Kind::send, std::move(bytes), 0}; }
  static Step wait(int ms) { return {Step::Kind::wait, {}, ms}; }
  static Step close() { return {Step::Kind::close, {}, 0}; }
  static Step reset() { return {Step::Kind::reset, {}, 0}; }  // RST (SO_LINGER 0)
  static Step hang() { return {Step::Kind::hang, {}, 0}; }

  explicit ScriptServer(event_base* base);
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(std::string_view path) const;

  // What each request gets (read when the request has arrived; change it between requests).
  std::vector<Step> script;
  std::vector<std::string> requests;  // every request received: head and body, byte for byte
  int accepted = 0;                   // TCP connections accepted
  int closed_by_client = 0;           // connections the client closed (EOF or error)
  int open_connections() const { return static_cast<int>(connections_.size()); }
  // Closes every open connection at once (as an upstream dropping idle ones would).
  void close_all();

  struct Connection;

 private:
  static void on_accept(int fd, short what, void* arg);
  static void on_readable(int fd, short what, void* arg);
  static void on_timer(int fd, short what, void* arg);
  void run(Connection& connection);
  void drop(Connection& connection, bool reset);

  event_base* base_;
  int listen_fd_ = -1;
  event* accept_ev_ = nullptr;
  uint16_t port_ = 0;
  std::list<std::unique_ptr<Connection>> connections_;
};

// A loopback UDP DNS server for evdns: answers A queries for the names in `names` (with
// 127.0.0.1), AAAA queries for them with no records, and NXDOMAIN for anything else. It writes a
// resolv.conf naming itself and an empty hosts file, for ResolverOptions.
class FakeDns {
 public:
  explicit FakeDns(event_base* base);
  ~FakeDns();
  FakeDns(const FakeDns&) = delete;
  FakeDns& operator=(const FakeDns&) = delete;

  std::vector<std::string> names;
  int queries = 0;
  std::string resolv_conf;
  std::string hosts_file;

 private:
  static void on_query(int fd, short what, void* arg);
  int fd_ = -1;
  event* ev_ = nullptr;
  std::string dir_;
};

class NativeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    origin = std::make_unique<Origin>(loop.base());
    server = std::make_unique<ScriptServer>(loop.base());
    transport = make_transport();
  }

  std::unique_ptr<NativeTransport> make_transport(NativeTransportOptions options = {}) {
    std::string error;
    auto made = NativeTransport::create(loop.base(), std::move(options), &error);
    EXPECT_TRUE(made) << error;
    return made;
  }

  runtime::UpstreamRequest request(std::string url, std::string method = "GET") const {
    runtime::UpstreamRequest r;
    r.url = std::move(url);
    r.method = std::move(method);
    return r;
  }

  bool wait(const Recorder& recorder, int timeout_ms = 5000) {
    return loop.run_until([&] { return recorder.finished(); }, timeout_ms);
  }

  Loop loop;
  std::unique_ptr<Origin> origin;
  std::unique_ptr<ScriptServer> server;
  std::unique_ptr<NativeTransport> transport;
};

}  // namespace sluice::upstream::test
