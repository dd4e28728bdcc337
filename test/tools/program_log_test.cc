// The program queue (order, prefix scoping, validation) and the request log (contents, filters,
// truncation, clearing, client disconnects, sharing across workers, --no-log).

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <set>
#include <string>

#include "test/tools/support.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

TEST(ProgramQueue, AnswersInOrderThenNormally) {
  Server server;
  const auto programmed = post(
      server.port(), "/_fake/program",
      R"({"responses":[{"status":500},{"status":429,"retry_after":"1"},{"delay_ms":1},{"chunks":2}]})");
  ASSERT_EQ(programmed.status, 200) << programmed.body;
  EXPECT_EQ(json(programmed.body)["queued"].GetInt(), 4);
  EXPECT_EQ(json(call(server.port(), "GET", "/_fake/program").body)["pending"].GetInt(), 4);

  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a")).status, 500);
  const auto limited = post(server.port(), "/v1/chat/completions", chat_body("a"));
  EXPECT_EQ(limited.status, 429);
  ASSERT_NE(limited.header("retry-after"), nullptr);
  EXPECT_EQ(*limited.header("retry-after"), "1");
  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a")).status, 200);
  const auto streamed =
      post(server.port(), "/v1/chat/completions", chat_body("a b c d", R"(,"stream":true)"));
  EXPECT_EQ(sse_events(streamed.body).size(), 1u + 2u + 1u + 1u);
  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a")).status, 200);

  const auto log = request_log(server.port());
  const Value& requests = log["requests"];
  ASSERT_EQ(requests.Size(), 5u);
  EXPECT_TRUE(requests[0]["programmed"].GetBool());
  EXPECT_TRUE(requests[3]["programmed"].GetBool());
  EXPECT_FALSE(requests[4]["programmed"].GetBool());
}

TEST(ProgramQueue, DirectivesAndHeadersOverrideAnEntry) {
  Server server;
  ASSERT_EQ(
      post(server.port(), "/_fake/program", R"({"responses":[{"status":500},{"status":500}]})")
          .status,
      200);
  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a [[fake status=200]]")).status,
            200);
  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a"), {{"x-fake-status", "502"}})
                .status,
            502);
}

TEST(ProgramQueue, PrefixScopesEntries) {
  Server server;
  ASSERT_EQ(
      post(server.port(), "/_fake/program", R"({"prefix":"/d2","responses":[{"status":503}]})")
          .status,
      200);
  ASSERT_EQ(post(server.port(), "/d3/_fake/program", R"({"responses":[{"status":504}]})").status,
            200);
  EXPECT_EQ(post(server.port(), "/d1/v1/chat/completions", chat_body("a")).status, 200);
  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a")).status, 200);
  EXPECT_EQ(post(server.port(), "/d3/v1/chat/completions", chat_body("a")).status, 504);
  EXPECT_EQ(post(server.port(), "/d2/v1/chat/completions", chat_body("a")).status, 503);
  EXPECT_EQ(post(server.port(), "/d2/v1/chat/completions", chat_body("a")).status, 200);
  // An unscoped entry serves whichever request comes first.
  ASSERT_EQ(post(server.port(), "/_fake/program", R"({"responses":[{"status":500}]})").status, 200);
  EXPECT_EQ(post(server.port(), "/d7/model/m/converse",
                 R"({"messages":[{"role":"user","content":[{"text":"x"}]}]})")
                .status,
            500);
}

TEST(ProgramQueue, InvalidProgramsAreRejectedWhole) {
  Server server;
  EXPECT_EQ(post(server.port(), "/_fake/program", "[]").status, 400);
  EXPECT_EQ(post(server.port(), "/_fake/program", R"({"responses":{}})").status, 400);
  EXPECT_EQ(post(server.port(), "/_fake/program", R"({"responses":[{"status":200},{"chunks":0}]})")
                .status,
            400);
  EXPECT_EQ(post(server.port(), "/_fake/program", R"({"responses":[{"nope":1}]})").status, 400);
  EXPECT_EQ(json(call(server.port(), "GET", "/_fake/program").body)["pending"].GetInt(), 0);
  // args may be given as JSON.
  ASSERT_EQ(post(server.port(), "/_fake/program",
                 R"({"responses":[{"fault":"tool_call","args":{"k":[1,2]}}]})")
                .status,
            200);
  const auto response =
      post(server.port(), "/v1/chat/completions",
           chat_body("x", R"(,"tools":[{"type":"function","function":{"name":"f"}}])"));
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]),
            R"({"k":[1,2]})");
}

TEST(RequestLog, RecordsWhatArrivedAndHowItWasAnswered) {
  Server server;
  const int64_t before_ms = static_cast<int64_t>(std::time(nullptr)) * 1000 - 2000;
  const std::string body = chat_body("hi there [[fake chunks=2]]", R"(,"stream":true)");
  ASSERT_EQ(post(server.port(), "/d1/v1/chat/completions", body,
                 {{"Authorization", "Bearer sk-upstream"}, {"X-Custom", "a"}, {"X-Custom", "b"}})
                .status,
            200);
  ASSERT_EQ(call(server.port(), "GET", "/v1/models?x=1").status, 200);
  ASSERT_EQ(post(server.port(), "/nowhere", "{}").status, 404);

  const auto log = request_log(server.port());
  const Value& requests = log["requests"];
  ASSERT_EQ(requests.Size(), 3u) << "control requests are not logged";
  const Value& chat = requests[0];
  EXPECT_EQ(chat["seq"].GetInt(), 1);
  EXPECT_GE(chat["time_ms"].GetInt64(), before_ms);
  EXPECT_EQ(str(chat["method"]), "POST");
  EXPECT_EQ(str(chat["path"]), "/d1/v1/chat/completions");
  EXPECT_EQ(str(chat["prefix"]), "/d1");
  EXPECT_EQ(str(chat["route"]), "chat.completions");
  EXPECT_EQ(str(chat["model"]), "gpt-test");
  EXPECT_EQ(str(chat["headers"]["authorization"]), "Bearer sk-upstream");
  EXPECT_EQ(str(chat["headers"]["x-custom"]), "a, b");
  EXPECT_EQ(str(chat["headers"]["host"]), "127.0.0.1");
  EXPECT_EQ(str(chat["body"]), body);
  EXPECT_EQ(chat["body_bytes"].GetInt(), static_cast<int>(body.size()));
  EXPECT_FALSE(chat["body_truncated"].GetBool());
  EXPECT_EQ(chat["status"].GetInt(), 200);
  EXPECT_TRUE(chat["stream"].GetBool());
  EXPECT_EQ(chat["chunks"].GetInt(), 2);
  EXPECT_TRUE(chat["completed"].GetBool());
  EXPECT_FALSE(chat["client_disconnected"].GetBool());
  EXPECT_TRUE(chat["disconnected_after_ms"].IsNull());
  EXPECT_TRUE(chat["fault"].IsNull());

  const Value& models = requests[1];
  EXPECT_EQ(models["seq"].GetInt(), 2);
  EXPECT_EQ(str(models["path"]), "/v1/models");
  EXPECT_FALSE(models["stream"].GetBool());
  EXPECT_EQ(str(requests[2]["route"]), "unknown");
  EXPECT_EQ(requests[2]["status"].GetInt(), 404);

  // Filters: since, prefix (query or path prefix).
  EXPECT_EQ(request_log(server.port(), "since=2")["requests"].Size(), 1u);
  EXPECT_EQ(request_log(server.port(), "prefix=%2Fd1")["requests"].Size(), 1u);
  const auto scoped = call(server.port(), "GET", "/d1/_fake/requests");
  EXPECT_EQ(json(scoped.body)["requests"].Size(), 1u);

  // DELETE clears the log and the queue; seq keeps counting.
  ASSERT_EQ(post(server.port(), "/_fake/program", R"({"responses":[{"status":500}]})").status, 200);
  ASSERT_EQ(call(server.port(), "DELETE", "/_fake/requests").status, 200);
  EXPECT_EQ(request_log(server.port())["requests"].Size(), 0u);
  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a")).status, 200);
  EXPECT_EQ(request_log(server.port())["requests"][0]["seq"].GetInt(), 4);
}

TEST(RequestLog, TruncatesBodiesAt64KiB) {
  Server server;
  const std::string body = chat_body(std::string(100 * 1024, 'x'));
  ASSERT_EQ(post(server.port(), "/v1/chat/completions", body).status, 200);
  const auto log = request_log(server.port());
  const Value& entry = log["requests"][0];
  EXPECT_EQ(entry["body"].GetStringLength(), 64u * 1024);
  EXPECT_EQ(entry["body_bytes"].GetInt(), static_cast<int>(body.size()));
  EXPECT_TRUE(entry["body_truncated"].GetBool());
}

TEST(RequestLog, ClientDisconnectIsRecordedQuickly) {
  Server server;
  Client client(server.port());
  client.send(
      make_request("POST", "/v1/chat/completions", chat_body("wait [[fake fault=never_answer]]")));
  ASSERT_TRUE(eventually([&] { return request_log(server.port())["requests"].Size() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto closed_at = Clock::now();
  client.close();
  ASSERT_TRUE(eventually(
      [&] { return request_log(server.port())["requests"][0]["client_disconnected"].GetBool(); },
      1000));
  const double noticed_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - closed_at).count();
  EXPECT_LT(noticed_ms, 1000);
  const auto log = request_log(server.port());
  const Value& entry = log["requests"][0];
  EXPECT_GE(entry["disconnected_after_ms"].GetInt64(), 50);
  EXPECT_TRUE(entry["status"].IsNull());
  EXPECT_FALSE(entry["completed"].GetBool());
  EXPECT_EQ(str(entry["fault"]), "never_answer");
}

TEST(RequestLog, ClientDisconnectMidStream) {
  Server server;
  Client client(server.port());
  client.send(make_request(
      "POST", "/v1/chat/completions",
      chat_body("a b c d e f g h i j [[fake chunk_delay_ms=100]]", R"(,"stream":true)")));
  const Response partial = client.read_some(1);
  ASSERT_EQ(partial.status, 200);
  client.close();
  ASSERT_TRUE(eventually(
      [&] { return request_log(server.port())["requests"][0]["client_disconnected"].GetBool(); },
      1000));
  const auto log = request_log(server.port());
  const Value& entry = log["requests"][0];
  EXPECT_FALSE(entry["completed"].GetBool());
  EXPECT_LT(entry["chunks"].GetInt(), 11);
  EXPECT_GE(entry["chunks"].GetInt(), 1);
  EXPECT_EQ(entry["status"].GetInt(), 200);
}

TEST(RequestLog, SharedAcrossWorkers) {
  ServerOptions options;
  options.workers = 3;
  Server server(options);
  for (int i = 0; i < 12; ++i) {
    ASSERT_EQ(
        post(server.port(), "/v1/chat/completions", chat_body("n " + std::to_string(i))).status,
        200);
  }
  const auto log = request_log(server.port());
  ASSERT_EQ(log["requests"].Size(), 12u);
  std::set<int> seqs;
  for (const Value& entry : log["requests"].GetArray()) seqs.insert(entry["seq"].GetInt());
  EXPECT_EQ(seqs.size(), 12u);
}

TEST(RequestLog, NoLogOption) {
  ServerOptions options;
  options.log_requests = false;
  Server server(options);
  ASSERT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a")).status, 200);
  const auto log = request_log(server.port());
  EXPECT_EQ(log["requests"].Size(), 0u);
  EXPECT_FALSE(log["logging"].GetBool());
  // The program queue works without the log.
  ASSERT_EQ(post(server.port(), "/_fake/program", R"({"responses":[{"status":500}]})").status, 200);
  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("a")).status, 500);
}

}  // namespace
}  // namespace fake_llm::test
