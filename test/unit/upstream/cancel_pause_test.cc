// CurlTransport cancellation and backpressure: a call destroyed from inside any callback or from
// outside stops at once and silently (the server sees the disconnect; ASan checks the memory),
// calls may be started from inside callbacks, pause_body/resume_body stop and restart delivery,
// and a transport destroyed with calls out cleans up.

#include <gtest/gtest.h>

#include <vector>

#include "test/unit/upstream/transport_fixture.h"

namespace sluice::upstream::test {
namespace {

TEST_F(TransportTest, DestroyInsideHeadersStopsEverything) {
  Recorder recorder;
  std::unique_ptr<runtime::UpstreamCall> call;
  recorder.on_headers_hook = [&] { call.reset(); };
  call = transport->start(request("/stream/50/10"), recorder);
  ASSERT_TRUE(call);
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));
  loop.run_for(50);
  EXPECT_EQ(recorder.events, std::vector<std::string>{"headers"});
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(TransportTest, DestroyInsideHeadersOfAWholeResponse) {
  // The whole response is already read when the headers are delivered.
  Recorder recorder;
  std::unique_ptr<runtime::UpstreamCall> call;
  recorder.on_headers_hook = [&] { call.reset(); };
  call = transport->start(request("/echo"), recorder);
  ASSERT_TRUE(loop.run_until([&] { return transport->live_calls() == 0; }));
  loop.run_for(30);
  EXPECT_EQ(recorder.events, std::vector<std::string>{"headers"});
}

TEST_F(TransportTest, DestroyInsideBodyStopsEverything) {
  Recorder recorder;
  std::unique_ptr<runtime::UpstreamCall> call;
  recorder.on_body_hook = [&](std::string_view) { call.reset(); };
  call = transport->start(request("/stream/50/10"), recorder);
  ASSERT_TRUE(call);
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));
  loop.run_for(50);
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body"}));
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(TransportTest, DestroyFromOutsideWhileWaiting) {
  Recorder recorder;
  auto call = transport->start(request("/hang"), recorder);
  ASSERT_TRUE(loop.run_until([&] { return origin->requests.size() == 1; }));
  call.reset();
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));
  loop.run_for(30);
  EXPECT_TRUE(recorder.events.empty());
  EXPECT_EQ(transport->live_calls(), 0u);
  EXPECT_EQ(transport->watched_sockets(), 0u);
}

TEST_F(TransportTest, DestroyBeforeTheRequestIsSent) {
  Recorder recorder;
  auto call = transport->start(request("/echo"), recorder);
  call.reset();  // not even added to the multi handle yet
  loop.run_for(50);
  EXPECT_TRUE(recorder.events.empty());
  EXPECT_TRUE(origin->requests.empty());
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(TransportTest, DestroyInsideCompleteAndFailure) {
  Recorder ok;
  std::unique_ptr<runtime::UpstreamCall> ok_call;
  ok.on_complete_hook = [&] { ok_call.reset(); };
  ok_call = transport->start(request("/echo"), ok);
  Recorder failed;
  std::unique_ptr<runtime::UpstreamCall> failed_call;
  failed.on_failure_hook = [&] { failed_call.reset(); };
  auto refused = request("/echo");
  refused.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
  failed_call = transport->start(refused, failed);
  ASSERT_TRUE(loop.run_until([&] { return ok.finished() && failed.finished(); }));
  EXPECT_FALSE(ok_call);
  EXPECT_FALSE(failed_call);
  EXPECT_EQ(ok.completed, 1);
  EXPECT_EQ(failed.failed, 1);
}

TEST_F(TransportTest, DestroyAnotherCallFromInsideACallback) {
  Recorder slow;
  auto slow_call = transport->start(request("/hang"), slow);
  Recorder fast;
  fast.on_headers_hook = [&] { slow_call.reset(); };
  auto fast_call = transport->start(request("/echo"), fast);
  ASSERT_TRUE(wait(fast));
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));
  EXPECT_TRUE(slow.events.empty());
  EXPECT_EQ(fast.completed, 1);
}

TEST_F(TransportTest, StartFromInsideCallbacks) {
  // A retry or a hedge starts the next call from inside the current one's callbacks.
  Recorder second;
  Recorder third;
  std::unique_ptr<runtime::UpstreamCall> second_call;
  std::unique_ptr<runtime::UpstreamCall> third_call;
  Recorder first;
  std::unique_ptr<runtime::UpstreamCall> first_call;
  first.on_body_hook = [&](std::string_view) {
    if (!second_call) second_call = transport->start(request("/echo"), second);
  };
  first.on_complete_hook = [&] {
    first_call.reset();
    third_call = transport->start(request("/delay/5"), third);
  };
  first_call = transport->start(request("/stream/3/5"), first);
  ASSERT_TRUE(loop.run_until([&] { return second.finished() && third.finished(); }));
  EXPECT_EQ(first.completed, 1);
  EXPECT_EQ(second.completed, 1) << second.failure_reason;
  EXPECT_EQ(third.completed, 1) << third.failure_reason;
  EXPECT_TRUE(second.events.size() >= 2 && second.events.front() == "headers");
}

TEST_F(TransportTest, PauseStopsDeliveryAndResumeRestartsIt) {
  Recorder recorder;
  std::unique_ptr<runtime::UpstreamCall> call;
  recorder.on_body_hook = [&](std::string_view) {
    if (recorder.chunks.size() == 1) call->pause_body();  // from inside the body callback
  };
  auto r = request("/stream/6/10");
  r.timeouts.idle_ms = 100;  // a pause longer than this is not an idle timeout
  call = transport->start(r, recorder);
  ASSERT_TRUE(loop.run_until([&] { return recorder.chunks.size() == 1; }));
  loop.run_for(250);
  EXPECT_EQ(recorder.chunks.size(), 1u);
  EXPECT_FALSE(recorder.finished());
  EXPECT_GE(origin->pieces_sent, 2);  // the server went on writing meanwhile

  const size_t events_before = recorder.events.size();
  call->resume_body();
  EXPECT_EQ(recorder.events.size(), events_before);  // nothing delivered inside resume_body()
  ASSERT_TRUE(wait(recorder));
  ASSERT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "piece-0\npiece-1\npiece-2\npiece-3\npiece-4\npiece-5\n");
}

TEST_F(TransportTest, PauseFromOutsideAndRepeatedPauses) {
  Recorder recorder;
  auto call = transport->start(request("/stream/8/10"), recorder);
  ASSERT_TRUE(loop.run_until([&] { return !recorder.chunks.empty(); }));
  for (int round = 0; round < 3; ++round) {
    call->pause_body();
    const size_t chunks = recorder.chunks.size();
    loop.run_for(60);
    EXPECT_EQ(recorder.chunks.size(), chunks) << round;
    call->resume_body();
    call->pause_body();  // paused again before the deferred resume ran: stays paused
    loop.run_for(30);
    EXPECT_EQ(recorder.chunks.size(), chunks) << round;
    call->resume_body();
    loop.run_until([&] { return recorder.chunks.size() > chunks || recorder.finished(); }, 2000);
  }
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(),
            "piece-0\npiece-1\npiece-2\npiece-3\npiece-4\npiece-5\npiece-6\npiece-7\n");
}

TEST_F(TransportTest, PauseBeforeHeadersHoldsOnlyTheBody) {
  Recorder recorder;
  auto call = transport->start(request("/stream/3/10"), recorder);
  call->pause_body();
  ASSERT_TRUE(loop.run_until([&] { return recorder.header_calls == 1; }));
  loop.run_for(100);
  EXPECT_EQ(recorder.events, std::vector<std::string>{"headers"});
  EXPECT_EQ(origin->pieces_sent, 3);  // all written; the client holds them back
  call->resume_body();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.completed, 1) << recorder.failure_reason;
  EXPECT_EQ(recorder.body(), "piece-0\npiece-1\npiece-2\n");
}

TEST_F(TransportTest, PausedWholeResponseCompletesOnlyAfterResume) {
  // The whole response is read at once; pausing in the headers callback still holds the body,
  // and the call does not complete with body undelivered.
  Recorder recorder;
  std::unique_ptr<runtime::UpstreamCall> call;
  recorder.on_headers_hook = [&] { call->pause_body(); };
  call = transport->start(request("/echo"), recorder);
  ASSERT_TRUE(loop.run_until([&] { return recorder.header_calls == 1; }));
  loop.run_for(100);
  EXPECT_EQ(recorder.events, std::vector<std::string>{"headers"});
  call->resume_body();
  ASSERT_TRUE(wait(recorder));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"headers", "body", "complete"}));
  EXPECT_EQ(recorder.body(), "GET /echo\n");
}

TEST_F(TransportTest, DestroyInsideBodyDeliveredOnResume) {
  // The kept body is handed over from inside libcurl's unpause, in the deferred event.
  Recorder recorder;
  std::unique_ptr<runtime::UpstreamCall> call;
  call = transport->start(request("/stream/40/5"), recorder);
  ASSERT_TRUE(loop.run_until([&] { return !recorder.chunks.empty(); }));
  call->pause_body();
  loop.run_for(60);
  const size_t before = recorder.chunks.size();
  recorder.on_body_hook = [&](std::string_view) { call.reset(); };
  call->resume_body();
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));
  loop.run_for(30);
  EXPECT_EQ(recorder.chunks.size(), before + 1);
  EXPECT_EQ(recorder.completed + recorder.failed, 0);
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(TransportTest, DestroyWhilePausedWithKeptData) {
  Recorder recorder;
  auto call = transport->start(request("/stream/20/5"), recorder);
  ASSERT_TRUE(loop.run_until([&] { return !recorder.chunks.empty(); }));
  call->pause_body();
  loop.run_for(50);
  call->resume_body();
  call.reset();  // a deferred resume is pending for a call that is gone
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 1; }));
  loop.run_for(30);
  EXPECT_EQ(recorder.completed + recorder.failed, 0);
  EXPECT_EQ(transport->live_calls(), 0u);
}

TEST_F(TransportTest, TransportDestroyedWithCallsOut) {
  Recorder waiting;
  Recorder streaming;
  Recorder not_added;
  auto waiting_call = transport->start(request("/hang"), waiting);
  auto streaming_call = transport->start(request("/stream/100/10"), streaming);
  ASSERT_TRUE(loop.run_until([&] { return origin->requests.size() == 2; }));
  auto not_added_call = transport->start(request("/echo"), not_added);
  transport.reset();
  ASSERT_TRUE(loop.run_until([&] { return origin->aborted == 2; }));
  // The handles outlive the transport: they are detached, so this is harmless.
  waiting_call->pause_body();
  waiting_call->resume_body();
  waiting_call.reset();
  streaming_call.reset();
  not_added_call.reset();
  loop.run_for(30);
  EXPECT_EQ(waiting.events.size(), 0u);
  EXPECT_EQ(streaming.completed + streaming.failed, 0);
  EXPECT_EQ(not_added.events.size(), 0u);
  EXPECT_EQ(origin->requests.size(), 2u);
}

}  // namespace
}  // namespace sluice::upstream::test
