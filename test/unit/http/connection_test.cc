// End-to-end tests of Connection over real sockets: requests and responses, keep-alive,
// pipelining, chunked bodies both ways, 100-continue, HTTP/1.0, client close and the Exchange
// lifetime rules (synchronous answers, late answers, client aborts).

#include "core/http/connection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "test/unit/http/test_support.h"

namespace sluice::http {
namespace {

using test::Client;
using test::ClientResponse;
using test::TestServer;

// Answers every request at once with a fixed set of response fields and the body "ok".
class FixedFieldsHandler : public RequestHandler {
 public:
  explicit FixedFieldsHandler(Headers fields) : fields_(std::move(fields)) {}
  std::unique_ptr<Exchange> start(Request, ResponseSink& sink) override {
    ResponseHead head;
    head.headers = fields_;
    sink.send_whole(std::move(head), "ok");
    return nullptr;
  }

 private:
  Headers fields_;
};

// A listener on its own loop served by `handler` (which must outlive it).
class HandlerServer {
 public:
  explicit HandlerServer(RequestHandler& handler) {
    loop_.run([&] {
      ListenerOptions options;
      options.limits = test::test_limits();
      std::string error;
      listener_ = Listener::create(
          loop_.base(), options, [&handler]() -> RequestHandler& { return handler; }, &error);
      ASSERT_TRUE(listener_) << error;
      port_ = listener_->port();
    });
  }
  ~HandlerServer() {
    loop_.run([&] { listener_.reset(); });
  }
  uint16_t port() const { return port_; }

 private:
  test::LoopThread loop_;
  std::unique_ptr<Listener> listener_;
  uint16_t port_ = 0;
};

std::string pipelined_gets(int count) {
  std::string requests;
  for (int i = 0; i < count; ++i) {
    requests += "GET /echo/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  }
  return requests;
}

// Polls `condition` for up to two seconds.
template <typename Fn>
bool eventually(Fn condition) {
  for (int i = 0; i < 400; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

TEST(Connection, SimpleGet) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /echo?x=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: test\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /echo?x=1\n");
  ASSERT_NE(response->header("content-length"), nullptr);
  EXPECT_EQ(*response->header("content-type"), "text/plain");
  EXPECT_EQ(response->header("connection"), nullptr);
  const Request seen = server.last_request();
  EXPECT_EQ(seen.path, "/echo");
  EXPECT_EQ(seen.query, "x=1");
  EXPECT_FALSE(seen.tls);
  EXPECT_EQ(seen.peer.rfind("127.0.0.1:", 0), 0u) << seen.peer;
  ASSERT_NE(find_header(seen.headers, "user-agent"), nullptr);
}

TEST(Connection, PostBody) {
  TestServer server;
  const auto response = test::roundtrip(
      server.port(),
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 13\r\n\r\n{\"a\":\"body\"}\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /echo\n{\"a\":\"body\"}\n");
}

TEST(Connection, KeepAliveReusesTheConnection) {
  TestServer server;
  Client client(server.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send("GET /echo/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
    const auto response = client.read_response();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->body, "GET /echo/" + std::to_string(i) + "\n");
  }
  EXPECT_EQ(server.connection_count(), 1u);
  // Connection: close is honoured and announced.
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  const auto last = client.read_response();
  ASSERT_TRUE(last);
  ASSERT_NE(last->header("connection"), nullptr);
  EXPECT_EQ(*last->header("connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(Connection, PipelinedResponsesComeBackInOrder) {
  TestServer server;
  Client client(server.port());
  // The first is answered late by a timer; the later ones at once. Order must hold.
  ASSERT_TRUE(
      client.send("GET /delay/80 HTTP/1.1\r\nHost: t\r\n\r\n"
                  "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                  "GET /echo/third HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto first = client.read_response();
  const auto second = client.read_response();
  const auto third = client.read_response();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->body, "delayed /delay/80");
  EXPECT_EQ(second->body, "POST /echo\nabc");
  EXPECT_EQ(third->body, "GET /echo/third\n");
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == 3; }));
  EXPECT_EQ(server.stats().misuse, 0);
}

TEST(Connection, ChunkedRequestBody) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(client.send("\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "POST /echo\nWikipedia");
}

TEST(Connection, ExpectContinueGetsInterimResponse) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  const auto interim = client.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send("hello"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /echo\nhello");
}

TEST(Connection, ExpectContinueWithOversizeBodyGets413Only) {
  ServerLimits limits = test::test_limits();
  limits.max_body_bytes = 100;
  TestServer server(limits);
  Client client(server.port());
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(test::is_openai_error(response->body)) << response->body;
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(server.stats().started, 0);
}

TEST(Connection, UnsupportedExpectationGets417) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: fancy\r\nContent-Length: 1\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 417);
  EXPECT_TRUE(test::is_openai_error(response->body));
  EXPECT_TRUE(client.wait_closed());
}

TEST(Connection, Http10WithoutKeepAliveCloses) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /echo HTTP/1.0\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /echo\n");
  ASSERT_NE(response->header("connection"), nullptr);
  EXPECT_EQ(*response->header("connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(Connection, Http10KeepAliveAndStreamedBodyUntilClose) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  const auto first = client.read_response();
  ASSERT_TRUE(first);
  ASSERT_NE(first->header("connection"), nullptr);
  EXPECT_EQ(*first->header("connection"), "keep-alive");
  // An HTTP/1.0 client cannot take chunked encoding: the stream is delimited by the close.
  ASSERT_TRUE(client.send("GET /stream/3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  const auto streamed = client.read_response();
  ASSERT_TRUE(streamed);
  EXPECT_FALSE(streamed->chunked);
  EXPECT_EQ(streamed->body, "piece-0\npiece-1\npiece-2\n");
}

TEST(Connection, StreamedResponseIsChunkedAndIntact) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /stream/20 HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->chunked);
  std::string expected;
  for (int i = 0; i < 20; ++i) expected += "piece-" + std::to_string(i) + "\n";
  EXPECT_EQ(response->body, expected);
  EXPECT_EQ(*response->header("content-type"), "text/event-stream");
  // The connection stays usable afterwards.
  ASSERT_TRUE(client.send("GET /sync-stream HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto sync = client.read_response();
  ASSERT_TRUE(sync);
  EXPECT_TRUE(sync->chunked);
  EXPECT_EQ(sync->body, "one,two,three");
}

TEST(Connection, DeclaredContentLengthAndBodylessStatuses) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /length/9 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->chunked);
  EXPECT_EQ(response->body, "xxxxxxxxx");
  ASSERT_TRUE(client.send("GET /status/204 HTTP/1.1\r\nHost: t\r\n\r\n"));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->header("content-length"), nullptr);
  ASSERT_TRUE(client.send("GET /status/404 HTTP/1.1\r\nHost: t\r\n\r\n"));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(*response->header("content-length"), "0");
  // HEAD: the headers a GET would get, no body.
  ASSERT_TRUE(
      client.send("HEAD /echo HTTP/1.1\r\nHost: t\r\n\r\nGET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  response = client.read_response(/*head_request=*/true);
  ASSERT_TRUE(response);
  EXPECT_EQ(*response->header("content-length"), "11");  // "HEAD /echo\n"
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /echo\n");
}

TEST(Connection, UnansweredRequestGets500) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /unanswered HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_TRUE(test::is_openai_error(response->body));
  EXPECT_TRUE(client.wait_closed());
}

TEST(Connection, ThrowingHandlerGets500) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /throw HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_TRUE(test::is_openai_error(response->body));
  EXPECT_TRUE(client.wait_closed());
}

TEST(Connection, ClientCloseWhileHandlerWaitsAbortsOnce) {
  // A FIN while a request is being answered is an abort (nginx's default): the handler must stop
  // work nobody will read, e.g. an upstream LLM call.
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send(
      "GET /delay/300 HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/2 HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return server.stats().started == 1; }));
  client.shutdown_write();
  EXPECT_TRUE(client.wait_closed());
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == 1; }));
  EXPECT_EQ(server.stats().aborted, 1);
  EXPECT_EQ(server.stats().started, 1);  // the pipelined second request is never started
}

TEST(Connection, ClientResetWhileHandlerWaitsAbortsOnce) {
  TestServer server;
  {
    Client client(server.port());
    ASSERT_TRUE(client.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(eventually([&] { return server.stats().started == 1; }));
    client.reset();
  }
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == 1; }));
  EXPECT_EQ(server.stats().aborted, 1);
  EXPECT_EQ(server.stats().misuse, 0);
  EXPECT_TRUE(eventually([&] { return server.connection_count() == 0; }));
}

TEST(Connection, ClientCloseDuringStreamAbortsOnce) {
  TestServer server;
  {
    Client client(server.port());
    ASSERT_TRUE(client.send("GET /stream/100000 HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(client.readable_within(2000));
    client.close();  // an ordinary close: the next writes fail
  }
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == 1; }));
  EXPECT_EQ(server.stats().aborted, 1);
  EXPECT_EQ(server.stats().misuse, 0);
}

TEST(Connection, LateAnswerAfterClientLeftIsNotDelivered) {
  TestServer server;
  {
    Client client(server.port());
    ASSERT_TRUE(client.send("GET /delay/100 HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(eventually([&] { return server.stats().started == 1; }));
    client.reset();
  }
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // the timer would have fired
  EXPECT_EQ(server.stats().aborted, 1);
  EXPECT_EQ(server.stats().misuse, 0);
}

TEST(Connection, ExchangeIsDestroyedPromptlyOnIdleKeepAlive) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /delay/10 HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(client.read_response());
  // The connection stays open and idle; the finished Exchange must not linger on it.
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == 1; }));
  EXPECT_EQ(server.connection_count(), 1u);
  EXPECT_EQ(server.stats().aborted, 0);
}

TEST(Connection, LargeWholeResponseArrivesIntact) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /big/4000000 HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body.size(), 4000000u);
  EXPECT_EQ(response->body.find_first_not_of('b'), std::string::npos);
}

TEST(Connection, ProducerPacedByBufferedBytesAndDrainNotification) {
  ServerLimits limits = test::test_limits();
  limits.max_response_buffer_bytes = 64 * 1024;
  TestServer server(limits);
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /flood/200 HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->body.size(), 200u * 16 * 1024);
  for (int i = 1; i <= 200; ++i) {
    ASSERT_EQ(response->body[static_cast<size_t>(i - 1) * 16 * 1024],
              static_cast<char>('a' + i % 26));
  }
  EXPECT_GT(server.stats().drained, 0);
  EXPECT_EQ(server.stats().misuse, 0);
}

TEST(Connection, DestroyedWithPendingCallbacksIsSafe) {
  test::HandlerStats stats;
  test::LoopThread loop;
  std::unique_ptr<test::ScriptedHandler> handler;
  std::unique_ptr<Listener> listener;
  loop.run([&] {
    handler = std::make_unique<test::ScriptedHandler>(loop.base(), &stats);
    ListenerOptions options;
    options.limits = test::test_limits();
    std::string error;
    listener = Listener::create(
        loop.base(), options, [&]() -> RequestHandler& { return *handler; }, &error);
    ASSERT_TRUE(listener) << error;
  });
  uint16_t port = 0;
  loop.run([&] { port = listener->port(); });
  Client hanging(port);
  Client streaming(port);
  Client pipelined(port);
  ASSERT_TRUE(hanging.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(streaming.send("GET /stream/1000 HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(
      pipelined.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\nGET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return stats.started >= 3; }));
  ASSERT_TRUE(streaming.readable_within(2000));
  // Tear everything down from the loop thread while timers, deferred destruction and pipelined
  // input are pending.
  loop.run([&] {
    listener.reset();
    handler.reset();
  });
  EXPECT_EQ(stats.started, stats.destroyed);
  EXPECT_EQ(stats.misuse, 0);
  EXPECT_GE(stats.aborted, 2);
  EXPECT_TRUE(hanging.wait_closed());
}

TEST(Connection, ManyPipelinedLocalRepliesComeBackInOrder) {
  // Answered inside start(), each one is finished by the read that brought it, in a loop: the
  // output (well beyond one read and one early flush) must come back whole and in order.
  TestServer server;
  Client client(server.port());
  constexpr int kCount = 3000;
  ASSERT_TRUE(client.send(pipelined_gets(kCount)));
  for (int i = 0; i < kCount; ++i) {
    const auto response = client.read_response();
    ASSERT_TRUE(response) << i;
    ASSERT_EQ(response->body, "GET /echo/" + std::to_string(i) + "\n");
  }
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == kCount; }));
  EXPECT_EQ(server.stats().misuse, 0);
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST(Connection, PipelinedInputBeyondTheReadBoundWaitsForALateAnswer) {
  // More than 128 KiB of pipelined requests behind one answered late: reading pauses at the bound
  // and resumes once the first response is done; every request is answered, in order.
  TestServer server;
  Client client(server.port());
  constexpr int kCount = 5000;
  const std::string later = pipelined_gets(kCount);
  ASSERT_GT(later.size(), 160u * 1024);
  ASSERT_TRUE(client.send("GET /delay/100 HTTP/1.1\r\nHost: t\r\n\r\n" + later));
  const auto first = client.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "delayed /delay/100");
  for (int i = 0; i < kCount; ++i) {
    const auto response = client.read_response();
    ASSERT_TRUE(response) << i;
    ASSERT_EQ(response->body, "GET /echo/" + std::to_string(i) + "\n");
  }
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == kCount + 1; }));
  EXPECT_EQ(server.stats().misuse, 0);
}

TEST(Connection, ConnectionCloseStopsPipelinedRequestsAnsweredAtOnce) {
  TestServer server;
  Client client(server.port());
  ASSERT_TRUE(
      client.send("GET /echo/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                  "GET /echo/2 HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /echo/1\n");
  std::string rest;
  EXPECT_TRUE(client.wait_closed(3000, &rest));
  EXPECT_TRUE(rest.empty()) << rest;
  EXPECT_EQ(server.stats().started, 1);
}

TEST(Connection, KeepAliveDeadlineOutlivesAnEarlierTimerWakeUp) {
  // The header timer armed at accept wakes up first; by then the keep-alive deadline (later) is
  // what counts, so the connection must stay open until it.
  ServerLimits limits = test::test_limits();
  limits.header_timeout_ms = 150;
  limits.keepalive_idle_timeout_ms = 400;
  TestServer server(limits);
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(client.read_response());
  const auto answered = std::chrono::steady_clock::now();
  std::string rest;
  EXPECT_TRUE(client.wait_closed(3000, &rest));
  const auto idle = std::chrono::steady_clock::now() - answered;
  EXPECT_TRUE(rest.empty()) << rest;
  EXPECT_GE(idle, std::chrono::milliseconds(390));
  EXPECT_LT(idle, std::chrono::milliseconds(2000));
}

TEST(Connection, ResponseFieldNamesAreLowerCasedAndUnsafeFieldsDropped) {
  const char kUtf8[] = "cr\xc3\xa8me br\xc3\xbbl\xc3\xa9 au caf\xc3\xa9";  // bytes >= 0x80 are fine
  FixedFieldsHandler handler({
      {"X-Mixed-Case", "kept"},
      {"x-tab", "a\tb"},
      {"x-utf8", kUtf8},
      {"x-long", std::string(100, 'v')},
      {"bad name", "x"},
      {"", "no name"},
      {"x-ctl", "a\x01b"},
      {"x-crlf", "a\r\nx-injected: 1"},
      {"x-del-late",
       "0123456789abc\x7f"
       "def"},
      {"x-ctl-tail", "0123456789abcdefghi\x1f"},
      // Values of 16 bytes and more are looked at in blocks: a control character at either end
      // of a block, or in a later one, still drops the field; HTAB and bytes >= 0x80 do not.
      {"x-ctl-block-start", "\x02" + std::string(39, 'a')},
      {"x-ctl-block-end", std::string(15, 'a') + "\n" + std::string(24, 'a')},
      {"x-del-later-block", std::string(33, 'a') + "\x7f" + std::string(6, 'a')},
      {"x-tab-block", "0123456\t89abcdef" + std::string(kUtf8) + "\tz"},
      {"Transfer-Encoding", "gzip"},
      {"Connection", "upgrade"},
      {"Keep-Alive", "timeout=5"},
      {"TE", "trailers"},
      {"Content-Length", "99"},
  });
  HandlerServer server(handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  std::string raw;
  ASSERT_TRUE(client.wait_closed(3000, &raw));
  const std::string expected =
      "HTTP/1.1 200 OK\r\n"
      "x-mixed-case: kept\r\n"
      "x-tab: a\tb\r\n"
      "x-utf8: " +
      std::string(kUtf8) +
      "\r\n"
      "x-long: " +
      std::string(100, 'v') +
      "\r\n"
      "x-tab-block: 0123456\t89abcdef" +
      std::string(kUtf8) +
      "\tz\r\n"
      "content-length: 2\r\n"
      "connection: close\r\n"
      "\r\n"
      "ok";
  EXPECT_EQ(raw, expected);
}

}  // namespace
}  // namespace sluice::http
