// CurlTransport and the environment's proxies (a fake forward proxy records the absolute-form
// request line; NO_PROXY keeps loopback direct), and TLS verification against a self-signed
// certificate served by the project's own TLS listener.

#include <gtest/gtest.h>

#include <vector>

#include "core/http/tls_context.h"
#include "test/unit/upstream/transport_fixture.h"

namespace sluice::upstream::test {
namespace {

using runtime::UpstreamFailure;

TEST_F(TransportTest, HttpProxyFromTheEnvironmentIsUsed) {
  RawServer proxy(loop.base());
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  // Upper case on purpose: libcurl alone ignores HTTP_PROXY; the transport honours it.
  ScopedEnv env("HTTP_PROXY", proxy_url.c_str());
  auto proxied = make_transport();
  Recorder recorder;
  auto r = request("/v1/models?x=1");
  r.headers = {{"X-Api-Key", "k-123456"}};
  auto call = proxied->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "proxied");
  ASSERT_EQ(proxy.heads.size(), 1u);
  const std::string expected_line =
      "GET http://127.0.0.1:" + std::to_string(origin->port()) + "/v1/models?x=1 HTTP/1.1\r\n";
  EXPECT_EQ(proxy.heads[0].substr(0, expected_line.size()), expected_line) << proxy.heads[0];
  EXPECT_NE(proxy.heads[0].find("\r\nX-Api-Key: k-123456\r\n"), std::string::npos);
  EXPECT_TRUE(origin->requests.empty());
}

TEST_F(TransportTest, LowerCaseProxyAndHttpsProxyDoNotMix) {
  RawServer proxy(loop.base());
  const std::string proxy_url = "127.0.0.1:" + std::to_string(proxy.port());  // no scheme
  ScopedEnv https_only("HTTPS_PROXY", "http://127.0.0.1:1");                  // not for http://
  ScopedEnv lower("http_proxy", proxy_url.c_str());
  auto proxied = make_transport();
  Recorder recorder;
  auto call = proxied->start(request("/echo"), recorder);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(proxy.heads.size(), 1u);
}

TEST_F(TransportTest, HttpsProxyFromTheEnvironmentTunnels) {
  RawServer proxy(loop.base());  // answers CONNECT with a plain response, so the tunnel fails
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv env("HTTPS_PROXY", proxy_url.c_str());
  auto proxied = make_transport();
  runtime::UpstreamRequest r;
  r.url = "https://127.0.0.1:" + std::to_string(origin->port()) + "/v1/x";
  r.method = "GET";
  r.verify_tls = false;  // spares loading the system CA bundle; the handshake fails anyway
  Recorder recorder;
  auto call = proxied->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect) << recorder.failure_reason;
  ASSERT_EQ(proxy.heads.size(), 1u);
  const std::string expected_line =
      "CONNECT 127.0.0.1:" + std::to_string(origin->port()) + " HTTP/1.1\r\n";
  EXPECT_EQ(proxy.heads[0].substr(0, expected_line.size()), expected_line) << proxy.heads[0];
  EXPECT_TRUE(origin->requests.empty());
}

TEST_F(TransportTest, ProxyRefusingTheTunnelIsConnectFailure) {
  RawServer proxy(loop.base());
  proxy.response = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv env("https_proxy", proxy_url.c_str());
  auto proxied = make_transport();
  runtime::UpstreamRequest r;
  r.url = "https://127.0.0.1:" + std::to_string(origin->port()) + "/";
  r.method = "GET";
  Recorder recorder;
  auto call = proxied->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});  // no 407 headers passed on
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect) << recorder.failure_reason;
  EXPECT_EQ(proxy.heads.size(), 1u);
}

TEST_F(TransportTest, NoProxyKeepsLoopbackDirect) {
  RawServer proxy(loop.base());
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv env("HTTP_PROXY", proxy_url.c_str());
  ScopedEnv no_proxy("NO_PROXY", "127.0.0.1");
  auto direct = make_transport();
  Recorder recorder;
  auto call = direct->start(request("/echo"), recorder);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "GET /echo\n");
  EXPECT_TRUE(proxy.heads.empty());
  EXPECT_EQ(origin->requests.size(), 1u);
}

TEST_F(TransportTest, EnvironmentIsReadOnceWhenTheTransportIsMade) {
  // Set after create(): neither the transport nor libcurl on its own picks it up.
  RawServer proxy(loop.base());
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv lower("http_proxy", proxy_url.c_str());
  ScopedEnv all("ALL_PROXY", proxy_url.c_str());
  Recorder recorder;
  auto call = transport->start(request("/echo"), recorder);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_TRUE(proxy.heads.empty());
  EXPECT_EQ(origin->requests.size(), 1u);
}

class TlsTransportTest : public TransportTest {
 protected:
  void SetUp() override {
    TransportTest::SetUp();
    std::string error;
    tls = http::TlsContext::create({cert.cert_file, cert.key_file, ""}, &error);
    ASSERT_TRUE(tls) << error;
    tls_origin = std::make_unique<Origin>(loop.base(), tls->native());
  }
  void TearDown() override {
    transport.reset();
    tls_origin.reset();
  }
  TempCert cert;
  std::unique_ptr<http::TlsContext> tls;
  std::unique_ptr<Origin> tls_origin;
};

TEST_F(TlsTransportTest, VerificationRefusesASelfSignedServerByDefault) {
  runtime::UpstreamRequest r;
  r.url = tls_origin->url("/echo");
  r.method = "GET";
  r.ca_file = "";  // the system bundle, which does not know this certificate
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect);
  EXPECT_NE(recorder.failure_reason.find("curl error 60"), std::string::npos)
      << recorder.failure_reason;
  EXPECT_TRUE(tls_origin->requests.empty());
}

TEST_F(TlsTransportTest, CaFileMakesTheServerTrusted) {
  runtime::UpstreamRequest r;
  r.url = tls_origin->url("/echo");
  r.method = "POST";
  r.body = "over tls";
  r.ca_file = cert.cert_file;
  Recorder first;
  auto call = transport->start(r, first);
  ASSERT_TRUE(wait(first));
  ASSERT_EQ(first.completed, 1) << first.failure_reason;
  EXPECT_EQ(first.body(), "POST /echo\nover tls");
  ASSERT_EQ(tls_origin->requests.size(), 1u);
  EXPECT_TRUE(tls_origin->requests[0].tls);
  // The TLS connection is reused too.
  Recorder second;
  auto again = transport->start(r, second);
  ASSERT_TRUE(wait(second));
  EXPECT_EQ(second.completed, 1) << second.failure_reason;
  EXPECT_EQ(tls_origin->peers.size(), 1u);
}

TEST_F(TlsTransportTest, VerificationCanBeSwitchedOff) {
  runtime::UpstreamRequest r;
  r.url = tls_origin->url("/echo");
  r.method = "GET";
  r.verify_tls = false;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
}

TEST_F(TlsTransportTest, WrongCaFileIsConnectFailure) {
  TempCert other;
  runtime::UpstreamRequest r;
  r.url = tls_origin->url("/echo");
  r.method = "GET";
  r.ca_file = other.cert_file;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect) << recorder.failure_reason;
}

}  // namespace
}  // namespace sluice::upstream::test
