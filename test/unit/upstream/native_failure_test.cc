// NativeTransport failures: each reported once, after start() returned, with the contract's kind
// and a reason that names no secret.

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "test/unit/upstream/native_fixture.h"

namespace sluice::upstream::test {
namespace {

using runtime::UpstreamFailure;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using Step = ScriptServer::Step;

long elapsed_ms(steady_clock::time_point since, const Recorder& recorder) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(recorder.finished_at - since).count());
}

TEST_F(NativeTest, RefusedConnectIsConnectFailure) {
  Recorder recorder;
  auto call = transport->start(
      request("http://127.0.0.1:" + std::to_string(closed_port()) + "/v1/x"), recorder);
  ASSERT_TRUE(call);
  EXPECT_TRUE(recorder.events.empty());
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect);
  EXPECT_NE(recorder.failure_reason.find("Connection refused"), std::string::npos)
      << recorder.failure_reason;
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(NativeTest, UnknownNameIsConnectFailure) {
  FakeDns dns(loop.base());
  NativeTransportOptions options;
  options.dns.resolv_conf = dns.resolv_conf;
  options.dns.hosts_file = dns.hosts_file;
  auto resolving = make_transport(options);
  Recorder recorder;
  auto call = resolving->start(request("http://no-such-host.test:1/"), recorder);
  ASSERT_TRUE(call);
  EXPECT_TRUE(recorder.events.empty());
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect) << recorder.failure_reason;
  EXPECT_NE(recorder.failure_reason.find("cannot resolve no-such-host.test"), std::string::npos)
      << recorder.failure_reason;
  EXPECT_GE(dns.queries, 1);
}

TEST_F(NativeTest, DnsSetupFailureIsConnectFailure) {
  NativeTransportOptions options;
  options.dns.resolv_conf = "/";  // a directory: evdns cannot read it
  auto broken = make_transport(options);
  Recorder recorder;
  auto call = broken->start(request("http://upstream.test/"), recorder);
  ASSERT_TRUE(call);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect);
  EXPECT_NE(recorder.failure_reason.find("DNS resolver unavailable"), std::string::npos)
      << recorder.failure_reason;
}

TEST_F(NativeTest, NameLookupCoveredByConnectTimeout) {
  NativeTransportOptions options;
  options.dns.resolv_conf = "/nonexistent/resolv.conf";  // 127.0.0.1:53: nothing answers here
  options.dns.hosts_file = "/nonexistent/hosts";
  auto silent = make_transport(options);
  auto r = request("http://quiet.test:1/");
  r.timeouts.connect_ms = 200;
  Recorder recorder;
  auto call = silent->start(r, recorder);
  ASSERT_TRUE(wait(recorder, 10000));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  // Either nothing answers (the connect deadline, which covers the lookup, passes) or something
  // on port 53 says the name does not exist.
  EXPECT_TRUE(recorder.failure_kind == UpstreamFailure::timeout ||
              recorder.failure_kind == UpstreamFailure::connect)
      << recorder.failure_reason;
  // The lookup may still be running: the transport goes with it, and libevent finishes it on the
  // next turn of the loop.
  call.reset();
  silent.reset();
  loop.run_for(20);
}

TEST_F(NativeTest, ConnectTimeout) {
  FullBacklogPort hanging;
  auto r = request("http://127.0.0.1:" + std::to_string(hanging.port()) + "/");
  r.timeouts.connect_ms = 150;
  Recorder recorder;
  const auto started = steady_clock::now();
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout) << recorder.failure_reason;
  EXPECT_NE(recorder.failure_reason.find("connect timeout"), std::string::npos);
  EXPECT_GE(elapsed_ms(started, recorder), 100);
  EXPECT_LT(elapsed_ms(started, recorder), 3000);
}

TEST_F(NativeTest, FirstByteTimeout) {
  auto r = request(origin->url("/hang"));
  r.timeouts.first_byte_ms = 120;
  Recorder recorder;
  const auto started = steady_clock::now();
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout);
  EXPECT_EQ(recorder.failure_reason,
            "no response within 120 ms of sending the request (first-byte timeout)");
  EXPECT_GE(elapsed_ms(started, recorder), 100);
  EXPECT_LT(elapsed_ms(started, recorder), 3000);
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));  // the connection is closed
  EXPECT_EQ(transport->idle_connections(), 0u);
}

TEST_F(NativeTest, IdleTimeoutBetweenChunks) {
  auto r = request(origin->url("/stream/3/400"));
  r.timeouts.idle_ms = 100;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body", "failure"}));
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout);
  EXPECT_EQ(recorder.failure_reason, "no response data for 100 ms (idle timeout)");
}

TEST_F(NativeTest, ChunksFasterThanIdleTimeoutPass) {
  auto r = request(origin->url("/stream/6/30"));
  r.timeouts.idle_ms = 300;
  r.timeouts.first_byte_ms = 300;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
}

TEST_F(NativeTest, TotalTimeout) {
  auto r = request(origin->url("/stream/50/30"));
  r.timeouts.total_ms = 150;
  Recorder recorder;
  const auto started = steady_clock::now();
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events.back(), "failure");
  EXPECT_GE(recorder.chunks.size(), 1u);
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout);
  EXPECT_EQ(recorder.failure_reason, "no complete response within 150 ms (total timeout)");
  EXPECT_GE(elapsed_ms(started, recorder), 100);
}

TEST_F(NativeTest, ZeroTimeoutsSwitchFirstByteAndIdleOff) {
  server->script = {ScriptServer::wait(150),
                    ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")};
  auto r = request(server->url("/"));
  r.timeouts.first_byte_ms = 0;
  r.timeouts.idle_ms = 0;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
}

// Before the first response byte the timer is set no later than the idle deadline would be,
// so it may go off early; that must never end the call with the idle timeout.
TEST_F(NativeTest, FirstByteSlowerThanTheIdleTimeoutIsFine) {
  for (const uint32_t first_byte_ms : {2000u, 0u}) {
    server->script = {ScriptServer::wait(250),
                      ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")};
    auto r = request(server->url("/"));
    r.timeouts.first_byte_ms = first_byte_ms;
    r.timeouts.idle_ms = 100;
    Recorder recorder;
    auto call = transport->start(r, recorder);
    ASSERT_TRUE(wait(recorder));
    EXPECT_EQ(recorder.completed, 1) << first_byte_ms << ": " << recorder.failure_reason;
    EXPECT_EQ(recorder.body(), "ok");
  }
}

TEST_F(NativeTest, FirstByteTimeoutLongerThanTheIdleOneStillApplies) {
  auto r = request(origin->url("/hang"));
  r.timeouts.first_byte_ms = 300;
  r.timeouts.idle_ms = 100;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout);
  EXPECT_EQ(recorder.failure_reason,
            "no response within 300 ms of sending the request (first-byte timeout)");
}

TEST_F(NativeTest, IdleTimeoutAfterAFirstByteThatCameEarly) {
  auto r = request(origin->url("/stream/3/400"));
  r.timeouts.first_byte_ms = 50;
  r.timeouts.idle_ms = 150;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body", "failure"}));
  EXPECT_EQ(recorder.failure_reason, "no response data for 150 ms (idle timeout)");
}

TEST_F(NativeTest, CallsWithDifferentWaitsEachTimeOutOnTheirOwn) {
  // Calls awaiting a response share the transport's wait lines, one per wait length.
  std::vector<std::unique_ptr<Recorder>> recorders;
  std::vector<std::unique_ptr<runtime::UpstreamCall>> calls;
  for (int i = 0; i < 6; ++i) {
    auto r = request(origin->url("/hang"));
    r.timeouts.first_byte_ms = i % 2 == 0 ? 80 : 160;
    recorders.push_back(std::make_unique<Recorder>());
    calls.push_back(transport->start(r, *recorders.back()));
  }
  calls[2].reset();  // destroyed while in line: never heard of again
  ASSERT_TRUE(loop.run_until([&] {
    for (size_t i = 0; i < recorders.size(); ++i) {
      if (i != 2 && !recorders[i]->finished()) return false;
    }
    return true;
  }));
  loop.run_for(50);
  for (size_t i = 0; i < recorders.size(); ++i) {
    if (i == 2) {
      EXPECT_TRUE(recorders[i]->events.empty());
      continue;
    }
    EXPECT_EQ(recorders[i]->failure_kind, UpstreamFailure::timeout) << i;
    EXPECT_EQ(recorders[i]->failure_reason, "no response within " +
                                                std::string(i % 2 == 0 ? "80" : "160") +
                                                " ms of sending the request (first-byte timeout)")
        << i;
  }
}

TEST_F(NativeTest, ResetMidBody) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"),
                    ScriptServer::wait(20), ScriptServer::reset()};
  Recorder recorder;
  auto call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body", "failure"}));
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::reset) << recorder.failure_reason;
}

TEST_F(NativeTest, ShortBodyThenCloseIsReset) {
  Recorder recorder;
  auto call = transport->start(request(origin->url("/short")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events.back(), "failure");
  EXPECT_EQ(recorder.body(), "0123456789");
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::reset);
  EXPECT_NE(recorder.failure_reason.find("before the response ended"), std::string::npos);
}

TEST_F(NativeTest, FreshConnectionClosedWithoutAnswerIsReset) {
  server->script = {ScriptServer::close()};
  Recorder recorder;
  auto call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::reset);
  EXPECT_EQ(server->accepted, 1);  // a fresh connection is not retried
}

TEST_F(NativeTest, TooManyHeaderFieldsIsOther) {
  Recorder recorder;
  auto call = transport->start(request(origin->url("/headers/250/1")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::other);
  EXPECT_EQ(recorder.failure_reason, "response has more than 200 header fields");
}

TEST_F(NativeTest, HeaderBlockTooBigIsOther) {
  Recorder recorder;
  auto call = transport->start(request(origin->url("/headers/10/8000")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::other);
  EXPECT_EQ(recorder.failure_reason, "response header block exceeds 65536 bytes");
}

TEST_F(NativeTest, MalformedResponsesFailWithOther) {
  const std::string cases[] = {
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
      "SSH-2.0-OpenSSH\r\n",
  };
  for (const std::string& wire : cases) {
    server->script = {ScriptServer::send(wire), ScriptServer::hang()};
    Recorder recorder;
    auto call = transport->start(request(server->url("/")), recorder);
    ASSERT_TRUE(wait(recorder)) << wire;
    EXPECT_EQ(recorder.events.back(), "failure") << wire;
    EXPECT_EQ(recorder.failure_kind, UpstreamFailure::other) << wire;
    EXPECT_EQ(transport->idle_connections(), 0u);
  }
}

TEST_F(NativeTest, ReasonsHoldNoSecrets) {
  auto r = request("http://127.0.0.1:" + std::to_string(closed_port()) + "/k?key=sk-query");
  r.headers = {{"Authorization", "Bearer sk-header-secret"}};
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.failure_reason.find("sk-header-secret"), std::string::npos);
  EXPECT_EQ(recorder.failure_reason.find("sk-query"), std::string::npos);
}

TEST_F(NativeTest, DestroyingTheCallInsideFailure) {
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  recorder.on_failure_hook = [&] { call.reset(); };
  call = transport->start(request("http://127.0.0.1:" + std::to_string(closed_port()) + "/"),
                          recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_FALSE(call);
  EXPECT_EQ(transport->live_calls(), 0u);
}

}  // namespace
}  // namespace sluice::upstream::test
