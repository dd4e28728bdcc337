// OpenAI routes end to end: chat completions (whole, streamed, tool calls), legacy completions,
// embeddings, the model list, and OpenAI error shapes for malformed requests.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <ctime>
#include <string>

#include "test/tools/support.h"
#include "tools/fake-llm/embeddings.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

// {"error":{"message":string,"type":string,"param":…,"code":…}} with exactly those members.
void expect_openai_error(const Response& response, int status, const char* type) {
  EXPECT_EQ(response.status, status);
  ASSERT_NE(response.header("content-type"), nullptr);
  EXPECT_EQ(*response.header("content-type"), "application/json");
  const auto doc = json(response.body);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("error")) << response.body;
  EXPECT_EQ(doc.MemberCount(), 1u);
  const Value& error = doc["error"];
  EXPECT_EQ(error.MemberCount(), 4u) << response.body;
  EXPECT_TRUE(error["message"].IsString());
  EXPECT_EQ(str(error["type"]), type);
  EXPECT_TRUE(error.HasMember("param"));
  EXPECT_TRUE(error.HasMember("code"));
}

// The events of a chat stream, parsed; checks the framing common to every chunk.
struct ChatStream {
  std::vector<rapidjson::Document> chunks;  // every event but [DONE]
  bool done_last = false;
};

ChatStream parse_stream(const Response& response,
                        std::string_view object = "chat.completion.chunk") {
  ChatStream stream;
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.chunked);
  EXPECT_EQ(response.ending, Ending::complete);
  const std::string* type = response.header("content-type");
  EXPECT_TRUE(type != nullptr && type->rfind("text/event-stream", 0) == 0);
  const std::vector<std::string> events = sse_events(response.body);
  EXPECT_GE(events.size(), 2u);
  if (events.empty()) return stream;
  stream.done_last = events.back() == "[DONE]";
  std::string id;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_NE(events[i], "[DONE]") << "[DONE] before the end";
    rapidjson::Document chunk = json(events[i]);
    EXPECT_EQ(str(chunk["object"]), object);
    if (id.empty()) id = str(chunk["id"]);
    EXPECT_EQ(str(chunk["id"]), id) << "every chunk shares the id";
    EXPECT_TRUE(chunk["created"].IsInt64());
    EXPECT_EQ(str(chunk["model"]), "gpt-test");
    EXPECT_TRUE(chunk["choices"].IsArray());
    stream.chunks.push_back(std::move(chunk));
  }
  return stream;
}

TEST(OpenAiChat, NonStreamShape) {
  Server server;
  const auto response = post(server.port(), "/v1/chat/completions",
                             R"({"model":"gpt-test","messages":[)"
                             R"({"role":"system","content":"be brief"},)"
                             R"({"role":"user","content":"hello big world"}]})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(*response.header("content-type"), "application/json");
  ASSERT_NE(response.header("x-request-id"), nullptr);
  EXPECT_EQ(response.header("x-request-id")->rfind("req_", 0), 0u);
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["id"]).rfind("chatcmpl-", 0), 0u);
  EXPECT_EQ(str(doc["object"]), "chat.completion");
  EXPECT_NEAR(static_cast<double>(doc["created"].GetInt64()),
              static_cast<double>(std::time(nullptr)), 5);
  EXPECT_EQ(str(doc["model"]), "gpt-test");
  EXPECT_TRUE(doc["system_fingerprint"].IsNull());
  ASSERT_EQ(doc["choices"].Size(), 1u);
  const Value& choice = doc["choices"][0];
  EXPECT_EQ(choice["index"].GetInt(), 0);
  EXPECT_EQ(str(choice["message"]["role"]), "assistant");
  EXPECT_EQ(str(choice["message"]["content"]), "Echo: hello big world");
  EXPECT_TRUE(choice["message"]["refusal"].IsNull());
  EXPECT_FALSE(choice["message"].HasMember("tool_calls"));
  EXPECT_TRUE(choice["logprobs"].IsNull());
  EXPECT_EQ(str(choice["finish_reason"]), "stop");
  EXPECT_EQ(doc["usage"]["prompt_tokens"].GetInt(), 5);      // "be brief" + "hello big world"
  EXPECT_EQ(doc["usage"]["completion_tokens"].GetInt(), 4);  // "Echo: hello big world"
  EXPECT_EQ(doc["usage"]["total_tokens"].GetInt(), 9);
}

TEST(OpenAiChat, EchoesTheLastUserMessageWithTextPartsConcatenated) {
  Server server;
  const auto response = post(server.port(), "/chat/completions",
                             R"({"model":"gpt-test","messages":[)"
                             R"({"role":"user","content":"first question"},)"
                             R"({"role":"assistant","content":"an answer"},)"
                             R"({"role":"user","content":[{"type":"text","text":"Hello "},)"
                             R"({"type":"image_url","image_url":{"url":"data:x"}},)"
                             R"({"type":"text","text":"world"}]}]})");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["choices"][0]["message"]["content"]), "Echo: Hello world");
  EXPECT_EQ(doc["usage"]["prompt_tokens"].GetInt(), 6);
}

TEST(OpenAiChat, EmptyPromptStillCountsOneToken) {
  Server server;
  const auto response = post(server.port(), "/v1/chat/completions", chat_body(""));
  ASSERT_EQ(response.status, 200);
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["choices"][0]["message"]["content"]), "Echo:");
  EXPECT_EQ(doc["usage"]["prompt_tokens"].GetInt(), 1);
}

TEST(OpenAiChatStream, ShapeWithoutUsage) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions", chat_body("one two three", R"(,"stream":true)"));
  const ChatStream stream = parse_stream(response);
  EXPECT_TRUE(stream.done_last);
  ASSERT_EQ(stream.chunks.size(), 1u + 4u + 1u);  // role, one delta per word, finish
  const Value& first = stream.chunks.front()["choices"][0];
  EXPECT_EQ(first["index"].GetInt(), 0);
  EXPECT_EQ(str(first["delta"]["role"]), "assistant");
  EXPECT_EQ(str(first["delta"]["content"]), "");
  EXPECT_TRUE(first["finish_reason"].IsNull());
  std::string content;
  for (size_t i = 1; i + 1 < stream.chunks.size(); ++i) {
    const Value& choice = stream.chunks[i]["choices"][0];
    EXPECT_FALSE(choice["delta"].HasMember("role"));
    EXPECT_TRUE(choice["finish_reason"].IsNull());
    content += str(choice["delta"]["content"]);
  }
  EXPECT_EQ(content, "Echo: one two three");
  const Value& last = stream.chunks.back()["choices"][0];
  EXPECT_TRUE(last["delta"].IsObject());
  EXPECT_EQ(last["delta"].MemberCount(), 0u);
  EXPECT_EQ(str(last["finish_reason"]), "stop");
  for (const auto& chunk : stream.chunks) EXPECT_FALSE(chunk.HasMember("usage"));
}

TEST(OpenAiChatStream, UsageChunkOnlyWithIncludeUsage) {
  Server server;
  {
    const auto response =
        post(server.port(), "/v1/chat/completions",
             chat_body("one two", R"(,"stream":true,"stream_options":{"include_usage":true})"));
    const ChatStream stream = parse_stream(response);
    EXPECT_TRUE(stream.done_last);
    ASSERT_EQ(stream.chunks.size(), 1u + 3u + 1u + 1u);
    for (size_t i = 0; i + 1 < stream.chunks.size(); ++i) {
      ASSERT_TRUE(stream.chunks[i].HasMember("usage"));
      EXPECT_TRUE(stream.chunks[i]["usage"].IsNull());
    }
    const auto& usage_chunk = stream.chunks.back();
    EXPECT_TRUE(usage_chunk["choices"].IsArray());
    EXPECT_EQ(usage_chunk["choices"].Size(), 0u);
    EXPECT_EQ(usage_chunk["usage"]["prompt_tokens"].GetInt(), 2);
    EXPECT_EQ(usage_chunk["usage"]["completion_tokens"].GetInt(), 3);
    EXPECT_EQ(usage_chunk["usage"]["total_tokens"].GetInt(), 5);
    EXPECT_EQ(str(stream.chunks[stream.chunks.size() - 2]["choices"][0]["finish_reason"]), "stop");
  }
  {
    const auto response =
        post(server.port(), "/v1/chat/completions",
             chat_body("one two", R"(,"stream":true,"stream_options":{"include_usage":false})"));
    const ChatStream stream = parse_stream(response);
    EXPECT_TRUE(stream.done_last);
    ASSERT_EQ(stream.chunks.size(), 1u + 3u + 1u);
    for (const auto& chunk : stream.chunks) EXPECT_EQ(chunk["choices"].Size(), 1u);
  }
}

TEST(OpenAiChatStream, ChunksControlSetsTheNumberOfContentDeltas) {
  Server server;
  for (const int chunks : {1, 7, 50}) {
    const auto response =
        post(server.port(), "/v1/chat/completions",
             chat_body("alpha beta gamma [[fake chunks=" + std::to_string(chunks) + "]]",
                       R"(,"stream":true)"));
    const ChatStream stream = parse_stream(response);
    ASSERT_EQ(stream.chunks.size(), static_cast<size_t>(chunks) + 2) << "chunks=" << chunks;
    std::string content;
    for (size_t i = 1; i + 1 < stream.chunks.size(); ++i) {
      content += str(stream.chunks[i]["choices"][0]["delta"]["content"]);
    }
    EXPECT_EQ(content, "Echo: alpha beta gamma");
  }
}

constexpr const char* kTools =
    R"(,"tools":[{"type":"function","function":{"name":"get_weather","parameters":)"
    R"({"type":"object","properties":{"city":{"type":"string"}}}}},)"
    R"({"type":"function","function":{"name":"other_tool"}}])";

TEST(OpenAiToolCall, NonStreamShape) {
  Server server;
  const auto response =
      post(server.port(), "/v1/chat/completions",
           chat_body(R"(weather? [[fake fault=tool_call args={"city": "Paris"}]])", kTools));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto doc = json(response.body);
  const Value& choice = doc["choices"][0];
  EXPECT_EQ(str(choice["finish_reason"]), "tool_calls");
  const Value& message = choice["message"];
  EXPECT_EQ(str(message["role"]), "assistant");
  EXPECT_TRUE(message["content"].IsNull());
  ASSERT_TRUE(message["tool_calls"].IsArray());
  ASSERT_EQ(message["tool_calls"].Size(), 1u);
  const Value& call = message["tool_calls"][0];
  EXPECT_EQ(str(call["id"]).rfind("call_", 0), 0u);
  EXPECT_EQ(str(call["type"]), "function");
  EXPECT_EQ(str(call["function"]["name"]), "get_weather");
  EXPECT_EQ(str(call["function"]["arguments"]), R"({"city": "Paris"})");
  const auto arguments = json(str(call["function"]["arguments"]));
  EXPECT_EQ(str(arguments["city"]), "Paris");
}

TEST(OpenAiToolCall, DefaultsAndNoToolsFallBackToText) {
  Server server;
  {
    const auto response = post(server.port(), "/v1/chat/completions",
                               chat_body("call it [[fake fault=tool_call]]", kTools));
    const auto doc = json(response.body);
    EXPECT_EQ(str(doc["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]), "{}");
  }
  {
    const auto response =
        post(server.port(), "/v1/chat/completions", chat_body("call it [[fake fault=tool_call]]"));
    const auto doc = json(response.body);
    EXPECT_EQ(str(doc["choices"][0]["message"]["content"]), "Echo: call it");
    EXPECT_EQ(str(doc["choices"][0]["finish_reason"]), "stop");
  }
}

TEST(OpenAiToolCall, StreamShape) {
  Server server;
  const std::string args = R"({"city": "Paris", "unit": "celsius"})";
  const auto response = post(server.port(), "/v1/chat/completions",
                             chat_body("weather? [[fake fault=tool_call args='" + args + "']]",
                                       std::string(R"(,"stream":true)") + kTools));
  const ChatStream stream = parse_stream(response);
  EXPECT_TRUE(stream.done_last);
  ASSERT_GE(stream.chunks.size(), 3u);
  const Value& first = stream.chunks.front()["choices"][0]["delta"];
  EXPECT_EQ(str(first["role"]), "assistant");
  EXPECT_TRUE(first["content"].IsNull());
  const Value& announced = first["tool_calls"][0];
  EXPECT_EQ(announced["index"].GetInt(), 0);
  EXPECT_EQ(str(announced["id"]).rfind("call_", 0), 0u);
  EXPECT_EQ(str(announced["type"]), "function");
  EXPECT_EQ(str(announced["function"]["name"]), "get_weather");
  EXPECT_EQ(str(announced["function"]["arguments"]), "");
  std::string assembled;
  for (size_t i = 1; i + 1 < stream.chunks.size(); ++i) {
    const Value& call = stream.chunks[i]["choices"][0]["delta"]["tool_calls"][0];
    EXPECT_EQ(call["index"].GetInt(), 0);
    EXPECT_FALSE(call.HasMember("id"));
    EXPECT_FALSE(call["function"].HasMember("name"));
    assembled += str(call["function"]["arguments"]);
  }
  EXPECT_EQ(assembled, args);
  EXPECT_EQ(str(stream.chunks.back()["choices"][0]["finish_reason"]), "tool_calls");
}

TEST(OpenAiCompletions, NonStreamAndStreamShapes) {
  Server server;
  {
    const auto response =
        post(server.port(), "/v1/completions", R"({"model":"gpt-test","prompt":"say this"})");
    ASSERT_EQ(response.status, 200) << response.body;
    const auto doc = json(response.body);
    EXPECT_EQ(str(doc["id"]).rfind("cmpl-", 0), 0u);
    EXPECT_EQ(str(doc["object"]), "text_completion");
    EXPECT_EQ(str(doc["model"]), "gpt-test");
    const Value& choice = doc["choices"][0];
    EXPECT_EQ(str(choice["text"]), "Echo: say this");
    EXPECT_EQ(choice["index"].GetInt(), 0);
    EXPECT_TRUE(choice["logprobs"].IsNull());
    EXPECT_EQ(str(choice["finish_reason"]), "stop");
    EXPECT_EQ(doc["usage"]["prompt_tokens"].GetInt(), 2);
    EXPECT_EQ(doc["usage"]["completion_tokens"].GetInt(), 3);
  }
  {
    const auto response =
        post(server.port(), "/v1/completions",
             R"({"model":"gpt-test","prompt":["ignored words","say this"],"stream":true,)"
             R"("stream_options":{"include_usage":true}})");
    const ChatStream stream = parse_stream(response, "text_completion");
    EXPECT_TRUE(stream.done_last);
    ASSERT_EQ(stream.chunks.size(), 3u + 1u + 1u);  // three words, finish, usage
    std::string text;
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_TRUE(stream.chunks[i]["choices"][0]["finish_reason"].IsNull());
      text += str(stream.chunks[i]["choices"][0]["text"]);
    }
    EXPECT_EQ(text, "Echo: say this");
    EXPECT_EQ(str(stream.chunks[3]["choices"][0]["finish_reason"]), "stop");
    EXPECT_EQ(stream.chunks[4]["choices"].Size(), 0u);
    EXPECT_EQ(stream.chunks[4]["usage"]["prompt_tokens"].GetInt(), 4);
  }
}

std::vector<float> vector_of(const Value& embedding) {
  std::vector<float> out;
  for (const Value& v : embedding.GetArray()) out.push_back(static_cast<float>(v.GetDouble()));
  return out;
}

TEST(OpenAiEmbeddings, ShapeAndDeterminism) {
  Server server;
  const auto one = post(server.port(), "/v1/embeddings",
                        R"({"model":"text-embedding-3-small","input":"the quick fox"})");
  ASSERT_EQ(one.status, 200) << one.body;
  const auto doc = json(one.body);
  EXPECT_EQ(str(doc["object"]), "list");
  EXPECT_EQ(str(doc["model"]), "text-embedding-3-small");
  ASSERT_EQ(doc["data"].Size(), 1u);
  EXPECT_EQ(str(doc["data"][0]["object"]), "embedding");
  EXPECT_EQ(doc["data"][0]["index"].GetInt(), 0);
  const std::vector<float> fox = vector_of(doc["data"][0]["embedding"]);
  ASSERT_EQ(fox.size(), 8u);
  double norm = 0;
  for (const float v : fox) norm += static_cast<double>(v) * v;
  EXPECT_NEAR(norm, 1.0, 1e-4);
  EXPECT_EQ(doc["usage"]["prompt_tokens"].GetInt(), 3);
  EXPECT_EQ(doc["usage"]["total_tokens"].GetInt(), 3);

  const auto many = json(
      post(server.port(), "/embeddings", R"({"model":"m","input":["a b","the quick fox","c"]})")
          .body);
  ASSERT_EQ(many["data"].Size(), 3u);
  for (rapidjson::SizeType i = 0; i < 3; ++i)
    EXPECT_EQ(many["data"][i]["index"].GetInt(), static_cast<int>(i));
  EXPECT_EQ(vector_of(many["data"][1]["embedding"]), fox) << "same input, same vector";
  EXPECT_NE(vector_of(many["data"][0]["embedding"]), fox);
  EXPECT_EQ(many["usage"]["prompt_tokens"].GetInt(), 6);

  // A directive in the input is honoured and removed before hashing.
  const auto directed = json(post(server.port(), "/v1/embeddings",
                                  R"({"model":"m","input":"the quick fox [[fake delay_ms=1]]"})")
                                 .body);
  EXPECT_EQ(vector_of(directed["data"][0]["embedding"]), fox);

  const auto wide = json(
      post(server.port(), "/v1/embeddings", R"({"model":"m","input":"x","dimensions":16})").body);
  EXPECT_EQ(wide["data"][0]["embedding"].Size(), 16u);
}

TEST(OpenAiEmbeddings, Base64AndConfiguredDimension) {
  ServerOptions options;
  options.embedding_dim = 4;
  Server server(options);
  const auto floats =
      json(post(server.port(), "/v1/embeddings", R"({"model":"m","input":"hi"})").body);
  const std::vector<float> expected = vector_of(floats["data"][0]["embedding"]);
  ASSERT_EQ(expected.size(), 4u);
  std::vector<float> direct;
  embedding_vector("hi", 4, &direct);
  EXPECT_EQ(direct, expected);
  std::string base64;
  append_base64_floats(base64, direct);
  const auto encoded = json(post(server.port(), "/v1/embeddings",
                                 R"({"model":"m","input":"hi","encoding_format":"base64"})")
                                .body);
  EXPECT_EQ(str(encoded["data"][0]["embedding"]), base64);
}

TEST(OpenAiModels, ListShape) {
  Server server;
  const auto response = call(server.port(), "GET", "/v1/models");
  ASSERT_EQ(response.status, 200);
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["object"]), "list");
  ASSERT_TRUE(doc["data"].IsArray());
  ASSERT_GT(doc["data"].Size(), 0u);
  for (const Value& model : doc["data"].GetArray()) {
    EXPECT_TRUE(model["id"].IsString());
    EXPECT_EQ(str(model["object"]), "model");
    EXPECT_TRUE(model["created"].IsInt64());
    EXPECT_TRUE(model["owned_by"].IsString());
  }
  EXPECT_EQ(call(server.port(), "GET", "/d9/models").status, 200);
}

TEST(OpenAiErrors, MalformedRequestsGetTheOpenAiErrorShape) {
  Server server;
  const uint16_t port = server.port();
  expect_openai_error(post(port, "/v1/chat/completions", "{not json"), 400,
                      "invalid_request_error");
  {
    const auto response = post(port, "/v1/chat/completions", R"({"model":"m"})");
    expect_openai_error(response, 400, "invalid_request_error");
    const auto doc = json(response.body);
    EXPECT_EQ(str(doc["error"]["param"]), "messages");
    EXPECT_EQ(str(doc["error"]["code"]), "missing_required_parameter");
  }
  {
    const auto response = post(port, "/v1/chat/completions", R"({"model":"m","messages":[]})");
    expect_openai_error(response, 400, "invalid_request_error");
    EXPECT_EQ(str(json(response.body)["error"]["code"]), "empty_array");
  }
  {
    const auto response =
        post(port, "/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}]})");
    expect_openai_error(response, 400, "invalid_request_error");
    EXPECT_TRUE(json(response.body)["error"]["param"].IsNull());
  }
  expect_openai_error(post(port, "/v1/chat/completions", chat_body("x", R"(,"stream":"yes")")), 400,
                      "invalid_request_error");
  expect_openai_error(post(port, "/v1/chat/completions",
                           chat_body("x", R"(,"stream_options":{"include_usage":true})")),
                      400, "invalid_request_error");
  expect_openai_error(post(port, "/v1/chat/completions",
                           R"({"model":"m","messages":[{"role":"robot","content":"x"}]})"),
                      400, "invalid_request_error");
  expect_openai_error(post(port, "/v1/embeddings", R"({"model":"m","input":""})"), 400,
                      "invalid_request_error");
  expect_openai_error(post(port, "/v1/completions", R"({"model":"m"})"), 400,
                      "invalid_request_error");
  {
    const auto response = post(port, "/v1/unknown", "{}");
    expect_openai_error(response, 404, "invalid_request_error");
    EXPECT_NE(str(json(response.body)["error"]["message"]).find("Invalid URL (POST /v1/unknown)"),
              std::string::npos);
  }
  expect_openai_error(call(port, "GET", "/v1/chat/completions"), 405, "invalid_request_error");
}

}  // namespace
}  // namespace fake_llm::test
