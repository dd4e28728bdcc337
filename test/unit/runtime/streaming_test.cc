// Streamed (SSE) upstream responses: event-by-event delivery through the response hooks, the
// head before the stream ends, an error event when the upstream breaks, and client aborts.

#include <gtest/gtest.h>

#include <string>

#include "core/runtime/sse_parser.h"
#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

constexpr const char* kTarget = "targets: [{deployment: d0, provider: p0, model: m0}]";

std::string streaming_chain() {
  return config_yaml({chain(
      "routed", "{path_prefix: /}",
      {script("a", "trace_header: x-trace"),
       filter("test.router", "r",
              "trace_header: x-trace, " + std::string(kTarget) +
                  ", max_attempts: 3, retry_statuses: [500]"),
       filter("test.upstream", "u", R"(trace_header: x-trace, url: "http://up/{deployment}")")})});
}

FakeResponse stream(std::vector<std::string> chunks, uint32_t chunk_delay_ms = 1) {
  FakeResponse r;
  r.status = 200;
  r.headers = {{"content-type", "text/event-stream"}, {"content-length", "999"}};
  r.body.clear();
  r.chunks = std::move(chunks);
  r.chunk_delay_ms = chunk_delay_ms;
  return r;
}

std::vector<SseEvent> events_of(std::string_view body) {
  SseParser parser;
  std::vector<SseEvent> events;
  EXPECT_TRUE(parser.feed(body, &events));
  return events;
}

class StreamingTest : public RuntimeTest {};

TEST_F(StreamingTest, EventsSplitAcrossChunksArriveWholeAndInOrder) {
  ASSERT_TRUE(use(streaming_chain()));
  transport_->script({stream({"data: {\"n\":1}\n\nda", "ta: {\"n\":2}\r\n\r\n: ping\n\n",
                              "event: done\ndata: [DONE]\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-length"), "<absent>");  // the upstream's length no longer holds
  EXPECT_EQ(sink_.header("content-type"), "text/event-stream");
  EXPECT_EQ(sink_.header("x-trace"), "u,r,a");  // header hooks ran in reverse, once
  auto events = events_of(sink_.body);
  ASSERT_EQ(events.size(), 3u) << sink_.body;
  EXPECT_EQ(events[0].data, "{\"n\":1}");
  EXPECT_EQ(events[1].data, "{\"n\":2}");
  EXPECT_EQ(events[2].event, "done");
  EXPECT_EQ(events[2].data, "[DONE]");
  EXPECT_EQ(sink_.body.find("ping"), std::string::npos);  // comments are not forwarded
  EXPECT_TRUE(sink_.done);
  EXPECT_EQ(completions("a", false), 1);
}

TEST_F(StreamingTest, HeadAndFirstEventGoOutBeforeTheStreamEnds) {
  ASSERT_TRUE(use(streaming_chain()));
  transport_->script({stream({"data: first\n\n", "data: second\n\n"}, 300)});
  start("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  run_for(100);
  EXPECT_EQ(sink_.heads, 1);
  EXPECT_FALSE(sink_.done);
  EXPECT_EQ(sink_.body, "data: first\n\n");
  ASSERT_TRUE(run_until_response(2000));
  EXPECT_EQ(sink_.body, "data: first\n\ndata: second\n\n");
}

TEST_F(StreamingTest, UpstreamBreakingMidStreamEndsWithAnErrorEventAndNoRetry) {
  ASSERT_TRUE(use(streaming_chain()));
  FakeResponse broken = stream({"data: {\"n\":1}\n\n"});
  broken.fail_after_chunks = true;
  transport_->script({broken, stream({"data: never\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_TRUE(sink_.done);
  auto events = events_of(sink_.body);
  ASSERT_EQ(events.size(), 2u) << sink_.body;
  EXPECT_EQ(events[0].data, "{\"n\":1}");
  EXPECT_EQ(error_code(events[1].data), "upstream_error");
  EXPECT_EQ(sink_.body.find("[DONE]"), std::string::npos);
  EXPECT_EQ(transport_->sent.size(), 1u);  // bytes went to the client: no second attempt
}

TEST_F(StreamingTest, ClientAbortMidStreamCancelsTheUpstreamAndCompletesOnce) {
  ASSERT_TRUE(use(streaming_chain()));
  transport_->script({stream({"data: 1\n\n", "data: 2\n\n", "data: 3\n\n"}, 200)});
  start("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  run_for(50);
  ASSERT_EQ(sink_.heads, 1);
  exchange_->on_abort();
  finish_exchange();
  run_for(50);
  EXPECT_EQ(transport_->cancelled, 1);
  EXPECT_EQ(transport_->live, 0);
  EXPECT_EQ(completions("a", true), 1);
  EXPECT_EQ(completions("a", false), 0);
}

TEST_F(StreamingTest, ErrorStatusIsNotStreamedAndIsRetried) {
  ASSERT_TRUE(use(streaming_chain()));
  FakeResponse error;
  error.status = 500;
  error.headers = {{"content-type", "text/event-stream"}};
  error.body = "data: {\"error\":{}}\n\n";
  transport_->script({error, stream({"data: ok\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, "data: ok\n\n");
}

}  // namespace
}  // namespace sluice::runtime::testing
