// Faults and timing end to end: reset_mid_stream really breaks the connection (stream and whole
// body), never_answer never answers, slow_first_byte sends the head first, and delays are honoured
// (lower bounds only, so the tests stay quick and do not flake).

#include <gtest/gtest.h>

#include <string>

#include "test/tools/support.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

TEST(ResetMidStream, BreaksTheStreamAfterFaultAfterChunks) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions",
           chat_body("one two three four five [[fake fault=reset_mid_stream fault_after=2]]",
                     R"(,"stream":true)"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.ending, Ending::reset) << ending_name(response.ending);
  const std::vector<std::string> events = sse_events(response.body);
  ASSERT_EQ(events.size(), 3u) << response.body;  // the role chunk and two content chunks
  for (const std::string& event : events) {
    const auto chunk = json(event);
    EXPECT_TRUE(chunk["choices"][0]["finish_reason"].IsNull());
  }
  EXPECT_EQ(response.body.find("[DONE]"), std::string::npos);

  const auto log = request_log(server.port());
  const Value& entry = log["requests"][0];
  EXPECT_EQ(str(entry["fault"]), "reset_mid_stream");
  EXPECT_EQ(entry["chunks"].GetInt(), 2);
  EXPECT_FALSE(entry["completed"].GetBool());
  EXPECT_FALSE(entry["client_disconnected"].GetBool()) << "our own reset is not a client abort";
}

TEST(ResetMidStream, DefaultsToOneChunkAndWorksWithChunkDelays) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions", chat_body("a b c", R"(,"stream":true)"),
           {{"x-fake-fault", "reset_mid_stream"}, {"x-fake-chunk-delay-ms", "20"}});
  EXPECT_EQ(response.ending, Ending::reset) << ending_name(response.ending);
  EXPECT_EQ(sse_events(response.body).size(), 2u) << response.body;
}

TEST(ResetMidStream, WholeBodiesEndShort) {
  Server server;
  const auto response = post(server.port(), "/v1/chat/completions",
                             chat_body("some words here [[fake fault=reset_mid_stream]]"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.ending, Ending::reset) << ending_name(response.ending);
  ASSERT_NE(response.header("content-length"), nullptr);
  EXPECT_LT(response.body.size(), std::stoul(*response.header("content-length")));
  EXPECT_GT(response.body.size(), 0u);
}

TEST(NeverAnswer, SendsNothing) {
  Server server;
  const auto response = call(server.port(), "POST", "/v1/chat/completions",
                             chat_body("x [[fake fault=never_answer]]"), {}, 300);
  EXPECT_EQ(response.ending, Ending::timeout);
  EXPECT_EQ(response.status, 0);
}

TEST(Delays, DelayMsHoldsTheHead) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions", chat_body("x [[fake delay_ms=150]]"));
  EXPECT_EQ(response.status, 200);
  EXPECT_GE(response.head_ms, 145);
  const auto error = post(server.port(), "/v1/chat/completions", chat_body("x"),
                          {{"x-fake-status", "500"}, {"x-fake-delay-ms", "100"}});
  EXPECT_EQ(error.status, 500);
  EXPECT_GE(error.head_ms, 95);
}

TEST(Delays, ChunkDelaySpacesTheChunks) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions",
           chat_body("x [[fake chunks=5 chunk_delay_ms=40]]", R"(,"stream":true)"));
  EXPECT_EQ(response.ending, Ending::complete);
  EXPECT_EQ(sse_events(response.body).size(), 1u + 5u + 1u + 1u);
  EXPECT_GE(response.done_ms - response.head_ms, 155);  // four gaps of 40 ms
}

TEST(Delays, SlowFirstByteSendsTheHeadFirst) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions",
           chat_body("x [[fake fault=slow_first_byte delay_ms=400]]", R"(,"stream":true)"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.ending, Ending::complete);
  EXPECT_GE(response.done_ms, 395);
  EXPECT_GE(response.done_ms - response.head_ms, 200) << "the head came well before the body";
  const auto whole = post(server.port(), "/v1/chat/completions",
                          chat_body("x [[fake fault=slow_first_byte delay_ms=300]]"));
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.ending, Ending::complete);
  EXPECT_GE(whole.done_ms, 295);
  EXPECT_EQ(json(whole.body)["object"].GetString(), std::string("chat.completion"));
}

}  // namespace
}  // namespace fake_llm::test
