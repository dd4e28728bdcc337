// Tests for Listener: binding (port 0, IPv6, SO_REUSEPORT, bad addresses), the per-listener
// connection cap, and graceful drain.

#include "core/http/listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "test/unit/http/test_support.h"

namespace sluice::http {
namespace {

using test::Client;
using test::TestServer;

template <typename Fn>
bool eventually(Fn condition) {
  for (int i = 0; i < 400; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

bool ipv6_loopback_available() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

std::string get(uint16_t port, const std::string& host = "127.0.0.1") {
  Client client(port, host);
  if (!client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n")) return "";
  const auto response = client.read_response();
  return response ? response->body : "";
}

TEST(Listener, PortZeroGetsARealPort) {
  TestServer server;
  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(get(server.port()), "GET /echo\n");
}

TEST(Listener, Ipv6Literal) {
  // Every machine this project runs on has ::1; a missing one is a broken environment.
  ASSERT_TRUE(ipv6_loopback_available()) << "no IPv6 loopback here";
  TestServer server(test::test_limits(), nullptr, "::1");
  EXPECT_EQ(get(server.port(), "::1"), "GET /echo\n");
  EXPECT_EQ(server.last_request().peer.rfind("[::1]:", 0), 0u);
  TestServer bracketed(test::test_limits(), nullptr, "[::1]");
  EXPECT_EQ(get(bracketed.port(), "::1"), "GET /echo\n");
}

TEST(Listener, RejectsWhatIsNotAnIpLiteral) {
  test::LoopThread loop;
  loop.run([&] {
    ListenerOptions options;
    options.address = "localhost";
    std::string error;
    auto listener = Listener::create(
        loop.base(), options, []() -> RequestHandler& { std::abort(); }, &error);
    EXPECT_EQ(listener, nullptr);
    EXPECT_NE(error.find("not an IPv4 or IPv6 literal"), std::string::npos) << error;
    options.address = "203.0.113.7";  // not an address of this host
    listener = Listener::create(
        loop.base(), options, []() -> RequestHandler& { std::abort(); }, &error);
    EXPECT_EQ(listener, nullptr);
    EXPECT_NE(error.find("bind"), std::string::npos) << error;
  });
}

TEST(Listener, TwoListenersShareAPortWithReusePort) {
  test::HandlerStats stats;
  test::LoopThread loop;
  std::unique_ptr<test::ScriptedHandler> handler;
  std::unique_ptr<Listener> first;
  std::unique_ptr<Listener> second;
  loop.run([&] {
    handler = std::make_unique<test::ScriptedHandler>(loop.base(), &stats);
    ListenerOptions options;
    std::string error;
    auto provider = [&]() -> RequestHandler& { return *handler; };
    first = Listener::create(loop.base(), options, provider, &error);
    ASSERT_TRUE(first) << error;
    options.port = first->port();
    second = Listener::create(loop.base(), options, provider, &error);
    ASSERT_TRUE(second) << error;
  });
  uint16_t port = 0;
  loop.run([&] { port = first->port(); });
  for (int i = 0; i < 8; ++i) EXPECT_EQ(get(port), "GET /echo\n");
  loop.run([&] {
    first.reset();
    second.reset();
    handler.reset();
  });
}

TEST(Listener, ConnectionCapMakesClientsWaitNotFail) {
  ServerLimits limits = test::test_limits();
  limits.max_connections_per_worker = 1;
  TestServer server(limits);
  auto first = std::make_unique<Client>(server.port());
  ASSERT_TRUE(first->send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(first->read_response());
  bool accepting = true;
  server.with_listener([&](Listener& l) { accepting = l.accepting(); });
  EXPECT_FALSE(accepting);

  Client second(server.port());  // completes in the kernel backlog
  ASSERT_TRUE(second.connected());
  ASSERT_TRUE(second.send("GET /echo/second HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_FALSE(second.readable_within(200));  // waits: not accepted, not refused
  EXPECT_EQ(server.connection_count(), 1u);

  first.reset();  // frees the slot
  const auto response = second.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /echo/second\n");
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST(Listener, ConnectionCapServesAQueueOfClients) {
  ServerLimits limits = test::test_limits();
  limits.max_connections_per_worker = 2;
  TestServer server(limits);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<Client>(server.port()));
    ASSERT_TRUE(
        clients.back()->send("GET /echo/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
  }
  for (int i = 0; i < 6; ++i) {
    const auto response = clients[static_cast<size_t>(i)]->read_response();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->body, "GET /echo/" + std::to_string(i) + "\n");
    EXPECT_LE(server.connection_count(), 2u);
    clients[static_cast<size_t>(i)].reset();
  }
  EXPECT_TRUE(eventually([&] { return server.connection_count() == 0; }));
}

TEST(Listener, DrainFinishesInFlightClosesIdleAndStopsAccepting) {
  TestServer server;
  Client idle(server.port());
  ASSERT_TRUE(idle.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());
  Client busy(server.port());
  ASSERT_TRUE(busy.send("GET /delay/150 HTTP/1.1\r\nHost: t\r\n\r\n"));
  Client partial(server.port());
  ASSERT_TRUE(partial.send("GET /echo/late HTTP/1.1\r\nHo"));
  // Wait until the server has read the partial request (neither idle nor in flight).
  ASSERT_TRUE(eventually([&] {
    bool ready = false;
    server.with_listener([&](Listener& l) {
      ready = l.connection_count() == 3 && l.in_flight_count() == 1 && l.idle_count() == 1;
    });
    return ready;
  }));
  server.with_listener([&](Listener& l) { l.drain(); });

  std::string rest;
  EXPECT_TRUE(idle.wait_closed(2000, &rest));
  EXPECT_TRUE(rest.empty());
  const auto busy_response = busy.read_response();
  ASSERT_TRUE(busy_response);
  EXPECT_EQ(busy_response->body, "delayed /delay/150");
  ASSERT_NE(busy_response->header("connection"), nullptr);
  EXPECT_EQ(*busy_response->header("connection"), "close");
  EXPECT_TRUE(busy.wait_closed());
  // A request already under way on an open connection is answered, with connection: close.
  ASSERT_TRUE(partial.send("st: t\r\n\r\n"));
  const auto late = partial.read_response();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->body, "GET /echo/late\n");
  EXPECT_EQ(*late->header("connection"), "close");
  EXPECT_TRUE(partial.wait_closed());
  // No new connections.
  Client refused(server.port());
  EXPECT_FALSE(refused.connected());
  idle.close();
  busy.close();
  partial.close();
  EXPECT_TRUE(eventually([&] { return server.connection_count() == 0; }));
}

TEST(Listener, CloseIdleConnections) {
  TestServer server;
  Client idle(server.port());
  ASSERT_TRUE(idle.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());
  Client busy(server.port());
  ASSERT_TRUE(busy.send("GET /delay/100 HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return server.stats().started == 2; }));
  size_t closed = 0;
  server.with_listener([&](Listener& l) { closed = l.close_idle_connections(); });
  EXPECT_EQ(closed, 1u);
  EXPECT_TRUE(idle.wait_closed());
  const auto response = busy.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server.stats().aborted, 0);
}

TEST(Listener, CloseAllConnectionsAbortsInFlight) {
  TestServer server;
  Client busy(server.port());
  ASSERT_TRUE(busy.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return server.stats().started == 1; }));
  server.with_listener([&](Listener& l) { l.close_all_connections(); });
  EXPECT_TRUE(busy.wait_closed());
  EXPECT_TRUE(eventually([&] { return server.stats().destroyed == 1; }));
  EXPECT_EQ(server.stats().aborted, 1);
  EXPECT_EQ(server.stats().misuse, 0);
}

}  // namespace
}  // namespace sluice::http
