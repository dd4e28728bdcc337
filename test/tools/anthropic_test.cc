// Anthropic Messages end to end: the message shape, the named-event stream, tool use (whole and
// as input_json_delta fragments), stop sequences and max_tokens, the x-api-key and
// anthropic-version checks, Anthropic's validation errors and error shape, and the in-stream
// error event.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/tools/json_mutations.h"
#include "test/tools/support.h"
#include "tools/fake-llm/json_out.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

const HeaderList kAuth = {{"x-api-key", "sk-ant-test"}, {"anthropic-version", "2023-06-01"}};

HeaderList with_auth(HeaderList extra) {
  HeaderList headers = kAuth;
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

std::string user_body(std::string_view text, std::string_view extra = {}) {
  std::string body =
      R"({"model":"claude-test","max_tokens":100,"messages":[{"role":"user","content":)";
  append_json_string(body, text);
  body += "}]";
  body += extra;
  body += "}";
  return body;
}

constexpr std::string_view kTools =
    R"(,"tools":[{"name":"get_weather","description":"w","input_schema":{"type":"object"}},)"
    R"({"name":"get_time","input_schema":{"type":"object"}}])";

struct NamedEvent {
  std::string name;
  std::string data;
};

// Splits an Anthropic stream into its events; each must be "event: X\ndata: Y" with data.type
// == X.
std::vector<NamedEvent> named_events(const std::string& body) {
  std::vector<NamedEvent> events;
  size_t at = 0;
  while (at < body.size()) {
    const size_t end = body.find("\n\n", at);
    EXPECT_NE(end, std::string::npos) << "unterminated event";
    if (end == std::string::npos) break;
    const std::string event = body.substr(at, end - at);
    at = end + 2;
    const size_t newline = event.find('\n');
    EXPECT_EQ(event.rfind("event: ", 0), 0u) << event;
    EXPECT_NE(newline, std::string::npos) << event;
    if (newline == std::string::npos) continue;
    NamedEvent named{event.substr(7, newline - 7), event.substr(newline + 1)};
    EXPECT_EQ(named.data.rfind("data: ", 0), 0u) << event;
    named.data = named.data.substr(6);
    EXPECT_EQ(str(json(named.data)["type"]), named.name);
    events.push_back(std::move(named));
  }
  return events;
}

void expect_anthropic_error(const Response& response, int status, const char* type,
                            std::string_view message_part = {}) {
  EXPECT_EQ(response.status, status) << response.body;
  ASSERT_NE(response.header("content-type"), nullptr);
  EXPECT_EQ(*response.header("content-type"), "application/json");
  ASSERT_NE(response.header("request-id"), nullptr);
  const auto doc = json(response.body);
  ASSERT_TRUE(doc.IsObject()) << response.body;
  EXPECT_EQ(str(doc["type"]), "error");
  EXPECT_EQ(str(doc["error"]["type"]), type) << response.body;
  EXPECT_NE(str(doc["error"]["message"]).find(message_part), std::string::npos) << response.body;
  EXPECT_EQ(str(doc["request_id"]), *response.header("request-id"));
}

TEST(AnthropicMessages, NonStreamShape) {
  Server server;
  const auto response =
      post(server.port(), "/v1/messages",
           R"({"model":"claude-test","max_tokens":100,"system":"be brief",)"
           R"("messages":[{"role":"user","content":"first"},)"
           R"({"role":"assistant","content":"ok"},)"
           R"({"role":"user","content":[{"type":"text","text":"hello "},)"
           R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}},)"
           R"({"type":"text","text":"world"}]}]})",
           kAuth);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(*response.header("content-type"), "application/json");
  ASSERT_NE(response.header("request-id"), nullptr);
  EXPECT_EQ(response.header("request-id")->rfind("req_01", 0), 0u);
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["id"]).rfind("msg_01", 0), 0u);
  EXPECT_EQ(str(doc["type"]), "message");
  EXPECT_EQ(str(doc["role"]), "assistant");
  EXPECT_EQ(str(doc["model"]), "claude-test");
  ASSERT_EQ(doc["content"].Size(), 1u);
  EXPECT_EQ(str(doc["content"][0]["type"]), "text");
  EXPECT_EQ(str(doc["content"][0]["text"]), "Echo: hello world");
  EXPECT_EQ(str(doc["stop_reason"]), "end_turn");
  EXPECT_TRUE(doc["stop_sequence"].IsNull());
  const Value& usage = doc["usage"];
  EXPECT_EQ(usage["input_tokens"].GetInt(), 6);  // be brief, first, ok, hello world
  EXPECT_EQ(usage["output_tokens"].GetInt(), 3);
  EXPECT_EQ(usage["cache_creation_input_tokens"].GetInt(), 0);
  EXPECT_EQ(usage["cache_read_input_tokens"].GetInt(), 0);

  const auto log = request_log(server.port());
  EXPECT_EQ(str(log["requests"][0]["route"]), "messages");
  EXPECT_EQ(str(log["requests"][0]["model"]), "claude-test");
}

TEST(AnthropicMessages, StreamSendsNamedEventsInOrder) {
  Server server;
  const auto response = post(server.port(), "/a1/v1/messages",
                             user_body("one two three", R"(,"stream":true)"), kAuth);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(response.chunked);
  EXPECT_EQ(response.ending, Ending::complete);
  EXPECT_EQ(*response.header("content-type"), "text/event-stream; charset=utf-8");
  ASSERT_NE(response.header("request-id"), nullptr);
  const auto events = named_events(response.body);
  std::vector<std::string> names;
  for (const auto& event : events) names.push_back(event.name);
  const std::vector<std::string> expected = {
      "message_start",       "content_block_start", "ping",
      "content_block_delta", "content_block_delta", "content_block_delta",
      "content_block_delta", "content_block_stop",  "message_delta",
      "message_stop"};
  ASSERT_EQ(names, expected) << response.body;

  const auto start = json(events[0].data);
  const Value& message = start["message"];
  EXPECT_EQ(str(message["id"]).rfind("msg_01", 0), 0u);
  EXPECT_EQ(str(message["type"]), "message");
  EXPECT_EQ(str(message["model"]), "claude-test");
  EXPECT_EQ(message["content"].Size(), 0u);
  EXPECT_TRUE(message["stop_reason"].IsNull());
  EXPECT_EQ(message["usage"]["input_tokens"].GetInt(), 3);
  const auto block = json(events[1].data);
  EXPECT_EQ(block["index"].GetInt(), 0);
  EXPECT_EQ(str(block["content_block"]["type"]), "text");
  EXPECT_EQ(str(block["content_block"]["text"]), "");
  std::string text;
  for (size_t i = 3; i < 7; ++i) {
    const auto delta = json(events[i].data);
    EXPECT_EQ(delta["index"].GetInt(), 0);
    EXPECT_EQ(str(delta["delta"]["type"]), "text_delta");
    text += str(delta["delta"]["text"]);
  }
  EXPECT_EQ(text, "Echo: one two three");
  EXPECT_EQ(json(events[7].data)["index"].GetInt(), 0);
  const auto end = json(events[8].data);
  EXPECT_EQ(str(end["delta"]["stop_reason"]), "end_turn");
  EXPECT_TRUE(end["delta"]["stop_sequence"].IsNull());
  EXPECT_EQ(end["usage"]["output_tokens"].GetInt(), 4);

  const auto log = request_log(server.port());
  EXPECT_EQ(str(log["requests"][0]["prefix"]), "/a1");
  EXPECT_EQ(log["requests"][0]["chunks"].GetInt(), 4);
}

TEST(AnthropicMessages, ToolUseWholeAndStreamed) {
  Server server;
  const auto whole =
      post(server.port(), "/v1/messages",
           user_body(R"(weather? [[fake fault=tool_call args={"city": "Paris"}]])", kTools), kAuth);
  ASSERT_EQ(whole.status, 200) << whole.body;
  const auto doc = json(whole.body);
  EXPECT_EQ(str(doc["stop_reason"]), "tool_use");
  ASSERT_EQ(doc["content"].Size(), 1u);
  const Value& use = doc["content"][0];
  EXPECT_EQ(str(use["type"]), "tool_use");
  EXPECT_EQ(str(use["id"]).rfind("toolu_01", 0), 0u);
  EXPECT_EQ(str(use["name"]), "get_weather");
  ASSERT_TRUE(use["input"].IsObject());
  EXPECT_EQ(str(use["input"]["city"]), "Paris");

  // tool_choice names the tool to call; the stream carries the input as JSON fragments.
  const auto streamed =
      post(server.port(), "/v1/messages",
           user_body(R"(time? [[fake fault=tool_call chunks=3 args={"zone": "UTC"}]])",
                     std::string(kTools) +
                         R"(,"tool_choice":{"type":"tool","name":"get_time"},"stream":true)"),
           kAuth);
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  const auto events = named_events(streamed.body);
  ASSERT_EQ(events.size(), 9u) << streamed.body;
  const auto block = json(events[1].data);
  EXPECT_EQ(str(block["content_block"]["type"]), "tool_use");
  EXPECT_EQ(str(block["content_block"]["name"]), "get_time");
  EXPECT_TRUE(block["content_block"]["input"].IsObject());
  std::string partial;
  for (size_t i = 3; i < 6; ++i) {
    const auto delta = json(events[i].data);
    EXPECT_EQ(str(delta["delta"]["type"]), "input_json_delta");
    partial += str(delta["delta"]["partial_json"]);
  }
  EXPECT_EQ(partial, R"({"zone":"UTC"})");
  EXPECT_EQ(str(json(events[7].data)["delta"]["stop_reason"]), "tool_use");

  // tool_choice none: the directive cannot call a tool.
  const auto none = post(server.port(), "/v1/messages",
                         user_body("hi [[fake fault=tool_call]]",
                                   std::string(kTools) + R"(,"tool_choice":{"type":"none"})"),
                         kAuth);
  EXPECT_EQ(str(json(none.body)["content"][0]["type"]), "text");
}

TEST(AnthropicMessages, ToolResultRoundTripIsAccepted) {
  Server server;
  const auto response = post(
      server.port(), "/v1/messages",
      R"({"model":"claude-test","max_tokens":50,"messages":[)"
      R"({"role":"user","content":"weather?"},)"
      R"({"role":"assistant","content":[{"type":"text","text":"checking"},)"
      R"({"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"},)"
      R"({"type":"text","text":"thanks"}]}])" +
          std::string(kTools) + "}",
      kAuth);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(str(json(response.body)["content"][0]["text"]), "Echo: thanks");
}

TEST(AnthropicMessages, AToolResultTurnIsEchoedThroughTheResult) {
  Server server;
  const auto response = post(
      server.port(), "/v1/messages",
      R"({"model":"claude-test","max_tokens":50,"messages":[)"
      R"({"role":"user","content":"weather?"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny [[fake status=503]]"}]}]}]})",
      kAuth);
  // The directive in the result applies too, so a test can fail the turn after a tool call.
  EXPECT_EQ(response.status, 503);
  const auto ok = post(
      server.port(), "/v1/messages",
      R"({"model":"claude-test","max_tokens":50,"messages":[)"
      R"({"role":"user","content":"weather?"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}]})",
      kAuth);
  ASSERT_EQ(ok.status, 200) << ok.body;
  const auto doc = json(ok.body);
  EXPECT_EQ(str(doc["content"][0]["text"]), "Echo: sunny");
  EXPECT_EQ(doc["usage"]["input_tokens"].GetInt(), 2);  // weather?, sunny
}

TEST(AnthropicMessages, OnlyTheFinalAssistantMessageMayBeEmpty) {
  Server server;
  const auto response =
      post(server.port(), "/v1/messages",
           R"({"model":"m","max_tokens":9,"messages":[)"
           R"({"role":"user","content":"go on"},{"role":"assistant","content":""}]})",
           kAuth);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(str(json(response.body)["content"][0]["text"]), "Echo: go on");
  EXPECT_EQ(post(server.port(), "/v1/messages",
                 R"({"model":"m","max_tokens":9,"messages":[{"role":"assistant","content":[]},)"
                 R"({"role":"user","content":"x"}]})",
                 kAuth)
                .status,
            400);
}

TEST(AnthropicMessages, StopSequencesAndMaxTokens) {
  Server server;
  const auto stopped =
      post(server.port(), "/v1/messages",
           user_body("alpha beta STOP gamma", R"(,"stop_sequences":["STOP"])"), kAuth);
  const auto doc = json(stopped.body);
  EXPECT_EQ(str(doc["content"][0]["text"]), "Echo: alpha beta ");
  EXPECT_EQ(str(doc["stop_reason"]), "stop_sequence");
  EXPECT_EQ(str(doc["stop_sequence"]), "STOP");

  const auto capped = post(
      server.port(), "/v1/messages",
      R"({"model":"m","max_tokens":2,"messages":[{"role":"user","content":"a b c d"}]})", kAuth);
  const auto capped_doc = json(capped.body);
  EXPECT_EQ(str(capped_doc["content"][0]["text"]), "Echo: a");
  EXPECT_EQ(str(capped_doc["stop_reason"]), "max_tokens");
  EXPECT_EQ(capped_doc["usage"]["output_tokens"].GetInt(), 2);
}

TEST(AnthropicMessages, ApiKeyAndVersionHeaders) {
  ServerOptions options;
  options.anthropic_key = "sk-ant-right";
  Server server(options);
  const std::string body = user_body("hi");
  expect_anthropic_error(
      post(server.port(), "/v1/messages", body, {{"anthropic-version", "2023-06-01"}}), 401,
      "authentication_error", "x-api-key");
  expect_anthropic_error(post(server.port(), "/v1/messages", body,
                              {{"x-api-key", "sk-ant-wrong"}, {"anthropic-version", "2023-06-01"}}),
                         401, "authentication_error", "invalid x-api-key");
  expect_anthropic_error(post(server.port(), "/v1/messages", body, {{"x-api-key", "sk-ant-right"}}),
                         400, "invalid_request_error", "anthropic-version");
  // A rejected request leaves the programmed entry for the next one.
  ASSERT_EQ(post(server.port(), "/_fake/program", R"({"responses":[{"status":529}]})").status, 200);
  const HeaderList good = {{"x-api-key", "sk-ant-right"}, {"anthropic-version", "2023-06-01"}};
  expect_anthropic_error(post(server.port(), "/v1/messages", body,
                              {{"x-api-key", "nope"}, {"anthropic-version", "1"}}),
                         401, "authentication_error");
  expect_anthropic_error(post(server.port(), "/v1/messages", body, good), 529, "overloaded_error");
  EXPECT_EQ(post(server.port(), "/v1/messages", body, good).status, 200);
}

TEST(AnthropicMessages, ValidationErrorsInAnthropicShape) {
  Server server;
  const auto bad = [&](const std::string& body, std::string_view message) {
    SCOPED_TRACE(body);
    expect_anthropic_error(post(server.port(), "/v1/messages", body, kAuth), 400,
                           "invalid_request_error", message);
  };
  bad("{nope", "JSON");
  bad(R"({"max_tokens":5,"messages":[{"role":"user","content":"x"}]})", "model: Field required");
  bad(R"({"model":"m","max_tokens":5,"n":1,"messages":[{"role":"user","content":"x"}]})",
      "n: Extra inputs are not permitted");
  bad(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x","name":"bob"}]})",
      "messages.0.name: Extra inputs are not permitted");
  bad(R"({"model":"m","messages":[{"role":"user","content":"x"}]})", "max_tokens: Field required");
  bad(R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})",
      "max_tokens: Input should be greater than or equal to 1");
  bad(R"({"model":"m","max_tokens":5})", "messages: Field required");
  bad(R"({"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]})",
      "messages.0.role: Input should be 'user' or 'assistant'");
  bad(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"video"}]}]})",
      "messages.0.content.0");
  bad(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"AA"}}]}]})",
      "messages.0.content.0.source.media_type");
  bad(R"({"model":"m","max_tokens":5,"temperature":1.5,"messages":[{"role":"user","content":"x"}]})",
      "temperature: Input should be less than or equal to 1");
  bad(R"({"model":"m","max_tokens":5,"system":[{"type":"image"}],"messages":[{"role":"user","content":"x"}]})",
      "system.0.type");
  bad(R"({"model":"m","max_tokens":5,"tools":[{"name":"t"}],"messages":[{"role":"user","content":"x"}]})",
      "tools.0.input_schema: Field required");
  bad(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"r"}]}]})",
      "unexpected `tool_use_id`");
  bad(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_9","name":"t","input":{}}]},)"
      R"({"role":"user","content":"no result"}]})",
      "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_9");
  bad(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":""}]})",
      "messages.0: all messages must have non-empty content except for the optional final "
      "assistant message");
  bad(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":""}]}]})",
      "text content blocks must be non-empty");
  bad(R"({"model":"m","max_tokens":5,"tool_choice":{"type":"auto"},"messages":[{"role":"user","content":"x"}]})",
      "tool_choice");
}

TEST(AnthropicMessages, InjectedStatusesUseAnthropicErrorTypes) {
  Server server;
  const std::string body = user_body("hi");
  const auto limited = post(server.port(), "/v1/messages", body,
                            with_auth({{"x-fake-status", "429"}, {"x-fake-retry-after", "3"}}));
  expect_anthropic_error(limited, 429, "rate_limit_error");
  ASSERT_NE(limited.header("retry-after"), nullptr);
  EXPECT_EQ(*limited.header("retry-after"), "3");
  expect_anthropic_error(
      post(server.port(), "/v1/messages", body, with_auth({{"x-fake-status", "529"}})), 529,
      "overloaded_error");
  expect_anthropic_error(
      post(server.port(), "/v1/messages", body, with_auth({{"x-fake-status", "500"}})), 500,
      "api_error");
  expect_anthropic_error(
      post(server.port(), "/v1/messages", body, with_auth({{"x-fake-status", "403"}})), 403,
      "permission_error");
  expect_anthropic_error(
      post(server.port(), "/v1/messages", body, with_auth({{"x-fake-status", "404"}})), 404,
      "not_found_error");
  // A stream request gets the JSON error too, and a bad control is a 400 in this shape.
  expect_anthropic_error(post(server.port(), "/v1/messages",
                              user_body("hi [[fake status=529]]", R"(,"stream":true)"), kAuth),
                         529, "overloaded_error");
  expect_anthropic_error(
      post(server.port(), "/v1/messages", body, with_auth({{"x-fake-chunks", "0"}})), 400,
      "invalid_request_error", "chunks");
  // GET on the route: 405 in Anthropic's shape.
  expect_anthropic_error(call(server.port(), "GET", "/v1/messages", {}, kAuth), 405,
                         "invalid_request_error");
}

TEST(AnthropicMessages, ErrorMidStreamEndsWithTheErrorEvent) {
  Server server;
  const auto response =
      post(server.port(), "/v1/messages",
           user_body("a b c d [[fake fault=error_mid_stream fault_after=2]]", R"(,"stream":true)"),
           kAuth);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.ending, Ending::complete);
  const auto events = named_events(response.body);
  ASSERT_EQ(events.size(), 6u) << response.body;
  EXPECT_EQ(events[3].name, "content_block_delta");
  EXPECT_EQ(events[4].name, "content_block_delta");
  EXPECT_EQ(events[5].name, "error");
  const auto error = json(events[5].data);
  EXPECT_EQ(str(error["error"]["type"]), "overloaded_error");
  EXPECT_EQ(str(error["error"]["message"]), "Overloaded");
  EXPECT_EQ(str(request_log(server.port())["requests"][0]["fault"]), "error_mid_stream");
}

TEST(AnthropicMessages, ResetMidStreamCutsTheEventStream) {
  Server server;
  const auto response =
      post(server.port(), "/v1/messages",
           user_body("a b c [[fake fault=reset_mid_stream]]", R"(,"stream":true)"), kAuth);
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.ending, Ending::complete);
  EXPECT_EQ(response.body.find("message_stop"), std::string::npos);
  EXPECT_NE(response.body.find("content_block_delta"), std::string::npos);
}

TEST(AnthropicMessages, EveryMutationOfARequestGetsAWellFormedAnswer) {
  Server server;
  const std::string body =
      R"({"model":"m","max_tokens":50,"system":[{"type":"text","text":"s"}],"messages":[)"
      R"({"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use",)"
      R"("id":"t1","name":"f","input":{"a":[1,{"b":null}]}}]},{"role":"user","content":[)"
      R"({"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"r"}]},)"
      R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA"}}]}],)"
      R"("tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"any"}})";
  ASSERT_EQ(post(server.port(), "/v1/messages", body, kAuth).status, 200);
  // Cut anywhere, or with any value of the wrong shape: a 400 in Anthropic's shape or an answer.
  for (size_t length = 0; length < body.size(); length += 3) {
    const auto response = post(server.port(), "/v1/messages", body.substr(0, length), kAuth);
    ASSERT_EQ(response.status, 400) << length;
    EXPECT_EQ(str(json(response.body)["type"]), "error");
  }
  const std::vector<std::string> variants = type_mutations(body);
  ASSERT_GT(variants.size(), 300u);
  for (const std::string& variant : variants) {
    const auto response = post(server.port(), "/v1/messages", variant, kAuth);
    ASSERT_TRUE(response.status == 200 || response.status == 400) << variant;
    const auto doc = json(response.body);
    EXPECT_EQ(str(doc["type"]), response.status == 200 ? "message" : "error") << variant;
  }
}

}  // namespace
}  // namespace fake_llm::test
