// End-to-end tests of the limits and timeouts over real sockets, and of request smuggling shapes:
// each gets its status with an OpenAI error body, and the connection is closed after it.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/http/limits.h"
#include "test/unit/http/test_support.h"

namespace sluice::http {
namespace {

using test::Client;
using test::TestServer;

// Sends `request`, expects `status` with an OpenAI error body, then the server's close.
void expect_refused(TestServer& server, std::string_view request, int status) {
  Client client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(request));
  const auto response = client.read_response();
  ASSERT_TRUE(response) << "no response to: " << request.substr(0, 80);
  EXPECT_EQ(response->status, status) << request.substr(0, 80);
  EXPECT_TRUE(test::is_openai_error(response->body)) << response->body;
  ASSERT_NE(response->header("connection"), nullptr);
  EXPECT_EQ(*response->header("connection"), "close");
  EXPECT_EQ(*response->header("content-type"), "application/json");
  std::string rest;
  EXPECT_TRUE(client.wait_closed(3000, &rest)) << "connection left open";
  EXPECT_TRUE(rest.empty()) << "bytes after the error: " << rest;
}

ServerLimits small_limits() {
  ServerLimits limits = test::test_limits();
  limits.max_header_bytes = 1024;
  limits.max_header_count = 10;
  limits.max_url_bytes = 64;
  limits.max_body_bytes = 1000;
  return limits;
}

TEST(Limits, TooManyHeaderBytesGets431) {
  TestServer server(small_limits());
  expect_refused(server,
                 "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n", 431);
  EXPECT_EQ(server.stats().started, 0);
}

TEST(Limits, TooManyHeaderFieldsGets431) {
  TestServer server(small_limits());
  std::string request = "GET / HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 10; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
  expect_refused(server, request + "\r\n", 431);
}

TEST(Limits, LongUrlGets414) {
  TestServer server(small_limits());
  expect_refused(server, "GET /" + std::string(100, 'u') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
}

TEST(Limits, ContentLengthOverLimitGets413BeforeBody) {
  TestServer server(small_limits());
  // Only the head is sent: the answer must not wait for the body.
  expect_refused(server, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", 413);
}

TEST(Limits, ContentLengthOverLimitWithBodyInFlightStillGetsTheAnswer) {
  TestServer server(small_limits());
  // The client keeps sending the body it announced; the server must not reset the connection
  // before the client has read the 413.
  Client client(server.port());
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n"));
  ASSERT_TRUE(client.send(std::string(100000, 'b')));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(client.wait_closed());
}

TEST(Limits, ChunkedBodyOverLimitGets413) {
  TestServer server(small_limits());
  std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 11; ++i) request += "64\r\n" + std::string(100, 'c') + "\r\n";
  expect_refused(server, request + "0\r\n\r\n", 413);
}

TEST(Limits, HeaderTimeoutSlowlorisGets408) {
  ServerLimits limits = test::test_limits();
  limits.header_timeout_ms = 200;
  TestServer server(limits);
  Client client(server.port());
  const auto begin = std::chrono::steady_clock::now();
  // A byte every 50 ms never finishes the headers; progress must not extend the deadline.
  const std::string partial = "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ";
  bool answered = false;
  for (char c : partial + std::string(40, 'z')) {
    client.send(std::string(1, c));
    if (client.readable_within(50)) {
      answered = true;
      break;
    }
  }
  ASSERT_TRUE(answered);
  const auto response = client.read_response();
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(test::is_openai_error(response->body));
  EXPECT_GE(elapsed, std::chrono::milliseconds(190));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
  EXPECT_TRUE(client.wait_closed());
}

TEST(Limits, HeaderTimeoutFromAcceptWhenNothingIsSent) {
  ServerLimits limits = test::test_limits();
  limits.header_timeout_ms = 100;
  TestServer server(limits);
  Client client(server.port());
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(client.wait_closed());
}

TEST(Limits, BodyIdleTimeoutGets408) {
  ServerLimits limits = test::test_limits();
  limits.body_idle_timeout_ms = 300;
  TestServer server(limits);
  Client client(server.port());
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  // Progress resets the idle timer (400 ms in all, but never 300 ms without a byte)...
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(client.send("de"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(client.send("f"));
  EXPECT_FALSE(client.readable_within(60));
  // ...silence does not.
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(test::is_openai_error(response->body));
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(server.stats().started, 0);
}

TEST(Limits, KeepAliveIdleTimeoutClosesSilently) {
  ServerLimits limits = test::test_limits();
  limits.keepalive_idle_timeout_ms = 150;
  limits.header_timeout_ms = 2000;
  TestServer server(limits);
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(client.read_response());
  const auto begin = std::chrono::steady_clock::now();
  std::string rest;
  EXPECT_TRUE(client.wait_closed(2000, &rest));
  EXPECT_TRUE(rest.empty()) << rest;  // no 408 on an idle connection
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(140));
}

TEST(Limits, HeaderTimeoutOfALaterRequestStartsAtItsFirstByte) {
  ServerLimits limits = test::test_limits();
  limits.header_timeout_ms = 150;
  limits.keepalive_idle_timeout_ms = 2000;
  TestServer server(limits);
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(client.read_response());
  std::this_thread::sleep_for(
      std::chrono::milliseconds(250));  // idle, longer than the header timeout
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto second = client.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\n"));
  const auto third = client.read_response();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 408);
}

struct WireCase {
  const char* name;
  std::string request;
};

class SmugglingOverTheWire : public ::testing::TestWithParam<WireCase> {};

TEST_P(SmugglingOverTheWire, Gets400AndClose) {
  TestServer server;
  expect_refused(server, GetParam().request, 400);
  EXPECT_EQ(server.stats().started, 0);
}

const char kPost[] = "POST /echo HTTP/1.1\r\nHost: t\r\n";
const std::string kChunkedPost = std::string(kPost) + "Transfer-Encoding: chunked\r\n\r\n";

INSTANTIATE_TEST_SUITE_P(
    Shapes, SmugglingOverTheWire,
    ::testing::Values(
        WireCase{"cl_te", std::string(kPost) +
                              "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
        WireCase{"cl_cl_differing",
                 std::string(kPost) + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"},
        WireCase{"te_chunked_then_cl",
                 std::string(kPost) +
                     "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"},
        WireCase{"te_xchunked",
                 std::string(kPost) + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"},
        WireCase{"te_chunked_identity",
                 std::string(kPost) + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"},
        WireCase{"obs_fold", "GET /echo HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n 2\r\n\r\n"},
        WireCase{"bare_lf", "GET /echo HTTP/1.1\nHost: t\n\n"},
        WireCase{"bare_lf_end_of_headers", "GET /echo HTTP/1.1\r\nHost: t\r\n\n"},
        WireCase{"bare_cr", "GET /echo HTTP/1.1\r\nHost: t\rX: 1\r\n\r\n"},
        WireCase{"chunk_size_not_hex", kChunkedPost + "g\r\nabc\r\n0\r\n\r\n"},
        WireCase{"chunk_size_overflow", kChunkedPost + "10000000000000000\r\nabc\r\n0\r\n\r\n"},
        WireCase{"space_before_colon", "GET /echo HTTP/1.1\r\nHost: t\r\nX-A : 1\r\n\r\n"},
        WireCase{"nul_in_header",
                 std::string("GET /echo HTTP/1.1\r\nHost: t\r\nX-A: 1\0 2\r\n\r\n", 42)},
        WireCase{
            "upgrade",
            "GET /echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
        WireCase{"connect", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"}),
    [](const ::testing::TestParamInfo<WireCase>& info) { return std::string(info.param.name); });

TEST(Limits, UnsupportedVersionGets505) {
  TestServer server;
  expect_refused(server, "GET /echo HTTP/1.2\r\nHost: t\r\n\r\n", 505);
}

TEST(Limits, SmugglingAfterAGoodRequestOnTheSameConnection) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send(
      "GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto first = client.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  const auto second = client.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 400);
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(server.stats().started, 1);
}

}  // namespace
}  // namespace sluice::http
