// Guarded calls (a URL that came from a client: request.isolated, public_addresses_only) on both
// transports: an internal address is refused before anything is sent to it, whether the URL
// names it or a name resolves to it; an isolated call has a connection of its own that is never
// reused; and no forward proxy carries it.

#include <gtest/gtest.h>

#include "core/upstream/transport_router.h"
#include "test/unit/upstream/native_fixture.h"
#include "test/unit/upstream/transport_fixture.h"

namespace sluice::upstream::test {
namespace {

using runtime::UpstreamFailure;

runtime::UpstreamRequest guarded(std::string url, bool public_only) {
  runtime::UpstreamRequest r;
  r.url = std::move(url);
  r.method = "GET";
  r.isolated = true;
  r.public_addresses_only = public_only;
  return r;
}

// ---- native client -------------------------------------------------------------------------

TEST_F(NativeTest, GuardedCallToALoopbackLiteralIsRefusedBeforeConnecting) {
  Recorder recorder;
  auto call = transport->start(guarded(server->url("/img.png"), true), recorder);
  ASSERT_TRUE(call) << transport->last_start_error();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.failed, 1);
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::refused);
  EXPECT_NE(recorder.failure_reason.find("no public address"), std::string::npos)
      << recorder.failure_reason;
  loop.run_for(20);
  EXPECT_EQ(server->accepted, 0);  // not even a connection
  EXPECT_EQ(transport->connections_opened(), 0u);
}

TEST_F(NativeTest, GuardedCallToANameThatResolvesToLoopbackIsRefused) {
  FakeDns dns(loop.base());
  dns.names = {"images.example"};
  NativeTransportOptions options;
  options.dns.resolv_conf = dns.resolv_conf;
  options.dns.hosts_file = dns.hosts_file;
  auto resolving = make_transport(options);
  const std::string url = "http://images.example:" + std::to_string(server->port()) + "/a.png";
  Recorder recorder;
  auto call = resolving->start(guarded(url, true), recorder);
  ASSERT_TRUE(call) << resolving->last_start_error();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::refused) << recorder.failure_reason;
  EXPECT_GE(dns.queries, 1);  // the name was looked up, and its answer refused
  loop.run_for(20);
  EXPECT_EQ(server->accepted, 0);

  // The same name without the guard is reached: the refusal was the address check.
  Recorder plain;
  runtime::UpstreamRequest r = guarded(url, false);
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")};
  auto second = resolving->start(r, plain);
  ASSERT_TRUE(wait(plain));
  EXPECT_EQ(plain.completed, 1) << plain.failure_reason;
}

TEST_F(NativeTest, IsolatedCallsNeitherTakeNorLeaveAPooledConnection) {
  Recorder first;
  auto warm = transport->start(request(origin->url("/echo")), first);  // pools a connection
  ASSERT_TRUE(wait(first));
  ASSERT_EQ(transport->idle_connections(), 1u);
  for (int i = 0; i < 2; ++i) {
    Recorder recorder;
    auto call = transport->start(guarded(origin->url("/echo"), false), recorder);
    ASSERT_TRUE(wait(recorder));
    EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  }
  EXPECT_EQ(transport->connections_opened(), 3u);  // one each
  EXPECT_EQ(transport->idle_connections(), 1u);    // only the ordinary call's
}

// ---- libcurl ---------------------------------------------------------------------------------

TEST_F(TransportTest, GuardedCallToALoopbackLiteralIsRefusedBeforeConnecting) {
  Recorder recorder;
  auto call = transport->start(guarded(origin->url("/echo"), true), recorder);
  ASSERT_TRUE(call) << transport->last_start_error();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.failed, 1);
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::refused) << recorder.failure_reason;
  EXPECT_TRUE(origin->peers.empty());
  EXPECT_TRUE(origin->requests.empty());
}

TEST_F(TransportTest, GuardedCallToLocalhostIsRefusedWhateverItResolvesTo) {
  Recorder recorder;
  const std::string url = "http://localhost:" + std::to_string(origin->port()) + "/echo";
  auto call = transport->start(guarded(url, true), recorder);
  ASSERT_TRUE(call) << transport->last_start_error();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::refused) << recorder.failure_reason;
  EXPECT_TRUE(origin->requests.empty());
}

TEST_F(TransportTest, IsolatedCallsUseAConnectionOfTheirOwnEachTime) {
  for (int i = 0; i < 3; ++i) {
    Recorder recorder;
    auto call = transport->start(guarded(origin->url("/echo"), false), recorder);
    ASSERT_TRUE(wait(recorder));
    EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  }
  EXPECT_EQ(origin->peers.size(), 3u);
}

TEST_F(TransportTest, IsolatedCallsIgnoreTheProxy) {
  RawServer proxy(loop.base());
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv env("HTTP_PROXY", proxy_url.c_str());
  auto proxied = make_transport();
  Recorder recorder;
  auto call = proxied->start(guarded(origin->url("/echo"), false), recorder);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "GET /echo\n");  // the origin's answer, not the proxy's
  EXPECT_TRUE(proxy.heads.empty());
}

// ---- the router ------------------------------------------------------------------------------

TEST_F(TransportTest, RouterSendsAGuardedPlainHttpCallNativeEvenWithAProxySet) {
  std::string error;
  auto native = NativeTransport::create(loop.base(), {}, &error);
  ASSERT_TRUE(native) << error;
  ProxyEnvironment proxies;
  proxies.http = "http://127.0.0.1:9";  // would fail: nothing listens there
  TransportRouter router(std::move(native), make_transport(), proxies);
  Recorder recorder;
  auto call = router.start(guarded(origin->url("/echo"), false), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(router.native()->connections_opened(), 1u);

  Recorder refused;
  auto second = router.start(guarded(origin->url("/echo"), true), refused);
  ASSERT_TRUE(wait(refused));
  EXPECT_EQ(refused.failure_kind, UpstreamFailure::refused);
}

TEST_F(TransportTest, RouterMakesAPublicOnlyCallIsolatedSoItNeverTakesAPooledConnection) {
  std::string error;
  auto native = NativeTransport::create(loop.base(), {}, &error);
  ASSERT_TRUE(native) << error;
  TransportRouter router(std::move(native), make_transport(), ProxyEnvironment{});
  // An ordinary call leaves a kept-alive connection to the (loopback) origin in the pool.
  runtime::UpstreamRequest plain;
  plain.url = origin->url("/echo");
  plain.method = "GET";
  Recorder first;
  auto call = router.start(plain, first);
  ASSERT_TRUE(wait(first));
  ASSERT_EQ(first.completed, 1) << first.failure_reason;
  // Asking only for public addresses, not for isolation: still checked, so refused.
  runtime::UpstreamRequest public_only = plain;
  public_only.public_addresses_only = true;
  Recorder refused;
  auto second = router.start(public_only, refused);
  ASSERT_TRUE(wait(refused));
  EXPECT_EQ(refused.failure_kind, UpstreamFailure::refused);
}

}  // namespace
}  // namespace sluice::upstream::test
