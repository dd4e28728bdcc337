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

// ---- stream_events_set (ABI 1.4) ----------------------------------------------------------

// a (downstream) -> router -> u (per-attempt); `u_extra` and `a_extra` add keys to u and a.
std::string replacing_chain(const std::string& u_extra, const std::string& a_extra = "") {
  return config_yaml(
      {chain("routed", "{path_prefix: /}",
             {script("a", "trace_header: x-trace" + a_extra),
              filter("test.router", "r", "trace_header: x-trace, " + std::string(kTarget)),
              filter("test.upstream", "u",
                     R"(trace_header: x-trace, url: "http://up/{deployment}")" + u_extra)})});
}

std::vector<std::string> data_of(std::string_view body) {
  std::vector<std::string> data;
  for (const SseEvent& event : events_of(body)) data.push_back(event.data);
  return data;
}

TEST_F(StreamingTest, AFilterTurnsOneEventIntoSeveralInOrder) {
  ASSERT_TRUE(use(replacing_chain(R"(, split_events: "-1,-2,-3")")));
  transport_->script({stream({"event: named\ndata: x\n\n", "data: y\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(data_of(sink_.body),
            (std::vector<std::string>{"x-1", "x-2", "x-3", "y-1", "y-2", "y-3"}));
  EXPECT_EQ(sink_.body.find("event: named"), std::string::npos);  // new events are unnamed
  EXPECT_TRUE(sink_.done);
}

TEST_F(StreamingTest, NewEventsPassThroughTheFiltersBeforeTheReplacerOnly) {
  // u splits each event in two; a (earlier in the chain, later in response order) splits each
  // of those again: u runs once per upstream event, a once per event u made.
  ASSERT_TRUE(use(replacing_chain(R"(, split_events: "u1,u2")", R"(, split_events: "a1,a2")")));
  transport_->script({stream({"data: e\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_EQ(data_of(sink_.body), (std::vector<std::string>{"eu1a1", "eu1a2", "eu2a1", "eu2a2"}));
}

// An event's data has no content type of its own: spliced (as translate renames an event's
// model), it is JSON to the filters after the splicer when it looks like JSON, as when it came.
TEST_F(StreamingTest, AnEventAFilterSplicedIsJsonToTheFiltersAfterIt) {
  ASSERT_TRUE(use(replacing_chain(R"(, response_splice: {m1: renamed})",
                                  R"(, response_json_get: {model: /model})")));
  transport_->script({stream({"data: {\"model\":\"m1\",\"n\":1}\n\n", "data: [DONE]\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(data_of(sink_.body),
            (std::vector<std::string>{R"({"model":"renamed","n":1} model=renamed)",
                                      "[DONE] model=<none>"}));
}

TEST_F(StreamingTest, AFilterDropsEventsWithAnEmptyReplacement) {
  ASSERT_TRUE(use(replacing_chain(R"(, split_events: "")")));
  transport_->script({stream({"data: x\n\n", "data: y\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, "");
  EXPECT_TRUE(sink_.done);
  EXPECT_EQ(completions("a", false), 1);
}

TEST_F(StreamingTest, EventsMadeAtTheEndGoOutBeforeTheEndAndThroughEarlierFilters) {
  ASSERT_TRUE(use(replacing_chain(R"(, end_events: "last,[DONE]")", R"(, end_events: "a-end")")));
  transport_->script({stream({"data: x\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  // a sees u's closing events as ordinary events, then the end once: its own closing event
  // comes after them.
  EXPECT_EQ(data_of(sink_.body), (std::vector<std::string>{"x", "last", "[DONE]", "a-end"}));
  EXPECT_TRUE(sink_.done);
  EXPECT_EQ(completions("u", false), 1);
  EXPECT_EQ(completions("a", false), 1);
}

TEST_F(StreamingTest, EventsSetFromOnOpDoneAreTakenByTheNextSlotEvenWithoutABodyHook) {
  // In response order: u, r, a, then p, a filter with no body hook (test.passive: the SDK leaves
  // its hooks NULL, as the log filter's). a stops on every event and, in on_op_done, sets one
  // event before resuming. The slot after a takes the replacement, hook or none: each upstream
  // event comes out as "r", and so does the end-of-stream pass a also stops in.
  ASSERT_TRUE(use(config_yaml(
      {chain("passive", "{path_prefix: /}",
             {filter("test.passive", "p", ""),
              script("a", R"(on_response_body: "stop_then_resume:1", op_done_events: "r")"),
              filter("test.router", "r", std::string(kTarget)),
              filter("test.upstream", "u", R"(url: "http://up/{deployment}")")})})));
  transport_->script({stream({"data: x\n\n", "data: y\n\n"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  for (int i = 0; i < 200 && !sink_.done; ++i) run_for(10);  // a timer of 1 ms an event
  ASSERT_TRUE(sink_.done);
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(data_of(sink_.body), (std::vector<std::string>{"r", "r", "r"}));
  EXPECT_EQ(completions("p", false), 1);
}

TEST_F(StreamingTest, ReplacingOutsideAStreamedBodyIsRefused) {
  // A plain (not streamed) answer: the hook's stream_events_set is refused, the body unchanged.
  ASSERT_TRUE(use(replacing_chain(R"(, end_events: "no")")));
  FakeResponse plain;
  plain.body = R"({"ok":1})";
  plain.headers = {{"content-type", "application/json"}};
  transport_->script({plain});
  send("POST", "/v1/chat/completions", R"({"model":"gpt"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, R"({"ok":1})");
}

FakeResponse raw_stream(std::vector<std::string> chunks) {
  FakeResponse r = stream(std::move(chunks));
  r.headers = {{"content-type", "application/vnd.amazon.eventstream"}};
  return r;
}

TEST_F(StreamingTest, ARawEventStreamAFilterDropsSendsNothingButTheHead) {
  ASSERT_TRUE(use(replacing_chain(R"(, split_events: "")")));
  // A filter that keeps nothing: the raw reads are dropped, nothing is sent but the head.
  transport_->script({raw_stream({std::string("\0\0\0\x10", 4), "abc"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, "");
  EXPECT_TRUE(sink_.done);
}

TEST_F(StreamingTest, EachReadOfARawEventStreamIsOneEventForTheHooks) {
  ASSERT_TRUE(use(replacing_chain(R"(, split_events: "!")")));
  transport_->script({raw_stream({"ab", "c\xff"})});
  send("POST", "/v1/chat/completions", R"({"model":"gpt","stream":true})");
  // Each read, as it came, became one SSE event.
  EXPECT_EQ(data_of(sink_.body), (std::vector<std::string>{"ab!", "c\xff!"}));
}

TEST_F(StreamingTest, ARawEventStreamNoFilterReplacesGoesOutByteForByte) {
  ASSERT_TRUE(use(streaming_chain()));
  const std::string frame("\0\0\0\x10\0\0\0\0\x05\xc2\x48\xeb\x7d\x98\xc8\xff", 16);
  transport_->script({raw_stream({frame.substr(0, 5), frame.substr(5)})});
  send("POST", "/model/m/converse-stream", "{}");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-type"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(sink_.body, frame);
  EXPECT_TRUE(sink_.done);
}

}  // namespace
}  // namespace sluice::runtime::testing
