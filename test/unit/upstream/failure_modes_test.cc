// CurlTransport failures: refused connect, connect timeout, first-byte, idle and total timeouts,
// a connection that breaks mid-body; each reported once, with the contract's kind.

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "test/unit/upstream/transport_fixture.h"

namespace sluice::upstream::test {
namespace {

using runtime::UpstreamFailure;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

long elapsed_ms(steady_clock::time_point since, const Recorder& recorder) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(recorder.finished_at - since).count());
}

TEST_F(TransportTest, RefusedConnectIsConnectFailure) {
  auto r = request("/");
  r.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1/x";
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(call);
  EXPECT_TRUE(recorder.events.empty());  // not even a failure inside start()
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect);
  EXPECT_NE(recorder.failure_reason.find("curl error 7"), std::string::npos)
      << recorder.failure_reason;
}

TEST_F(TransportTest, UnresolvableHostIsConnectFailure) {
  auto r = request("/");
  r.url = "http://does-not-exist.invalid/";
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder, 10000));
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::connect) << recorder.failure_reason;
}

TEST_F(TransportTest, ConnectTimeout) {
  FullBacklogPort hanging;
  auto r = request("/");
  r.url = "http://127.0.0.1:" + std::to_string(hanging.port()) + "/";
  r.timeouts.connect_ms = 150;
  Recorder recorder;
  const auto started = steady_clock::now();
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout) << recorder.failure_reason;
  // Loose lower bounds: libevent times from its cached loop clock, which may be a few ms older
  // than `started`; the point is that the timeout is neither immediate nor missing.
  EXPECT_GE(elapsed_ms(started, recorder), 100);
  EXPECT_LT(elapsed_ms(started, recorder), 900);
}

TEST_F(TransportTest, FirstByteTimeout) {
  auto r = request("/hang");
  r.timeouts.first_byte_ms = 120;
  Recorder recorder;
  const auto started = steady_clock::now();
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout);
  EXPECT_EQ(recorder.failure_reason,
            "no response within 120 ms of sending the request (first-byte timeout)");
  EXPECT_GE(elapsed_ms(started, recorder), 80);  // 120 ms timeout; see the connect test
  EXPECT_LT(elapsed_ms(started, recorder), 900);
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));  // the connection is closed
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(TransportTest, IdleTimeoutBetweenChunks) {
  auto r = request("/stream/3/1000");
  r.timeouts.idle_ms = 120;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body", "failure"}));
  EXPECT_EQ(recorder.body(), "piece-0\n");
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout);
  EXPECT_EQ(recorder.failure_reason, "no response data for 120 ms (idle timeout)");
}

TEST_F(TransportTest, IdleTimerRestartsOnEveryChunk) {
  auto r = request("/stream/8/40");  // 280 ms in all, never 100 ms of silence
  r.timeouts.idle_ms = 100;
  r.timeouts.first_byte_ms = 100;
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
}

TEST_F(TransportTest, TotalTimeout) {
  auto r = request("/stream/100/20");
  r.timeouts.total_ms = 200;
  Recorder recorder;
  const auto started = steady_clock::now();
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events.front(), "headers");
  EXPECT_EQ(recorder.events.back(), "failure");
  EXPECT_EQ(recorder.failed, 1);
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::timeout) << recorder.failure_reason;
  EXPECT_NE(recorder.failure_reason.find("curl error 28"), std::string::npos);
  EXPECT_GE(elapsed_ms(started, recorder), 150);  // 200 ms timeout; see the connect test
  EXPECT_LT(elapsed_ms(started, recorder), 900);
}

TEST_F(TransportTest, ShortBodyIsReset) {
  Recorder recorder;
  auto call = transport->start(request("/short"), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events.front(), "headers");
  EXPECT_EQ(recorder.events.back(), "failure");
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::reset) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "0123456789");
}

TEST_F(TransportTest, ConnectionClosedMidStreamIsReset) {
  Recorder recorder;
  recorder.on_body_hook = [&](std::string_view) {
    if (recorder.chunks.size() == 2) origin->listener().close_all_connections();
  };
  auto call = transport->start(request("/stream/50/10"), recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events.back(), "failure");
  EXPECT_EQ(recorder.failed, 1);
  EXPECT_EQ(recorder.completed, 0);
  EXPECT_EQ(recorder.failure_kind, UpstreamFailure::reset) << recorder.failure_reason;
  EXPECT_EQ(recorder.chunks.size(), 2u);
}

TEST_F(TransportTest, ReasonNeverShowsCredentialsOrHeaderValues) {
  auto r = request("/");
  r.url = "http://alice:hunter2secret@127.0.0.1:" + std::to_string(closed_port()) + "/";
  r.headers = {{"Authorization", "Bearer sk-live-abcdef"}};
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.failure_reason.find("hunter2secret"), std::string::npos);
  EXPECT_EQ(recorder.failure_reason.find("alice"), std::string::npos);
  EXPECT_EQ(recorder.failure_reason.find("sk-live"), std::string::npos);
}

}  // namespace
}  // namespace sluice::upstream::test
