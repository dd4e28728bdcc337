// The HTTP/1.1 server through the real process: limits and their 4xx answers, timeouts, request
// smuggling shapes, pipelining, chunked bodies, 100-continue, keep-alive and request ids.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "test/integration/harness.h"
#include "test/integration/http_client.h"

namespace sluice::it {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kHeaderTimeoutMs = 700;
constexpr int kBodyIdleTimeoutMs = 700;
constexpr int kKeepAliveIdleMs = 1200;

std::string direct_chain(const std::string& name, const std::string& prefix, int status,
                         const std::string& body) {
  return "  - name: " + name + "\n" +                    //
         "    match: {path_prefix: " + prefix + "}\n" +  //
         "    filters:\n" +                              //
         "      - type: direct_response\n" +             //
         "        config: {status: " + std::to_string(status) + ", body: " + yaml_quote(body) +
         ", headers: {content-type: text/plain}}\n";
}

ServerConfig http_config() {
  ServerConfig config;
  config.limits = {
      "max_header_bytes: 2048",
      "max_header_count: 20",
      "max_url_bytes: 256",
      "max_body_bytes: 1024",
      "header_timeout_ms: " + std::to_string(kHeaderTimeoutMs),
      "body_idle_timeout_ms: " + std::to_string(kBodyIdleTimeoutMs),
      "keepalive_idle_timeout_ms: " + std::to_string(kKeepAliveIdleMs),
      "max_json_depth: 8",
  };
  config.chains = direct_chain("a", "/a", 200, "A") + direct_chain("b", "/b", 200, "B") +
                  direct_chain("c", "/c", 200, "C") +
                  direct_chain("smuggled", "/smuggled", 418, "SMUGGLED") +
                  direct_chain("nocontent", "/nocontent", 204, "must-not-be-sent") +
                  direct_chain("default", "/", 200, "ok");
  return config;
}

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start(http_config())); }

  Client connect() {
    Client client = Client::connect(server_.port);
    EXPECT_TRUE(client.ok()) << client.error();
    return client;
  }

  // Sends `raw` on a fresh connection and expects one error response with `status`, the OpenAI
  // error body, "connection: close", and then the connection closed with nothing more sent.
  void expect_error_and_close(const std::string& raw, int status) {
    Client client = connect();
    ASSERT_TRUE(client.send(raw)) << client.error();
    auto response = client.read_response(3s);
    ASSERT_TRUE(response) << client.error();
    EXPECT_EQ(response->status, status) << response->body;
    EXPECT_EQ(openai_error_problem(response->body), "");
    ASSERT_NE(response->header("content-type"), nullptr);
    EXPECT_EQ(*response->header("content-type"), "application/json");
    EXPECT_TRUE(response->closes()) << "no 'connection: close' on the error";
    std::string extra;
    EXPECT_TRUE(client.wait_closed(3s, &extra)) << "the server kept the connection open";
    EXPECT_EQ(extra, "") << "bytes after the error response";
    EXPECT_TRUE(server_.process.running()) << server_.process.stderr_text();
  }

  TestServer server_;
};

// ---- limits --------------------------------------------------------------------------------

TEST_F(HttpTest, HeaderSectionTooLargeIs431) {
  std::string raw =
      "GET /a HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(2100, 'x') + "\r\n\r\n";
  expect_error_and_close(raw, 431);
}

TEST_F(HttpTest, HeaderSectionJustUnderTheLimitIsServed) {
  // The limit counts the request line plus headers; stay clearly below it.
  std::string raw =
      "GET /a HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(1800, 'x') + "\r\n\r\n";
  auto response = roundtrip(server_.port, raw);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "A");
}

TEST_F(HttpTest, TooManyHeadersIs431) {
  std::vector<std::string> headers;
  for (int i = 0; i < 25; ++i) headers.push_back("X-H" + std::to_string(i) + ": v");
  expect_error_and_close(get_request("/a", headers), 431);
}

TEST_F(HttpTest, HeaderCountAtTheLimitIsServed) {
  std::vector<std::string> headers;  // Host + 19 = 20
  for (int i = 0; i < 19; ++i) headers.push_back("X-H" + std::to_string(i) + ": v");
  auto response = roundtrip(server_.port, get_request("/a", headers));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpTest, LongTargetIs414) {
  expect_error_and_close(get_request("/a/" + std::string(300, 'p')), 414);
}

TEST_F(HttpTest, ContentLengthOverTheLimitIs413BeforeTheBodyIsSent) {
  // Only the head is sent. A server that waited for the body would time out (408) instead.
  Client client = connect();
  ASSERT_TRUE(client.send("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n"));
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 413) << response->body;
  EXPECT_EQ(openai_error_problem(response->body), "");
  EXPECT_TRUE(response->closes());
  EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(HttpTest, ContentLengthOverTheLimitWithExpectGets413AndNo100) {
  Client client = connect();
  ASSERT_TRUE(
      client.send("POST /a HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                  "Content-Length: 5000\r\n\r\n"));
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 413) << "a 100 Continue invites a body the server will refuse";
  EXPECT_EQ(openai_error_problem(response->body), "");
}

TEST_F(HttpTest, ChunkedBodyOverTheLimitIs413) {
  const std::string chunk(768, 'z');
  std::string raw = "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  raw += "300\r\n" + chunk + "\r\n300\r\n" + chunk + "\r\n0\r\n\r\n";
  expect_error_and_close(raw, 413);
}

TEST_F(HttpTest, BodyAtTheLimitIsServed) {
  auto response = roundtrip(server_.port, body_request("POST", "/a", std::string(1024, 'b')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpTest, PartialHeadersThenSilenceIs408) {
  Client client = connect();
  const auto started = Clock::now();
  ASSERT_TRUE(client.send("GET /a HTTP/1.1\r\nHost: localhost\r\n"));
  auto response = client.read_response(5s);
  const auto elapsed = Clock::now() - started;
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(openai_error_problem(response->body), "");
  EXPECT_TRUE(response->closes());
  EXPECT_GE(elapsed, Millis(kHeaderTimeoutMs - 100)) << "408 before the configured timeout";
  EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(HttpTest, PartialHeadersOnAKeptAliveConnectionIs408) {
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/a")));
  auto first = client.read_response(3s);
  ASSERT_TRUE(first) << client.error();
  ASSERT_TRUE(client.send("GET /b HTTP/1.1\r\nHost: localhost\r\n"));
  auto response = client.read_response(5s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(openai_error_problem(response->body), "");
  EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(HttpTest, BodyIdleIs408) {
  Client client = connect();
  ASSERT_TRUE(
      client.send("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789"));
  const auto started = Clock::now();
  auto response = client.read_response(5s);
  const auto elapsed = Clock::now() - started;
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(openai_error_problem(response->body), "");
  EXPECT_TRUE(response->closes());
  EXPECT_GE(elapsed, Millis(kBodyIdleTimeoutMs - 100));
  EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(HttpTest, SlowButSteadyBodyIsNotIdle) {
  // 8 pieces, one every 150 ms: longer in total than the idle timeout, never idle that long.
  Client client = connect();
  ASSERT_TRUE(client.send("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 40\r\n\r\n"));
  for (int i = 0; i < 8; ++i) {
    std::this_thread::sleep_for(150ms);
    ASSERT_TRUE(client.send("abcde")) << client.error();
  }
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->body, "A");
}

// ---- request smuggling shapes --------------------------------------------------------------

TEST_F(HttpTest, ContentLengthWithTransferEncodingIs400AndClose) {
  expect_error_and_close(
      "POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: "
      "localhost\r\n\r\n",
      400);
}

TEST_F(HttpTest, TwoDifferentContentLengthsIs400AndClose) {
  expect_error_and_close(
      "POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 41\r\n\r\n"
      "helloGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
      400);
}

TEST_F(HttpTest, ChunkedPlusSecondTransferEncodingIs400AndClose) {
  expect_error_and_close(
      "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      400);
}

TEST_F(HttpTest, TransferEncodingListIs400AndClose) {
  expect_error_and_close(
      "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n",
      400);
}

TEST_F(HttpTest, ObsFoldIs400AndClose) {
  expect_error_and_close(
      "GET /a HTTP/1.1\r\nHost: localhost\r\nX-Folded: first\r\n  second\r\n\r\n", 400);
}

TEST_F(HttpTest, BareLfIs400AndClose) {
  expect_error_and_close("GET /a HTTP/1.1\nHost: localhost\n\n", 400);
}

TEST_F(HttpTest, BareLfInsideHeadersIs400AndClose) {
  expect_error_and_close("GET /a HTTP/1.1\r\nHost: localhost\nX-A: b\r\n\r\n", 400);
}

TEST_F(HttpTest, InvalidChunkSizeIs400AndClose) {
  expect_error_and_close(
      "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
      "zz\r\nhello\r\n0\r\n\r\n",
      400);
}

TEST_F(HttpTest, NegativeOrSignedChunkSizeIs400AndClose) {
  expect_error_and_close(
      "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
      "-5\r\nhello\r\n0\r\n\r\n",
      400);
}

TEST_F(HttpTest, SpaceBeforeColonIs400AndClose) {
  expect_error_and_close("GET /a HTTP/1.1\r\nHost: localhost\r\nContent-Length : 0\r\n\r\n", 400);
}

TEST_F(HttpTest, SignedContentLengthIs400AndClose) {
  expect_error_and_close("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: +5\r\n\r\nhello",
                         400);
}

TEST_F(HttpTest, ContentLengthListIs400AndClose) {
  expect_error_and_close("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5, 5\r\n\r\nhello",
                         400);
}

TEST_F(HttpTest, NulInAHeaderValueIs400AndClose) {
  using namespace std::string_literals;
  expect_error_and_close("GET /a HTTP/1.1\r\nHost: localhost\r\nX-A: a\0b\r\n\r\n"s, 400);
}

TEST_F(HttpTest, MissingOrDuplicateHostIs400AndClose) {
  expect_error_and_close("GET /a HTTP/1.1\r\nX-A: b\r\n\r\n", 400);
  expect_error_and_close("GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
}

TEST_F(HttpTest, TransferEncodingInHttp10Is400AndClose) {
  expect_error_and_close(
      "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400);
}

TEST_F(HttpTest, OverflowingChunkSizeIsRefusedAndClosed) {
  Client client = connect();
  ASSERT_TRUE(
      client.send("POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n"));
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_TRUE(response->status == 400 || response->status == 413) << response->status;
  EXPECT_EQ(openai_error_problem(response->body), "");
  EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(HttpTest, UpgradeIsRefused) {
  expect_error_and_close(
      "GET /a HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", 400);
}

TEST_F(HttpTest, UnsupportedExpectationIs417) {
  expect_error_and_close(
      "POST /a HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", 417);
}

TEST_F(HttpTest, UnsupportedHttpVersionIs505) {
  expect_error_and_close("GET /a HTTP/2.0\r\nHost: localhost\r\n\r\n", 505);
}

TEST_F(HttpTest, ValidRequestThenGarbageOnOneConnection) {
  // The good request is answered; the bad one that follows gets 400 and the close.
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/a") + "GET /b HTTP/1.1\r\nHost: x\r\n\tfolded\r\n\r\n"));
  auto first = client.read_response(3s);
  ASSERT_TRUE(first) << client.error();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "A");
  auto second = client.read_response(3s);
  ASSERT_TRUE(second) << client.error();
  EXPECT_EQ(second->status, 400);
  EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(HttpTest, RequestHiddenInABodyIsNeverAnsweredAsARequest) {
  // The body of the first request is itself a request for /smuggled; then a real /b follows.
  const std::string hidden = "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
  Client client = connect();
  ASSERT_TRUE(client.send(body_request("POST", "/a", hidden) + get_request("/b")));
  auto first = client.read_response(3s);
  ASSERT_TRUE(first) << client.error();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "A");
  auto second = client.read_response(3s);
  ASSERT_TRUE(second) << client.error();
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "B") << "the hidden request was answered";
  EXPECT_TRUE(client.stays_quiet(300ms)) << "a third response appeared: " << client.pending();
}

TEST_F(HttpTest, RequestHiddenInAChunkedBodyIsNeverAnsweredAsARequest) {
  const std::string hidden = "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
  char size[16];
  std::snprintf(size, sizeof(size), "%zx", hidden.size());
  Client client = connect();
  ASSERT_TRUE(
      client.send("POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n" +
                  std::string(size) + "\r\n" + hidden + "\r\n0\r\n\r\n" + get_request("/b")));
  auto first = client.read_response(3s);
  ASSERT_TRUE(first) << client.error();
  EXPECT_EQ(first->body, "A");
  auto second = client.read_response(3s);
  ASSERT_TRUE(second) << client.error();
  EXPECT_EQ(second->body, "B") << "the hidden request was answered";
  EXPECT_TRUE(client.stays_quiet(300ms)) << "a third response appeared: " << client.pending();
}

// ---- pipelining, chunked bodies, 100-continue, keep-alive ----------------------------------

TEST_F(HttpTest, ThreePipelinedRequestsAreAnsweredInOrder) {
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/a") + get_request("/b") + get_request("/c")));
  for (const char* expected : {"A", "B", "C"}) {
    auto response = client.read_response(3s);
    ASSERT_TRUE(response) << client.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, expected);
  }
  EXPECT_TRUE(client.stays_quiet(100ms));
}

TEST_F(HttpTest, PipelinedRequestsWithBodiesAreAnsweredInOrder) {
  Client client = connect();
  ASSERT_TRUE(client.send(body_request("POST", "/c", "12345") + body_request("PUT", "/b", "x") +
                          get_request("/a")));
  for (const char* expected : {"C", "B", "A"}) {
    auto response = client.read_response(3s);
    ASSERT_TRUE(response) << client.error();
    EXPECT_EQ(response->body, expected);
  }
}

TEST_F(HttpTest, ChunkedRequestBodyIsAccepted) {
  // A chunked body (with a trailer) followed by another request on the same connection: the
  // second answer shows the chunked framing was consumed exactly.
  Client client = connect();
  ASSERT_TRUE(client.send(
      "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n" +
      get_request("/b")));
  auto first = client.read_response(3s);
  ASSERT_TRUE(first) << client.error();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "A");
  auto second = client.read_response(3s);
  ASSERT_TRUE(second) << client.error();
  EXPECT_EQ(second->body, "B");
}

TEST_F(HttpTest, ExpectContinueGets100ThenTheAnswer) {
  Client client = connect();
  ASSERT_TRUE(
      client.send("POST /a HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                  "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\n"));
  auto interim = client.read_response(3s);
  ASSERT_TRUE(interim) << client.error();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send("hello"));
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "A");
}

TEST_F(HttpTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Client client = connect();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.send(get_request(i % 2 ? "/a" : "/b"))) << client.error();
    auto response = client.read_response(3s);
    ASSERT_TRUE(response) << "request " << i << ": " << client.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, i % 2 ? "A" : "B");
    EXPECT_FALSE(response->closes());
  }
  EXPECT_TRUE(client.stays_quiet(100ms)) << "the kept-alive connection closed";
}

TEST_F(HttpTest, ConnectionCloseIsHonoured) {
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/a", {"Connection: close"})));
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->body, "A");
  EXPECT_TRUE(response->closes());
  EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(HttpTest, ConnectionCloseStopsAPipeline) {
  // Requests pipelined after one that says "Connection: close" are never answered.
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/a", {"Connection: close"}) + get_request("/smuggled")));
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->body, "A");
  std::string extra;
  EXPECT_TRUE(client.wait_closed(3s, &extra));
  EXPECT_EQ(extra, "") << "a request after Connection: close was answered";
}

TEST_F(HttpTest, Http10KeepAliveIsHonoured) {
  Client client = connect();
  for (const char* path : {"/a", "/b"}) {
    ASSERT_TRUE(
        client.send(std::string("GET ") + path + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto response = client.read_response(3s);
    ASSERT_TRUE(response) << client.error();
    EXPECT_EQ(response->status, 200);
    ASSERT_NE(response->header("connection"), nullptr);
    EXPECT_EQ(*response->header("connection"), "keep-alive");
  }
  EXPECT_TRUE(client.stays_quiet(100ms));
}

TEST_F(HttpTest, Http10WithoutKeepAliveCloses) {
  Client client = connect();
  ASSERT_TRUE(client.send("GET /a HTTP/1.0\r\n\r\n"));
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "A");
  EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(HttpTest, IdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/a")));
  auto response = client.read_response(3s);
  ASSERT_TRUE(response) << client.error();
  const auto answered = Clock::now();
  std::string extra;
  EXPECT_TRUE(client.wait_closed(5s, &extra)) << "the idle connection was kept past its timeout";
  EXPECT_GE(Clock::now() - answered, Millis(kKeepAliveIdleMs - 200));
  EXPECT_EQ(extra, "") << "an idle close should be silent";
}

TEST_F(HttpTest, HeadGetsHeadersOnly) {
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/a", {}, "HEAD") + get_request("/b")));
  auto head = client.read_response(3s, /*head=*/true);
  ASSERT_TRUE(head) << client.error();
  EXPECT_EQ(head->status, 200);
  auto next = client.read_response(3s);
  ASSERT_TRUE(next) << client.error();
  EXPECT_EQ(next->body, "B") << "bytes of a HEAD body leaked into the next response";
}

TEST_F(HttpTest, NoContentSendsNoBody) {
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/nocontent") + get_request("/b")));
  auto empty = client.read_response(3s);
  ASSERT_TRUE(empty) << client.error();
  EXPECT_EQ(empty->status, 204);
  EXPECT_EQ(empty->header("content-length") ? *empty->header("content-length") : "0", "0");
  auto next = client.read_response(3s);
  ASSERT_TRUE(next) << client.error();
  EXPECT_EQ(next->body, "B") << "a 204 body leaked into the next response";
}

TEST_F(HttpTest, InvalidJsonBodyDeclaredAsJsonIs400) {
  auto response = roundtrip(
      server_.port, body_request("POST", "/a", "{\"model\": ", {"Content-Type: application/json"}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400) << response->body;
  EXPECT_EQ(openai_error_problem(response->body), "");
}

TEST_F(HttpTest, JsonNestedBeyondTheLimitIs400) {
  const std::string deep = std::string(20, '[') + std::string(20, ']');
  auto response =
      roundtrip(server_.port, body_request("POST", "/a", deep, {"Content-Type: application/json"}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400) << response->body;
  EXPECT_EQ(openai_error_problem(response->body), "");
  const std::string shallow = std::string(4, '[') + std::string(4, ']');
  auto ok = roundtrip(server_.port,
                      body_request("POST", "/a", shallow, {"Content-Type: application/json"}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

// ---- request ids ---------------------------------------------------------------------------

bool is_generated_id(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST_F(HttpTest, WellFormedRequestIdIsEchoed) {
  const std::string id = "client-id_1.2:3";
  auto response = roundtrip(server_.port, get_request("/a", {"X-Request-Id: " + id}));
  ASSERT_TRUE(response);
  ASSERT_NE(response->header("x-request-id"), nullptr);
  EXPECT_EQ(*response->header("x-request-id"), id);
  EXPECT_EQ(response->header_count("x-request-id"), 1u);
}

TEST_F(HttpTest, MissingRequestIdIsGenerated) {
  auto first = roundtrip(server_.port, get_request("/a"));
  auto second = roundtrip(server_.port, get_request("/a"));
  ASSERT_TRUE(first && second);
  ASSERT_NE(first->header("x-request-id"), nullptr);
  ASSERT_NE(second->header("x-request-id"), nullptr);
  EXPECT_TRUE(is_generated_id(*first->header("x-request-id"))) << *first->header("x-request-id");
  EXPECT_NE(*first->header("x-request-id"), *second->header("x-request-id"));
}

TEST_F(HttpTest, MalformedRequestIdIsReplaced) {
  for (const std::string& bad : {std::string("has spaces in it"), std::string("quote\"d"),
                                 std::string(129, 'a'), std::string("semi;colon")}) {
    auto response = roundtrip(server_.port, get_request("/a", {"X-Request-Id: " + bad}));
    ASSERT_TRUE(response);
    ASSERT_NE(response->header("x-request-id"), nullptr);
    EXPECT_TRUE(is_generated_id(*response->header("x-request-id")))
        << "sent '" << bad << "', got '" << *response->header("x-request-id") << "'";
  }
}

TEST_F(HttpTest, PipelinedRequestsKeepTheirOwnIds) {
  Client client = connect();
  ASSERT_TRUE(client.send(get_request("/a", {"X-Request-Id: first-1"}) +
                          get_request("/b", {"X-Request-Id: second-2"})));
  auto first = client.read_response(3s);
  auto second = client.read_response(3s);
  ASSERT_TRUE(first && second) << client.error();
  EXPECT_EQ(*first->header("x-request-id"), "first-1");
  EXPECT_EQ(*second->header("x-request-id"), "second-2");
}

}  // namespace
}  // namespace sluice::it
