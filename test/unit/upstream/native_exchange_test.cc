// NativeTransport exchanges: round trips against the scripted origin, request bytes on the wire,
// response framings, interim responses, connection reuse and its limits, name resolution, and
// the transport's own bounds and shutdown.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "test/unit/upstream/native_fixture.h"

namespace sluice::upstream::test {
namespace {

using runtime::UpstreamFailure;
using Step = ScriptServer::Step;

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

TEST_F(NativeTest, GetRoundTrip) {
  Recorder recorder;
  auto call = transport->start(request(origin->url("/echo?x=1")), recorder);
  ASSERT_TRUE(call) << transport->last_start_error();
  EXPECT_TRUE(recorder.events.empty());  // never inside start()
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.events.front(), "headers");
  EXPECT_EQ(recorder.events.back(), "complete");
  EXPECT_EQ(recorder.header_calls, 1);
  EXPECT_EQ(recorder.status, 200);
  ASSERT_NE(recorder.header("x-test"), nullptr);
  EXPECT_EQ(*recorder.header("x-test"), "yes");
  EXPECT_EQ(recorder.body(), "GET /echo?x=1\n");
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(NativeTest, PostRoundTrip) {
  auto r = request(origin->url("/echo"), "POST");
  r.headers = {{"Content-Type", "application/json"}, {"X-Key", "sk-secret"}};
  r.body = "{\"model\":\"m\"}";
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(call);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "POST /echo\n{\"model\":\"m\"}");
  ASSERT_EQ(origin->requests.size(), 1u);
  const http::Request& got = origin->requests[0];
  ASSERT_NE(http::find_header(got.headers, "x-key"), nullptr);
  EXPECT_EQ(*http::find_header(got.headers, "x-key"), "sk-secret");
  ASSERT_NE(http::find_header(got.headers, "content-type"), nullptr);
}

TEST_F(NativeTest, RequestHeadOnTheWire) {
  RawServer raw(loop.base());
  auto r = request("http://127.0.0.1:" + std::to_string(raw.port()) + "/v1/x?y=2", "POST");
  r.headers = {{"Authorization", "Bearer t"},
               {"Connection", "close"},
               {"Content-Length", "5"},
               {"Transfer-Encoding", "chunked"},
               {"TE", "trailers"},
               {"X-Multi", "a"},
               {"X-Multi", "b"}};
  r.body = "hello";
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "proxied");
  ASSERT_EQ(raw.heads.size(), 1u);
  EXPECT_EQ(raw.heads[0],
            "POST /v1/x?y=2 HTTP/1.1\r\n"
            "Host: 127.0.0.1:" +
                std::to_string(raw.port()) +
                "\r\n"
                "Authorization: Bearer t\r\n"
                "X-Multi: a\r\n"
                "X-Multi: b\r\n"
                "Content-Length: 5\r\n"
                "\r\n");
}

TEST_F(NativeTest, RequestBytesIncludeBodyOnce) {
  server->script = {ScriptServer::send(kOk)};
  auto r = request(server->url("/p"), "PUT");
  r.body = std::string(100000, 'b');
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  ASSERT_EQ(server->requests.size(), 1u);
  EXPECT_EQ(server->requests[0],
            "PUT /p HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server->port()) +
                "\r\nContent-Length: 100000\r\n\r\n" + r.body);
}

TEST_F(NativeTest, ChunkedStreamArrivesInPieces) {
  Recorder recorder;
  auto call = transport->start(request(origin->url("/stream/4/20")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "piece-0\npiece-1\npiece-2\npiece-3\n");
  EXPECT_GE(recorder.chunks.size(), 4u);  // as it arrives, not gathered
  ASSERT_NE(recorder.header("content-type"), nullptr);
  EXPECT_EQ(*recorder.header("content-type"), "text/event-stream");
}

TEST_F(NativeTest, ContentLengthAcrossWrites) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234"),
                    ScriptServer::wait(30), ScriptServer::send("56789")};
  Recorder recorder;
  auto call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.chunks, (std::vector<std::string>{"01234", "56789"}));
  EXPECT_EQ(transport->idle_connections(), 1u);
}

TEST_F(NativeTest, ReadUntilCloseResponse) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\n\r\nuntil"), ScriptServer::wait(20),
                    ScriptServer::send(" the end"), ScriptServer::close()};
  Recorder recorder;
  auto call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "until the end");
  EXPECT_EQ(transport->idle_connections(), 0u);
}

TEST_F(NativeTest, HeadHasNoBody) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")};
  Recorder recorder;
  auto call = transport->start(request(server->url("/"), "HEAD"), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "complete"}));
  ASSERT_NE(recorder.header("content-length"), nullptr);
  EXPECT_EQ(*recorder.header("content-length"), "1234");
  EXPECT_EQ(transport->idle_connections(), 1u);  // and the connection is still good
}

TEST_F(NativeTest, NoContentAgainstOrigin) {
  Recorder recorder;
  auto call = transport->start(request(origin->url("/status/204")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "complete"}));
  EXPECT_EQ(recorder.status, 204);
}

TEST_F(NativeTest, InterimContinueDropped) {
  server->script = {ScriptServer::send("HTTP/1.1 100 Continue\r\n\r\n"), ScriptServer::wait(10),
                    ScriptServer::send("HTTP/1.1 200 OK\r\nX-Final: 1\r\nContent-Length: 2\r\n"
                                       "\r\nok")};
  Recorder recorder;
  auto call = transport->start(request(server->url("/"), "POST"), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body", "complete"}));
  EXPECT_EQ(recorder.status, 200);
  EXPECT_NE(recorder.header("x-final"), nullptr);
}

TEST_F(NativeTest, SequentialCallsShareOneConnection) {
  for (int i = 0; i < 3; ++i) {
    Recorder recorder;
    auto call = transport->start(request(origin->url("/echo")), recorder);
    ASSERT_TRUE(wait(recorder));
    EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  }
  EXPECT_EQ(origin->requests.size(), 3u);
  EXPECT_EQ(origin->peers.size(), 1u);
  EXPECT_EQ(transport->connections_opened(), 1u);
  EXPECT_EQ(transport->idle_connections(), 1u);
}

TEST_F(NativeTest, CallStartedFromCompleteReusesConnection) {
  Recorder second;
  std::unique_ptr<runtime::UpstreamCall> second_call;
  Recorder first;
  first.on_complete_hook = [&] {
    second_call = transport->start(request(server->url("/2")), second);
  };
  server->script = {ScriptServer::send(kOk)};
  auto call = transport->start(request(server->url("/1")), first);
  ASSERT_TRUE(loop.run_until([&] { return second.finished(); }));
  EXPECT_EQ(first.completed, 1);
  EXPECT_EQ(second.completed, 1) << second.failure_reason;
  EXPECT_EQ(server->accepted, 1);
  EXPECT_EQ(server->requests.size(), 2u);
}

TEST_F(NativeTest, ConnectionCloseResponseNotReused) {
  server->script = {
      ScriptServer::send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")};
  for (int i = 0; i < 2; ++i) {
    Recorder recorder;
    auto call = transport->start(request(server->url("/")), recorder);
    ASSERT_TRUE(wait(recorder));
    EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
    EXPECT_EQ(transport->idle_connections(), 0u);
  }
  EXPECT_EQ(server->accepted, 2);
}

TEST_F(NativeTest, BytesAfterResponseMeanNoReuse) {
  server->script = {ScriptServer::send(kOk + "HTTP/1.1 200 OK\r\n")};
  Recorder recorder;
  auto call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1);
  EXPECT_EQ(transport->idle_connections(), 0u);
}

TEST_F(NativeTest, IdleConnectionClosedByUpstreamIsDropped) {
  server->script = {ScriptServer::send(kOk)};
  Recorder first;
  auto call = transport->start(request(server->url("/")), first);
  ASSERT_TRUE(wait(first));
  ASSERT_EQ(transport->idle_connections(), 1u);
  server->close_all();
  ASSERT_TRUE(loop.run_until([&] { return transport->idle_connections() == 0; }));
  Recorder second;
  auto again = transport->start(request(server->url("/")), second);
  ASSERT_TRUE(wait(second));
  EXPECT_EQ(second.completed, 1) << second.failure_reason;
  EXPECT_EQ(server->accepted, 2);
  EXPECT_EQ(server->requests.size(), 2u);
}

TEST_F(NativeTest, StalePooledConnectionRetriedOnceOnAFreshOne) {
  // The server answers and closes right away, without saying so: the connection goes to the pool
  // and the next call, started before the loop sees the close, gets it and must start over.
  server->script = {ScriptServer::send(kOk), ScriptServer::close()};
  Recorder second;
  std::unique_ptr<runtime::UpstreamCall> second_call;
  Recorder first;
  first.on_complete_hook = [&] {
    second_call = transport->start(request(server->url("/2")), second);
  };
  auto call = transport->start(request(server->url("/1")), first);
  ASSERT_TRUE(loop.run_until([&] { return second.finished(); }));
  EXPECT_EQ(first.completed, 1);
  EXPECT_EQ(second.completed, 1) << second.failure_reason;
  EXPECT_EQ(second.body(), "ok");
  EXPECT_EQ(server->accepted, 2);
  EXPECT_EQ(transport->connections_opened(), 2u);
}

TEST_F(NativeTest, StaleRetryHappensOnlyOnce) {
  server->script = {ScriptServer::send(kOk), ScriptServer::close()};
  Recorder second;
  std::unique_ptr<runtime::UpstreamCall> second_call;
  Recorder first;
  first.on_complete_hook = [&] {
    server->script = {ScriptServer::close()};  // the fresh connection fails as well
    second_call = transport->start(request(server->url("/2")), second);
  };
  auto call = transport->start(request(server->url("/1")), first);
  ASSERT_TRUE(loop.run_until([&] { return second.finished(); }));
  EXPECT_EQ(second.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(second.failure_kind, UpstreamFailure::reset) << second.failure_reason;
  EXPECT_EQ(server->accepted, 2);
}

TEST_F(NativeTest, LocalhostResolves) {
  Recorder recorder;
  auto call = transport->start(
      request("http://localhost:" + std::to_string(server->port()) + "/name"), recorder);
  server->script = {ScriptServer::send(kOk)};
  ASSERT_TRUE(call) << transport->last_start_error();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  ASSERT_EQ(server->requests.size(), 1u);
  EXPECT_NE(server->requests[0].find("\r\nHost: localhost:" + std::to_string(server->port())),
            std::string::npos);
}

TEST_F(NativeTest, NamesFromTheHostsFileAreCached) {
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("sluice-native-hosts-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string hosts = dir + "/hosts";
  std::ofstream(hosts) << "127.0.0.1 upstream.test\n";
  NativeTransportOptions options;
  options.dns.hosts_file = hosts;
  options.dns.resolv_conf = dir + "/missing-resolv.conf";
  auto named = make_transport(options);
  server->script = {
      ScriptServer::send("HTTP/1.1 200 OK\r\nConnection: close\r\n"
                         "Content-Length: 2\r\n\r\nok")};
  for (int i = 0; i < 2; ++i) {
    Recorder recorder;
    auto call = named->start(
        request("http://upstream.test:" + std::to_string(server->port()) + "/"), recorder);
    ASSERT_TRUE(wait(recorder));
    EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
    std::filesystem::remove(hosts);  // the second call is answered from the cache
  }
  EXPECT_EQ(server->accepted, 2);
  std::filesystem::remove_all(dir);
}

TEST_F(NativeTest, NamesResolvedOverDnsAreCachedAndShared) {
  FakeDns dns(loop.base());
  dns.names = {"upstream.test"};
  NativeTransportOptions options;
  options.dns.resolv_conf = dns.resolv_conf;
  options.dns.hosts_file = dns.hosts_file;
  auto resolving = make_transport(options);
  server->script = {
      ScriptServer::send("HTTP/1.1 200 OK\r\nConnection: close\r\n"
                         "Content-Length: 2\r\n\r\nok")};
  const std::string url = "http://upstream.test:" + std::to_string(server->port()) + "/";
  Recorder a, b;
  auto call_a = resolving->start(request(url), a);  // both wait for one lookup
  auto call_b = resolving->start(request(url), b);
  ASSERT_TRUE(call_a && call_b);
  ASSERT_TRUE(loop.run_until([&] { return a.finished() && b.finished(); }));
  EXPECT_EQ(a.completed, 1) << a.failure_reason;
  EXPECT_EQ(b.completed, 1) << b.failure_reason;
  const int queries = dns.queries;
  EXPECT_LE(queries, 2);  // one A and at most one AAAA question
  Recorder c;
  auto call_c = resolving->start(request(url), c);
  ASSERT_TRUE(wait(c));
  EXPECT_EQ(c.completed, 1) << c.failure_reason;
  EXPECT_EQ(dns.queries, queries);  // from the cache
  EXPECT_EQ(server->accepted, 3);
}

TEST_F(NativeTest, CancelWhileResolving) {
  FakeDns dns(loop.base());
  dns.names = {"upstream.test", "other.test"};
  NativeTransportOptions options;
  options.dns.resolv_conf = dns.resolv_conf;
  options.dns.hosts_file = dns.hosts_file;
  auto resolving = make_transport(options);
  Recorder recorder;
  auto call = resolving->start(
      request("http://upstream.test:" + std::to_string(server->port()) + "/"), recorder);
  call.reset();
  loop.run_for(100);
  EXPECT_TRUE(recorder.events.empty());
  EXPECT_EQ(server->accepted, 0);
  // And a transport destroyed with a lookup in flight.
  auto another = resolving->start(
      request("http://other.test:" + std::to_string(server->port()) + "/x"), recorder);
  resolving.reset();
  loop.run_for(50);
  another.reset();
  EXPECT_TRUE(recorder.events.empty());
}

TEST_F(NativeTest, StartRefusals) {
  Recorder recorder;
  EXPECT_FALSE(transport->start(request("https://127.0.0.1/"), recorder));
  EXPECT_NE(transport->last_start_error().find("http://"), std::string::npos);
  auto bad = request(server->url("/"));
  bad.headers = {{"x", "a\r\nb"}};
  EXPECT_FALSE(transport->start(bad, recorder));
  EXPECT_EQ(transport->last_start_error(), "request header value contains CR, LF or NUL");
  EXPECT_FALSE(transport->start(request("http://u:pw@127.0.0.1/"), recorder));
  EXPECT_EQ(transport->last_start_error().find("pw"), std::string::npos);
  loop.run_for(20);
  EXPECT_TRUE(recorder.events.empty());
}

TEST_F(NativeTest, MaxCallsRefusesBeyondTheBound) {
  NativeTransportOptions options;
  options.max_calls = 2;
  auto small = make_transport(options);
  server->script = {ScriptServer::hang()};
  Recorder a, b, c;
  auto call_a = small->start(request(server->url("/")), a);
  auto call_b = small->start(request(server->url("/")), b);
  ASSERT_TRUE(call_a && call_b);
  EXPECT_FALSE(small->start(request(server->url("/")), c));
  EXPECT_EQ(small->last_start_error(), "too many upstream calls at once (2)");
  call_a.reset();  // a cancelled call frees its place at once
  EXPECT_EQ(small->live_calls(), 1u);
  auto call_c = small->start(request(server->url("/")), c);
  EXPECT_TRUE(call_c);
}

TEST_F(NativeTest, IdleConnectionsBoundedPerHost) {
  NativeTransportOptions options;
  options.max_idle_per_host = 1;
  auto bounded = make_transport(options);
  server->script = {ScriptServer::send(kOk)};
  Recorder a, b;
  auto call_a = bounded->start(request(server->url("/")), a);
  auto call_b = bounded->start(request(server->url("/")), b);
  ASSERT_TRUE(loop.run_until([&] { return a.finished() && b.finished(); }));
  EXPECT_EQ(server->accepted, 2);
  EXPECT_EQ(bounded->idle_connections(), 1u);
  ASSERT_TRUE(loop.run_until([&] { return server->open_connections() == 1; }));
}

TEST_F(NativeTest, IdleConnectionsExpire) {
  NativeTransportOptions options;
  options.idle_timeout_ms = 50;
  auto expiring = make_transport(options);
  server->script = {ScriptServer::send(kOk)};
  Recorder recorder;
  auto call = expiring->start(request(server->url("/")), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(expiring->idle_connections(), 1u);
  ASSERT_TRUE(loop.run_until([&] { return expiring->idle_connections() == 0; }));
  ASSERT_TRUE(loop.run_until([&] { return server->closed_by_client == 1; }));
}

TEST_F(NativeTest, ConnectionOutDuringAnIdleSweepComesBackAndIsReused) {
  // The pool's entry for a host is swept while its only connection is out with a call; the
  // connection then comes back into a new entry, and serves the next call.
  NativeTransportOptions options;
  options.idle_timeout_ms = 50;
  auto expiring = make_transport(options);
  server->script = {ScriptServer::send(kOk)};
  Recorder first;
  auto call = expiring->start(request(server->url("/")), first);
  ASSERT_TRUE(wait(first));
  ASSERT_EQ(expiring->idle_connections(), 1u);
  server->script = {ScriptServer::wait(200), ScriptServer::send(kOk)};
  Recorder slow;
  call = expiring->start(request(server->url("/")), slow);
  EXPECT_EQ(expiring->idle_connections(), 0u);
  ASSERT_TRUE(wait(slow));  // the pool's timer went off meanwhile
  EXPECT_EQ(slow.body(), "ok");
  EXPECT_EQ(expiring->idle_connections(), 1u);
  server->script = {ScriptServer::send(kOk)};
  Recorder again;
  call = expiring->start(request(server->url("/")), again);
  ASSERT_TRUE(wait(again));
  EXPECT_EQ(again.body(), "ok");
  EXPECT_EQ(expiring->connections_opened(), 1u);
  EXPECT_EQ(server->accepted, 1);
}

TEST_F(NativeTest, DestroyingTheTransportSilencesCallsOut) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
                    ScriptServer::hang()};
  Recorder streaming, connecting, named;
  auto call_streaming = transport->start(request(server->url("/")), streaming);
  ASSERT_TRUE(loop.run_until([&] { return streaming.header_calls == 1; }));
  FullBacklogPort hanging;
  auto call_connecting = transport->start(
      request("http://127.0.0.1:" + std::to_string(hanging.port()) + "/"), connecting);
  Recorder failing;
  auto call_failing =
      transport->start(request("http://127.0.0.1:" + std::to_string(closed_port()) + "/"), failing);
  transport.reset();
  loop.run_for(100);
  EXPECT_FALSE(streaming.finished());
  EXPECT_TRUE(connecting.events.empty());
  EXPECT_TRUE(failing.events.empty());
  call_streaming.reset();  // harmless afterwards
  call_streaming = nullptr;
  call_connecting.reset();
  call_failing.reset();
  ASSERT_TRUE(loop.run_until([&] { return server->closed_by_client >= 1; }));
}

}  // namespace
}  // namespace sluice::upstream::test
