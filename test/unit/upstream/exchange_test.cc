// CurlTransport against the project's HTTP server: requests go out as given, responses come back
// in order (headers, body chunks as they arrive, then complete), connections are reused, many
// calls run at once, start() refuses what it cannot send.

#include <gtest/gtest.h>

#include <vector>

#include "test/unit/upstream/transport_fixture.h"

namespace sluice::upstream::test {
namespace {

using runtime::UpstreamFailure;

TEST_F(TransportTest, GetDeliversHeadersBodyCompleteInOrder) {
  Recorder recorder;
  auto call = transport->start(request("/echo?q=1"), recorder);
  ASSERT_TRUE(call) << transport->last_start_error();
  EXPECT_TRUE(recorder.events.empty());  // never a callback inside start()
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events.front(), "headers");
  EXPECT_EQ(recorder.events.back(), "complete");
  EXPECT_EQ(recorder.header_calls, 1);
  EXPECT_EQ(recorder.completed, 1);
  EXPECT_EQ(recorder.failed, 0);
  EXPECT_EQ(recorder.status, 200);
  ASSERT_NE(recorder.header("x-test"), nullptr);
  EXPECT_EQ(*recorder.header("x-test"), "yes");
  ASSERT_NE(recorder.header("content-type"), nullptr);
  EXPECT_EQ(*recorder.header("content-type"), "text/plain");
  EXPECT_EQ(recorder.body(), "GET /echo?q=1\n");
  EXPECT_EQ(transport->live_calls(), 0u);  // freed once finished; the handle is now inert
  call->pause_body();
  call->resume_body();
  call.reset();
  loop.run_for(20);
  EXPECT_EQ(recorder.events.size(), 3u);
}

TEST_F(TransportTest, PostSendsMethodBodyAndHeadersExactly) {
  auto r = request("/echo", "POST");
  r.body = R"({"model":"m","messages":[]})";
  r.headers = {{"Authorization", "Bearer sk-test-123"},
               {"Content-Type", "application/json"},
               {"X-Custom", "a  b"},
               {"x-dup", "1"},
               {"x-dup", "2"}};
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(call);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "POST /echo\n" + r.body);
  ASSERT_EQ(origin->requests.size(), 1u);
  const http::Request& seen = origin->requests[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.body, r.body);
  // Exactly the given fields plus what HTTP/1.1 framing needs: no Expect, Accept, User-Agent.
  http::Headers expected = {{"host", "127.0.0.1:" + std::to_string(origin->port())},
                            {"authorization", "Bearer sk-test-123"},
                            {"content-type", "application/json"},
                            {"x-custom", "a  b"},
                            {"x-dup", "1"},
                            {"x-dup", "2"},
                            {"content-length", std::to_string(r.body.size())}};
  ASSERT_EQ(seen.headers.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(seen.headers[i].name, expected[i].name) << i;
    EXPECT_EQ(seen.headers[i].value, expected[i].value) << i;
  }
}

TEST_F(TransportTest, HeadersGoOnTheWireAsGiven) {
  RawServer raw(loop.base());
  Recorder recorder;
  std::unique_ptr<runtime::UpstreamCall> call;
  {
    // The request is gone before anything is sent: the transport keeps its own copy.
    auto r = std::make_unique<runtime::UpstreamRequest>();
    r->url = "http://127.0.0.1:" + std::to_string(raw.port()) + "/v1/x";
    r->method = "PUT";
    r->body = "abc";
    r->headers = {{"X-MiXeD-Case", "Keep Me"}, {"x-empty", ""}};
    call = transport->start(*r, recorder);
  }
  ASSERT_TRUE(call);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "proxied");
  ASSERT_EQ(raw.heads.size(), 1u);
  EXPECT_EQ(raw.heads[0], "PUT /v1/x HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(raw.port()) +
                              "\r\nX-MiXeD-Case: Keep Me\r\nx-empty:\r\nContent-Length: 3\r\n\r\n");
}

TEST_F(TransportTest, LargeBodyWithoutExpectContinue) {
  auto r = request("/echo", "POST");
  r.body.assign(3 * 1024 * 1024, 'z');  // above libcurl's 1 MiB Expect: 100-continue threshold
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  ASSERT_EQ(origin->requests.size(), 1u);
  EXPECT_EQ(http::find_header(origin->requests[0].headers, "expect"), nullptr);
  EXPECT_EQ(origin->requests[0].body.size(), r.body.size());
  EXPECT_EQ(recorder.body().size(), r.body.size() + std::string("POST /echo\n").size());
}

TEST_F(TransportTest, InterimResponseIsDiscarded) {
  // Asked for explicitly, Expect: 100-continue makes the server send "100 Continue" first.
  auto r = request("/echo", "POST");
  r.body = "payload";
  r.headers = {{"Expect", "100-continue"}};
  Recorder recorder;
  auto call = transport->start(r, recorder);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.header_calls, 1);
  EXPECT_EQ(recorder.status, 200);
  EXPECT_EQ(recorder.body(), "POST /echo\npayload");
}

TEST_F(TransportTest, HeadAndBodylessStatuses) {
  Recorder head;
  auto head_call = transport->start(request("/echo", "HEAD"), head);
  Recorder no_content;
  auto no_content_call = transport->start(request("/status/204"), no_content);
  Recorder not_found;
  auto not_found_call = transport->start(request("/status/404", "DELETE"), not_found);
  ASSERT_TRUE(loop.run_until(
      [&] { return head.finished() && no_content.finished() && not_found.finished(); }));
  EXPECT_EQ(head.events, (std::vector<std::string>{"headers", "complete"}));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(no_content.events, (std::vector<std::string>{"headers", "complete"}));
  EXPECT_EQ(no_content.status, 204);
  EXPECT_EQ(not_found.status, 404);  // a status is an answer, not a failure
  EXPECT_EQ(not_found.completed, 1);
  EXPECT_EQ(origin->requests.back().method, "DELETE");
}

TEST_F(TransportTest, StreamedChunksArriveAsTheyAreSent) {
  Recorder recorder;
  std::vector<int> sent_when_delivered;
  recorder.on_body_hook = [&](std::string_view) {
    sent_when_delivered.push_back(origin->pieces_sent);
  };
  auto call = transport->start(request("/stream/5/30"), recorder);
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "piece-0\npiece-1\npiece-2\npiece-3\npiece-4\n");
  ASSERT_GE(sent_when_delivered.size(), 2u);
  EXPECT_EQ(sent_when_delivered.front(), 1);  // piece 0 arrived before piece 1 was written
  EXPECT_EQ(recorder.events.front(), "headers");
  EXPECT_EQ(recorder.events.back(), "complete");
}

TEST_F(TransportTest, SequentialCallsReuseOneConnection) {
  for (int i = 0; i < 3; ++i) {
    Recorder recorder;
    auto call = transport->start(request("/echo"), recorder);
    ASSERT_TRUE(wait(recorder));
    ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  }
  EXPECT_EQ(origin->requests.size(), 3u);
  EXPECT_EQ(origin->peers.size(), 1u);
}

TEST_F(TransportTest, ConnectionClosedByTheServerWhileIdleIsNotReused) {
  http::ServerLimits limits;
  limits.keepalive_idle_timeout_ms = 30;
  Origin closing(loop.base(), nullptr, limits);
  for (int i = 0; i < 2; ++i) {
    runtime::UpstreamRequest r;
    r.url = closing.url("/echo");
    r.method = "POST";
    r.body = "attempt " + std::to_string(i);
    Recorder recorder;
    auto call = transport->start(r, recorder);
    ASSERT_TRUE(wait(recorder));
    ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
    EXPECT_EQ(recorder.body(), "POST /echo\n" + r.body);
    loop.run_for(80);  // the server closes the kept-alive connection meanwhile
  }
  EXPECT_EQ(closing.requests.size(), 2u);
  EXPECT_EQ(closing.peers.size(), 2u);
}

TEST_F(TransportTest, ManyConcurrentCallsComplete) {
  constexpr int kCalls = 200;
  std::vector<Recorder> recorders(kCalls);
  std::vector<std::unique_ptr<runtime::UpstreamCall>> calls;
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back(transport->start(request("/delay/20"), recorders[i]));
    ASSERT_TRUE(calls.back()) << transport->last_start_error();
  }
  EXPECT_EQ(transport->live_calls(), static_cast<size_t>(kCalls));
  ASSERT_TRUE(loop.run_until(
      [&] {
        for (const Recorder& r : recorders) {
          if (!r.finished()) return false;
        }
        return true;
      },
      15000));
  for (const Recorder& r : recorders) {
    EXPECT_EQ(r.completed, 1) << r.failure_reason;
    EXPECT_EQ(r.body(), "delayed");
  }
  EXPECT_EQ(origin->requests.size(), static_cast<size_t>(kCalls));
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(TransportTest, StartRefusesBeyondTheCallBound) {
  CurlTransportOptions options;
  options.max_calls = 2;
  auto small = make_transport(options);
  Recorder a, b, c;
  auto call_a = small->start(request("/hang"), a);
  auto call_b = small->start(request("/hang"), b);
  ASSERT_TRUE(call_a && call_b);
  EXPECT_EQ(small->start(request("/hang"), c), nullptr);
  EXPECT_EQ(small->last_start_error(), "too many upstream calls at once (2)");
  call_a.reset();
  loop.run_until([&] { return small->live_calls() == 1; });
  EXPECT_TRUE(small->start(request("/echo"), c));  // room again once the cancelled one is freed
}

TEST_F(TransportTest, StartRefusesRequestsItCannotSend) {
  Recorder recorder;
  auto bad_url = request("/echo");
  bad_url.url = "ftp://127.0.0.1/";
  EXPECT_EQ(transport->start(bad_url, recorder), nullptr);
  EXPECT_EQ(transport->last_start_error(), "upstream URL scheme is not http or https");
  bad_url.url = "not a url";
  EXPECT_EQ(transport->start(bad_url, recorder), nullptr);
  auto bad_header = request("/echo");
  bad_header.headers = {{"X-A", "1\r\nX-Injected: 2"}};
  EXPECT_EQ(transport->start(bad_header, recorder), nullptr);
  EXPECT_EQ(transport->start(request("/echo", "BAD METHOD"), recorder), nullptr);
  EXPECT_EQ(transport->live_calls(), 0u);
  loop.run_for(20);
  EXPECT_TRUE(recorder.events.empty());
}

TEST_F(TransportTest, ResponseHeaderBoundsFailAsOther) {
  Recorder many;
  auto many_call = transport->start(request("/headers/250/1"), many);  // 250 fields > 200
  Recorder big;
  auto big_call = transport->start(request("/headers/10/8000"), big);  // ~80 KiB > 64 KiB
  Recorder fine;
  auto fine_call = transport->start(request("/headers/150/100"), fine);
  ASSERT_TRUE(loop.run_until([&] { return many.finished() && big.finished() && fine.finished(); }));
  EXPECT_EQ(many.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(many.failure_kind, UpstreamFailure::other);
  EXPECT_EQ(many.failure_reason, "response has more than 200 header fields");
  EXPECT_EQ(big.events, std::vector<std::string>{"failure"});
  EXPECT_EQ(big.failure_kind, UpstreamFailure::other);
  EXPECT_EQ(big.failure_reason, "response header block exceeds 65536 bytes");
  EXPECT_EQ(fine.completed, 1) << fine.failure_reason;
  EXPECT_EQ(fine.headers.size(), 150u + 1u);  // and the server's content-length
}

}  // namespace
}  // namespace sluice::upstream::test
