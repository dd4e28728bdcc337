// Tests for TlsContext (error messages) and HTTP over TLS end to end, with a certificate
// generated at run time.

#include "core/http/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "test/unit/http/test_support.h"

namespace sluice::http {
namespace {

using test::Client;
using test::TempCert;
using test::TestServer;

struct ClientCtx {
  explicit ClientCtx(int max_version = 0) : ctx(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    if (max_version != 0) {
      // Old versions need the lowest security level to be offered at all by OpenSSL 3.
      SSL_CTX_set_security_level(ctx, 0);
      SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx, max_version);
    }
  }
  ~ClientCtx() { SSL_CTX_free(ctx); }
  SSL_CTX* ctx;
};

TEST(TlsContext, ReportsMissingFiles) {
  TempCert cert;
  std::string error;
  EXPECT_EQ(TlsContext::create({cert.dir + "/nope.pem", cert.key_file, ""}, &error), nullptr);
  EXPECT_NE(error.find("cannot open certificate file"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
  EXPECT_EQ(TlsContext::create({cert.cert_file, cert.dir + "/nokey.pem", ""}, &error), nullptr);
  EXPECT_NE(error.find("cannot open private key file"), std::string::npos) << error;
  EXPECT_EQ(TlsContext::create({"", cert.key_file, ""}, &error), nullptr);
  EXPECT_NE(error.find("not set"), std::string::npos) << error;
}

TEST(TlsContext, ReportsKeyNotMatchingCertificate) {
  TempCert cert;
  std::string error;
  EXPECT_EQ(TlsContext::create({cert.cert_file, cert.other_key_file, ""}, &error), nullptr);
  EXPECT_NE(error.find("does not match certificate"), std::string::npos) << error;
}

TEST(TlsContext, ReportsGarbageAndBadVersion) {
  TempCert cert;
  std::string error;
  // A key file given as the certificate: not a certificate.
  EXPECT_EQ(TlsContext::create({cert.key_file, cert.key_file, ""}, &error), nullptr);
  EXPECT_NE(error.find("cannot load certificate chain"), std::string::npos) << error;
  EXPECT_EQ(TlsContext::create({cert.cert_file, cert.key_file, "1.1"}, &error), nullptr);
  EXPECT_NE(error.find("min_version"), std::string::npos) << error;
  EXPECT_NE(TlsContext::create({cert.cert_file, cert.key_file, "1.2"}, &error), nullptr) << error;
  EXPECT_NE(TlsContext::create({cert.cert_file, cert.key_file, "1.3"}, &error), nullptr) << error;
}

TEST(Tls, HandshakeAndRequests) {
  TempCert cert;
  std::string error;
  auto context = TlsContext::create({cert.cert_file, cert.key_file, ""}, &error);
  ASSERT_TRUE(context) << error;
  TestServer server(test::test_limits(), context->native());
  ClientCtx client_ctx;
  Client client(server.port(), "127.0.0.1", client_ctx.ctx);
  ASSERT_TRUE(client.connected()) << client.tls_error();
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nsecret"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /echo\nsecret");
  EXPECT_TRUE(server.last_request().tls);
  // Keep-alive and a streamed body over TLS.
  ASSERT_TRUE(client.send("GET /stream/5 HTTP/1.1\r\nHost: t\r\n\r\n"));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "piece-0\npiece-1\npiece-2\npiece-3\npiece-4\n");
  // Errors over TLS close cleanly too.
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\nX : y\r\n\r\n"));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client.wait_closed());
}

TEST(Tls, Tls11ClientIsRefused) {
  TempCert cert;
  std::string error;
  auto context = TlsContext::create({cert.cert_file, cert.key_file, ""}, &error);
  ASSERT_TRUE(context) << error;
  TestServer server(test::test_limits(), context->native());
  ClientCtx old_client(TLS1_1_VERSION);
  Client refused(server.port(), "127.0.0.1", old_client.ctx);
  EXPECT_FALSE(refused.connected());
  EXPECT_NE(refused.tls_error().find("protocol version"), std::string::npos) << refused.tls_error();
  // The same client setup allowed to speak TLS 1.2 gets through: the refusal was the version.
  ClientCtx tls12_client(TLS1_2_VERSION);
  Client accepted(server.port(), "127.0.0.1", tls12_client.ctx);
  EXPECT_TRUE(accepted.connected()) << accepted.tls_error();
}

TEST(Tls, MinVersion13RefusesTls12) {
  TempCert cert;
  std::string error;
  auto context = TlsContext::create({cert.cert_file, cert.key_file, "1.3"}, &error);
  ASSERT_TRUE(context) << error;
  TestServer server(test::test_limits(), context->native());
  ClientCtx tls12_client(TLS1_2_VERSION);
  Client refused(server.port(), "127.0.0.1", tls12_client.ctx);
  EXPECT_FALSE(refused.connected());
  ClientCtx modern;
  Client accepted(server.port(), "127.0.0.1", modern.ctx);
  EXPECT_TRUE(accepted.connected()) << accepted.tls_error();
}

TEST(Tls, NoHandshakeWithinHeaderTimeoutIsClosedWithoutBytes) {
  TempCert cert;
  std::string error;
  auto context = TlsContext::create({cert.cert_file, cert.key_file, ""}, &error);
  ASSERT_TRUE(context) << error;
  ServerLimits limits = test::test_limits();
  limits.header_timeout_ms = 100;
  TestServer server(limits, context->native());
  Client silent(server.port());  // plain TCP, never starts a handshake
  std::string rest;
  EXPECT_TRUE(silent.wait_closed(2000, &rest));
  EXPECT_TRUE(rest.empty());
}

}  // namespace
}  // namespace sluice::http
