// NativeTransport backpressure and cancellation: pausing holds the body back (nothing lost,
// nothing out of order), and destroying a call from inside any callback or before it connects is
// silent and frees its connection.

#include <gtest/gtest.h>

#include <vector>

#include "test/unit/upstream/native_fixture.h"

namespace sluice::upstream::test {
namespace {

using runtime::UpstreamFailure;

TEST_F(NativeTest, PauseHoldsTheBodyAndResumeDeliversItInOrder) {
  server->script = {
      ScriptServer::send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n"),
      ScriptServer::wait(30), ScriptServer::send("3\r\ntwo\r\n5\r\nthree\r\n"),
      ScriptServer::wait(30), ScriptServer::send("4\r\nfour\r\n0\r\n\r\n")};
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  bool paused = false;
  recorder.on_body_hook = [&](std::string_view) {
    if (recorder.chunks.size() == 1) {
      call->pause_body();
      paused = true;
    }
    EXPECT_FALSE(paused && recorder.chunks.size() > 1) << "a body callback while paused";
  };
  auto r = request(server->url("/"));
  r.timeouts.idle_ms = 50;  // stopped while paused: the pause outlasts it
  call = transport->start(r, recorder);
  ASSERT_TRUE(loop.run_until([&] { return paused; }));
  loop.run_for(250);  // every byte has arrived by now
  EXPECT_EQ(recorder.chunks, std::vector<std::string>{"one"});
  EXPECT_FALSE(recorder.finished());
  paused = false;
  call->resume_body();
  EXPECT_EQ(recorder.chunks.size(), 1u);  // never from inside resume_body()
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "onetwothreefour");
  EXPECT_EQ(transport->idle_connections(), 1u);
}

// A pause with bytes of the same read still unparsed: they are held, and the resume delivers
// them from the loop. libevent drops an activated timer event that is added again before its
// callback runs, and resume_body did both (activate to deliver, then add for the idle deadline):
// the held bytes waited for the idle deadline, and the call then failed with an idle timeout.
TEST_F(NativeTest, ResumeDeliversBytesHeldFromThePausedRead) {
  server->script = {
      ScriptServer::send(
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n3\r\ntwo\r\n"),
      ScriptServer::wait(30), ScriptServer::send("0\r\n\r\n")};
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  bool paused = false;
  recorder.on_body_hook = [&](std::string_view) {
    if (recorder.chunks.size() == 1) {
      call->pause_body();
      paused = true;
    }
  };
  auto r = request(server->url("/"));
  r.timeouts.idle_ms = 50;
  call = transport->start(r, recorder);
  ASSERT_TRUE(loop.run_until([&] { return paused; }));
  loop.run_for(250);  // the pause outlasts the idle deadline, so the timer is set anew on resume
  call->resume_body();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "onetwo");
}

TEST_F(NativeTest, PauseInsideHeadersHoldsBodyAndCompletion) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")};
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  recorder.on_headers_hook = [&] { call->pause_body(); };
  call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(loop.run_until([&] { return recorder.header_calls == 1; }));
  loop.run_for(50);
  EXPECT_EQ(recorder.events, std::vector<std::string>{"headers"});
  call->resume_body();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body", "complete"}));
  EXPECT_EQ(recorder.body(), "hello");
}

TEST_F(NativeTest, PauseInsideLastBodyHoldsCompletion) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")};
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  recorder.on_body_hook = [&](std::string_view) { call->pause_body(); };
  call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(loop.run_until([&] { return recorder.chunks.size() == 1; }));
  loop.run_for(30);
  EXPECT_FALSE(recorder.finished());
  call->resume_body();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1);
}

TEST_F(NativeTest, PauseBeforeHeadersStillDeliversHeaders) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")};
  Recorder recorder;
  auto call = transport->start(request(server->url("/")), recorder);
  call->pause_body();
  ASSERT_TRUE(loop.run_until([&] { return recorder.header_calls == 1; }));
  loop.run_for(30);
  EXPECT_EQ(recorder.events, std::vector<std::string>{"headers"});
  call->resume_body();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.body(), "abc");
}

TEST_F(NativeTest, LargeBodyPausedAndResumedRepeatedly) {
  const std::string body(1 << 20, 'x');
  server->script = {ScriptServer::send(
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body)};
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  int pauses = 0;
  bool paused = false;
  recorder.on_body_hook = [&](std::string_view) {
    EXPECT_FALSE(paused);
    call->pause_body();
    paused = true;
    ++pauses;
  };
  call = transport->start(request(server->url("/")), recorder);
  while (!recorder.finished()) {
    ASSERT_TRUE(loop.run_until([&] { return paused || recorder.finished(); }));
    if (paused) {
      paused = false;
      call->resume_body();
    }
  }
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), body);
  EXPECT_GE(pauses, 2);
}

TEST_F(NativeTest, CancelInsideHeaders) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")};
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  recorder.on_headers_hook = [&] { call.reset(); };
  call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(loop.run_until([&] { return recorder.header_calls == 1; }));
  loop.run_for(30);
  EXPECT_EQ(recorder.events, std::vector<std::string>{"headers"});
  EXPECT_EQ(transport->idle_connections(), 0u);  // a half-read connection is closed
  EXPECT_EQ(transport->live_calls(), 0u);
  ASSERT_TRUE(loop.run_until([&] { return server->closed_by_client == 1; }));
}

TEST_F(NativeTest, CancelInsideBody) {
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  recorder.on_body_hook = [&](std::string_view) { call.reset(); };
  call = transport->start(request(origin->url("/stream/5/20")), recorder);
  ASSERT_TRUE(loop.run_until([&] { return recorder.chunks.size() == 1; }));
  loop.run_for(100);
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body"}));
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));
  EXPECT_EQ(transport->idle_connections(), 0u);
}

TEST_F(NativeTest, CancelInsideBodyWithMoreChunksInTheSameRead) {
  server->script = {
      ScriptServer::send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n")};
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  recorder.on_body_hook = [&](std::string_view) { call.reset(); };
  call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(loop.run_until([&] { return recorder.chunks.size() == 1; }));
  loop.run_for(30);
  EXPECT_EQ(recorder.chunks, std::vector<std::string>{"a"});
  EXPECT_EQ(transport->idle_connections(), 0u);
}

TEST_F(NativeTest, CancelBeforeConnect) {
  FullBacklogPort hanging;
  Recorder recorder;
  auto call = transport->start(request("http://127.0.0.1:" + std::to_string(hanging.port()) + "/"),
                               recorder);
  ASSERT_TRUE(call);
  call.reset();
  loop.run_for(50);
  EXPECT_TRUE(recorder.events.empty());
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(NativeTest, CancelBeforeAFailureIsReported) {
  Recorder recorder;
  auto call = transport->start(request("http://127.0.0.1:" + std::to_string(closed_port()) + "/"),
                               recorder);
  loop.run_for(30);  // the refusal is seen and waits for its report, or is reported already
  const bool reported = recorder.finished();
  call.reset();
  loop.run_for(30);
  EXPECT_EQ(recorder.events.size(), reported ? 1u : 0u);
}

TEST_F(NativeTest, CancelWhileResumeIsPending) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef")};
  std::unique_ptr<runtime::UpstreamCall> call;
  Recorder recorder;
  recorder.on_headers_hook = [&] { call->pause_body(); };
  call = transport->start(request(server->url("/")), recorder);
  ASSERT_TRUE(loop.run_until([&] { return recorder.header_calls == 1; }));
  call->resume_body();
  call.reset();
  loop.run_for(30);
  EXPECT_EQ(recorder.events, std::vector<std::string>{"headers"});
}

TEST_F(NativeTest, DestroyInsideCompleteAndStartAnother) {
  server->script = {ScriptServer::send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")};
  std::unique_ptr<runtime::UpstreamCall> call;
  std::unique_ptr<runtime::UpstreamCall> next;
  Recorder first, second;
  first.on_complete_hook = [&] {
    call.reset();
    next = transport->start(request(server->url("/again")), second);
  };
  call = transport->start(request(server->url("/")), first);
  ASSERT_TRUE(loop.run_until([&] { return second.finished(); }));
  EXPECT_EQ(second.completed, 1) << second.failure_reason;
  EXPECT_EQ(server->accepted, 1);
}

TEST_F(NativeTest, ManyConcurrentStreams) {
  constexpr int kCalls = 200;
  std::vector<Recorder> recorders(kCalls);
  std::vector<std::unique_ptr<runtime::UpstreamCall>> calls;
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back(transport->start(request(origin->url("/stream/3/10")), recorders[i]));
    ASSERT_TRUE(calls.back());
  }
  ASSERT_TRUE(loop.run_until(
      [&] {
        for (const Recorder& r : recorders) {
          if (!r.finished()) return false;
        }
        return true;
      },
      20000));
  for (const Recorder& r : recorders) {
    EXPECT_EQ(r.completed, 1) << r.failure_reason;
    EXPECT_EQ(r.body(), "piece-0\npiece-1\npiece-2\n");
  }
  EXPECT_EQ(transport->idle_connections(), 64u);  // max_idle_per_host
}

}  // namespace
}  // namespace sluice::upstream::test
