// Gemini API end to end: generateContent and streamGenerateContent (alt=sse events separated by
// CRLF pairs, or a streamed JSON array), function calls, MAX_TOKENS and stop sequences, safety
// blocks of the answer and of the prompt, the API key checks, proto-JSON validation (unknown
// fields, contents, parts, roles) and Google's error shape.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/tools/json_mutations.h"
#include "test/tools/support.h"
#include "tools/fake-llm/json_out.h"
#include "tools/fake-llm/routes.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

constexpr const char* kGenerate = "/v1beta/models/gemini-2.0-flash:generateContent";
constexpr const char* kStream = "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse";
const HeaderList kKey = {{"x-goog-api-key", "AIza-test"}};

std::string user_body(std::string_view text, std::string_view extra = {}) {
  std::string body = R"({"contents":[{"role":"user","parts":[{"text":)";
  append_json_string(body, text);
  body += "}]}]";
  body += extra;
  body += "}";
  return body;
}

constexpr std::string_view kTools =
    R"(,"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"OBJECT"}},)"
    R"({"name":"get_time"}]}])";

// The JSON of each `data: …\r\n\r\n` event; the body must be nothing else.
std::vector<std::string> crlf_events(const std::string& body) {
  std::vector<std::string> events;
  size_t at = 0;
  while (at < body.size()) {
    const size_t end = body.find("\r\n\r\n", at);
    EXPECT_NE(end, std::string::npos) << "event not ended by CRLF CRLF: " << body.substr(at);
    if (end == std::string::npos) break;
    const std::string event = body.substr(at, end - at);
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    events.push_back(event.substr(6));
    at = end + 4;
  }
  return events;
}

void expect_google_error(const Response& response, int status, const char* status_name,
                         std::string_view message_part = {}) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(*response.header("content-type"), "application/json; charset=UTF-8");
  const auto doc = json(response.body);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("error")) << response.body;
  EXPECT_EQ(doc.MemberCount(), 1u);
  const Value& error = doc["error"];
  EXPECT_EQ(error["code"].GetInt(), status);
  EXPECT_EQ(str(error["status"]), status_name);
  EXPECT_NE(str(error["message"]).find(message_part), std::string::npos) << response.body;
}

TEST(GoogleRoutes, GeminiAndVertexPaths) {
  Route route = match_route("/g1/v1beta/models/gemini-2.0-flash:generateContent");
  EXPECT_EQ(route.kind, RouteKind::gemini_generate);
  EXPECT_EQ(route.prefix, "/g1");
  EXPECT_EQ(route.model_id, "gemini-2.0-flash");
  EXPECT_EQ(match_route("/v1/models/m:streamGenerateContent").kind, RouteKind::gemini_stream);
  route = match_route(
      "/vx/v1/projects/my-proj/locations/us-central1/publishers/google/models/"
      "gemini-2.0-flash-001:streamGenerateContent");
  EXPECT_EQ(route.kind, RouteKind::vertex_stream);
  EXPECT_EQ(route.prefix, "/vx");
  EXPECT_EQ(route.model_id, "gemini-2.0-flash-001");
  EXPECT_EQ(
      match_route("/v1beta1/projects/p/locations/l/publishers/google/models/m:generateContent")
          .kind,
      RouteKind::vertex_generate);
  EXPECT_EQ(match_route("/v1beta/models/m:countTokens").kind, RouteKind::unknown);
  EXPECT_EQ(match_route("/v1/projects/p/publishers/google/models/m:generateContent").kind,
            RouteKind::unknown);
  EXPECT_TRUE(match_route("/v1beta/models/:generateContent").bad_model_id);
}

TEST(GeminiGenerate, ResponseShape) {
  Server server;
  const auto response =
      post(server.port(), kGenerate,
           R"({"systemInstruction":{"parts":[{"text":"be brief"}]},)"
           R"("contents":[{"role":"user","parts":[{"text":"first"}]},)"
           R"({"role":"model","parts":[{"text":"ok"}]},)"
           R"({"role":"user","parts":[{"text":"hello "},)"
           R"({"inlineData":{"mimeType":"image/png","data":"AA=="}},{"text":"world"}]}],)"
           R"("generationConfig":{"temperature":0.5,"max_output_tokens":100}})",
           kKey);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(*response.header("content-type"), "application/json; charset=UTF-8");
  const auto doc = json(response.body);
  ASSERT_EQ(doc["candidates"].Size(), 1u);
  const Value& candidate = doc["candidates"][0];
  EXPECT_EQ(str(candidate["content"]["role"]), "model");
  ASSERT_EQ(candidate["content"]["parts"].Size(), 1u);
  EXPECT_EQ(str(candidate["content"]["parts"][0]["text"]), "Echo: hello world");
  EXPECT_EQ(str(candidate["finishReason"]), "STOP");
  EXPECT_EQ(candidate["index"].GetInt(), 0);
  const Value& usage = doc["usageMetadata"];
  EXPECT_EQ(usage["promptTokenCount"].GetInt(), 6);
  EXPECT_EQ(usage["candidatesTokenCount"].GetInt(), 3);
  EXPECT_EQ(usage["totalTokenCount"].GetInt(), 9);
  EXPECT_EQ(str(doc["modelVersion"]), "gemini-2.0-flash");
  EXPECT_FALSE(str(doc["responseId"]).empty());
  EXPECT_FALSE(doc.HasMember("createTime"));

  const auto log = request_log(server.port());
  EXPECT_EQ(str(log["requests"][0]["route"]), "gemini.generateContent");
  EXPECT_EQ(str(log["requests"][0]["model"]), "gemini-2.0-flash");
}

TEST(GeminiStream, SseEventsSeparatedByCrlfWithoutDone) {
  Server server;
  const auto response = post(server.port(), kStream, user_body("one two three"), kKey);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(response.chunked);
  EXPECT_EQ(response.ending, Ending::complete);
  EXPECT_EQ(*response.header("content-type"), "text/event-stream");
  const auto events = crlf_events(response.body);
  ASSERT_EQ(events.size(), 5u) << response.body;  // four words, then the finishing event
  std::string text;
  std::string id;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto chunk = json(events[i]);
    const Value& candidate = chunk["candidates"][0];
    text += str(candidate["content"]["parts"][0]["text"]);
    if (id.empty()) id = str(chunk["responseId"]);
    EXPECT_EQ(str(chunk["responseId"]), id);
    EXPECT_EQ(chunk["usageMetadata"]["promptTokenCount"].GetInt(), 3);
    const bool last = i + 1 == events.size();
    EXPECT_EQ(candidate.HasMember("finishReason"), last);
    EXPECT_EQ(chunk["usageMetadata"].HasMember("candidatesTokenCount"), last);
  }
  EXPECT_EQ(text, "Echo: one two three");
  const auto last = json(events.back());
  EXPECT_EQ(str(last["candidates"][0]["finishReason"]), "STOP");
  EXPECT_EQ(last["usageMetadata"]["candidatesTokenCount"].GetInt(), 4);
  EXPECT_EQ(request_log(server.port())["requests"][0]["chunks"].GetInt(), 4);
}

TEST(GeminiStream, WithoutAltSseAStreamedJsonArray) {
  Server server;
  const auto response = post(server.port(), "/v1beta/models/gemini-2.0-flash:streamGenerateContent",
                             user_body("a b", ""), kKey);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(response.chunked);
  EXPECT_EQ(*response.header("content-type"), "application/json; charset=UTF-8");
  const auto doc = json(response.body);
  ASSERT_TRUE(doc.IsArray()) << response.body;
  ASSERT_EQ(doc.Size(), 4u);
  std::string text;
  for (const Value& item : doc.GetArray()) {
    text += str(item["candidates"][0]["content"]["parts"][0]["text"]);
  }
  EXPECT_EQ(text, "Echo: a b");
}

TEST(GeminiGenerate, FunctionCallsWholeAndStreamed) {
  Server server;
  const auto whole =
      post(server.port(), kGenerate,
           user_body(R"(weather [[fake fault=tool_call args={"city": "Paris"}]])", kTools), kKey);
  ASSERT_EQ(whole.status, 200) << whole.body;
  const auto doc = json(whole.body);
  const Value& part = doc["candidates"][0]["content"]["parts"][0];
  EXPECT_EQ(str(part["functionCall"]["name"]), "get_weather");
  EXPECT_EQ(str(part["functionCall"]["args"]["city"]), "Paris");
  EXPECT_EQ(str(doc["candidates"][0]["finishReason"]), "STOP");

  const auto streamed = post(
      server.port(), kStream,
      user_body(
          "time [[fake fault=tool_call]]",
          std::string(kTools) +
              R"(,"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_time"]}})"),
      kKey);
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  const auto events = crlf_events(streamed.body);
  ASSERT_EQ(events.size(), 1u) << streamed.body;
  const auto chunk = json(events[0]);
  EXPECT_EQ(str(chunk["candidates"][0]["content"]["parts"][0]["functionCall"]["name"]), "get_time");
  EXPECT_TRUE(chunk["candidates"][0]["content"]["parts"][0]["functionCall"]["args"].IsObject());
  EXPECT_EQ(str(chunk["candidates"][0]["finishReason"]), "STOP");

  const auto none =
      post(server.port(), kGenerate,
           user_body("x [[fake fault=tool_call]]",
                     std::string(kTools) +
                         R"(,"tool_config":{"function_calling_config":{"mode":"NONE"}})"),
           kKey);
  EXPECT_TRUE(json(none.body)["candidates"][0]["content"]["parts"][0].HasMember("text"));

  // A function response turn is accepted and the last user text echoed.
  const auto round_trip = post(
      server.port(), kGenerate,
      std::string(R"({"contents":[{"role":"user","parts":[{"text":"weather"}]},)") +
          R"({"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},)" +
          R"({"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"t":21}}}]}])" +
          std::string(kTools) + "}",
      kKey);
  ASSERT_EQ(round_trip.status, 200) << round_trip.body;
  EXPECT_EQ(str(json(round_trip.body)["candidates"][0]["content"]["parts"][0]["text"]),
            R"(Echo: {"t":21})");
}

TEST(GeminiGenerate, MaxTokensAndStopSequences) {
  Server server;
  const auto capped =
      post(server.port(), kGenerate,
           user_body("a b c d", R"(,"generationConfig":{"maxOutputTokens":2})"), kKey);
  const auto doc = json(capped.body);
  EXPECT_EQ(str(doc["candidates"][0]["content"]["parts"][0]["text"]), "Echo: a");
  EXPECT_EQ(str(doc["candidates"][0]["finishReason"]), "MAX_TOKENS");
  EXPECT_EQ(doc["usageMetadata"]["candidatesTokenCount"].GetInt(), 2);
  const auto stopped =
      post(server.port(), kGenerate,
           user_body("a b END c", R"(,"generationConfig":{"stopSequences":["END"]})"), kKey);
  const auto stopped_doc = json(stopped.body);
  EXPECT_EQ(str(stopped_doc["candidates"][0]["content"]["parts"][0]["text"]), "Echo: a b ");
  EXPECT_EQ(str(stopped_doc["candidates"][0]["finishReason"]), "STOP");
}

TEST(GeminiGenerate, SafetyBlocksOfTheAnswerAndOfThePrompt) {
  Server server;
  const auto blocked =
      post(server.port(), kGenerate, user_body("x [[fake safety=response]]"), kKey);
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  const auto doc = json(blocked.body);
  const Value& candidate = doc["candidates"][0];
  EXPECT_EQ(str(candidate["finishReason"]), "SAFETY");
  EXPECT_FALSE(candidate.HasMember("content"));
  ASSERT_TRUE(candidate["safetyRatings"].IsArray());
  bool any_blocked = false;
  for (const Value& rating : candidate["safetyRatings"].GetArray()) {
    EXPECT_TRUE(rating["category"].IsString());
    EXPECT_TRUE(rating["probability"].IsString());
    any_blocked = any_blocked || (rating.HasMember("blocked") && rating["blocked"].GetBool());
  }
  EXPECT_TRUE(any_blocked);

  const auto prompt = post(server.port(), kGenerate, user_body("x"),
                           {{"x-goog-api-key", "k"}, {"x-fake-safety", "prompt"}});
  ASSERT_EQ(prompt.status, 200) << prompt.body;
  const auto prompt_doc = json(prompt.body);
  EXPECT_FALSE(prompt_doc.HasMember("candidates"));
  EXPECT_EQ(str(prompt_doc["promptFeedback"]["blockReason"]), "SAFETY");
  EXPECT_TRUE(prompt_doc["promptFeedback"]["safetyRatings"].IsArray());
  EXPECT_EQ(prompt_doc["usageMetadata"]["promptTokenCount"].GetInt(), 1);

  const auto streamed = post(server.port(), kStream, user_body("x [[fake safety=response]]"), kKey);
  const auto events = crlf_events(streamed.body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(str(json(events[0])["candidates"][0]["finishReason"]), "SAFETY");
}

TEST(GeminiStream, ProgrammedSafetyAndResetFaults) {
  Server server;
  ASSERT_EQ(
      post(server.port(), "/g/_fake/program",
           R"({"responses":[{"safety":"prompt"},{"fault":"reset_mid_stream","fault_after":1}]})")
          .status,
      200);
  const auto blocked = post(server.port(), std::string("/g") + kGenerate, user_body("x"), kKey);
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_EQ(str(json(blocked.body)["promptFeedback"]["blockReason"]), "SAFETY");
  const auto reset = post(server.port(), std::string("/g") + kStream, user_body("a b c"), kKey);
  EXPECT_EQ(reset.status, 200);
  EXPECT_NE(reset.ending, Ending::complete);
  EXPECT_EQ(reset.body.find("finishReason"), std::string::npos);
  EXPECT_NE(reset.body.find("Echo:"), std::string::npos);
  const auto log = request_log(server.port(), "prefix=/g");
  EXPECT_TRUE(log["requests"][0]["programmed"].GetBool());
  EXPECT_EQ(str(log["requests"][1]["fault"]), "reset_mid_stream");
}

TEST(GeminiAuth, ApiKeyInHeaderOrQuery) {
  ServerOptions options;
  options.gemini_key = "AIza-right";
  Server server(options);
  const std::string body = user_body("hi");
  expect_google_error(post(server.port(), kGenerate, body), 403, "PERMISSION_DENIED");
  const auto wrong = post(server.port(), kGenerate, body, {{"x-goog-api-key", "AIza-wrong"}});
  expect_google_error(wrong, 400, "INVALID_ARGUMENT", "API key not valid");
  const auto wrong_doc = json(wrong.body);
  const auto details = wrong_doc["error"]["details"].GetArray();
  ASSERT_EQ(details.Size(), 1u);
  EXPECT_EQ(str(details[0]["@type"]), "type.googleapis.com/google.rpc.ErrorInfo");
  EXPECT_EQ(str(details[0]["reason"]), "API_KEY_INVALID");
  EXPECT_EQ(post(server.port(), kGenerate, body, {{"x-goog-api-key", "AIza-right"}}).status, 200);
  EXPECT_EQ(post(server.port(), std::string(kGenerate) + "?key=AIza-right", body).status, 200);
  EXPECT_EQ(post(server.port(), std::string(kStream) + "&key=AIza-right", body).status, 200);
}

TEST(GeminiValidation, ProtoJsonErrors) {
  Server server;
  const auto bad = [&](const std::string& body, std::string_view message) {
    SCOPED_TRACE(body);
    expect_google_error(post(server.port(), kGenerate, body, kKey), 400, "INVALID_ARGUMENT",
                        message);
  };
  bad("{nope", "Invalid JSON payload received.");
  bad(R"({"messages":[]})", R"(Unknown name "messages": Cannot find field.)");
  bad(user_body("x", R"(,"generationConfig":{"max_tokens":5})"),
      R"(Unknown name "max_tokens" at 'generation_config': Cannot find field.)");
  bad(R"({"contents":[]})", "contents is not specified");
  bad(R"({"contents":[{"role":"assistant","parts":[{"text":"x"}]}]})",
      "Please use a valid role: user, model.");
  bad(R"({"contents":[{"role":"user","parts":[]}]})", "contents.parts must not be empty.");
  bad(R"({"contents":[{"role":"user","parts":[{}]}]})",
      "contents[0].parts[0].data: required oneof field 'data' must have one initialized field");
  bad(R"({"contents":[{"role":"user","parts":[{"text":5}]}]})",
      "Invalid value at 'contents[0].parts[0].text' (TYPE_STRING), 5");
  bad(user_body("x", R"(,"tools":[{"functionDeclarations":[{"description":"d"}]}])"),
      "tools[0].function_declarations[0].name: Name cannot be empty.");
  bad(user_body("x", R"(,"generationConfig":{"temperature":3})"), "temperature");
}

TEST(GeminiErrors, InjectedStatusesAndTheInStreamError) {
  Server server;
  const std::string body = user_body("hi");
  expect_google_error(
      post(server.port(), kGenerate, body, {{"x-goog-api-key", "k"}, {"x-fake-status", "429"}}),
      429, "RESOURCE_EXHAUSTED");
  expect_google_error(
      post(server.port(), kGenerate, body, {{"x-goog-api-key", "k"}, {"x-fake-status", "503"}}),
      503, "UNAVAILABLE");
  expect_google_error(
      post(server.port(), kStream, body, {{"x-goog-api-key", "k"}, {"x-fake-status", "500"}}), 500,
      "INTERNAL");
  expect_google_error(
      post(server.port(), kGenerate, body, {{"x-goog-api-key", "k"}, {"x-fake-safety", "maybe"}}),
      400, "INVALID_ARGUMENT", "safety");

  const auto broken = post(server.port(), kStream,
                           user_body("a b c [[fake fault=error_mid_stream fault_after=2]]"), kKey);
  ASSERT_EQ(broken.status, 200);
  EXPECT_EQ(broken.ending, Ending::complete);
  const auto events = crlf_events(broken.body);
  ASSERT_EQ(events.size(), 3u) << broken.body;
  const auto error = json(events[2]);
  EXPECT_EQ(error["error"]["code"].GetInt(), 503);
  EXPECT_EQ(str(error["error"]["status"]), "UNAVAILABLE");
}

TEST(GeminiValidation, EveryMutationOfARequestGetsAWellFormedAnswer) {
  Server server;
  const std::string body =
      R"({"system_instruction":{"parts":[{"text":"s"}]},"contents":[{"role":"user","parts":)"
      R"([{"text":"q"},{"inline_data":{"mime_type":"image/png","data":"AA"}}]},{"role":"model",)"
      R"("parts":[{"functionCall":{"name":"f","args":{"a":[1,{"b":null}]}}}]},{"role":"user",)"
      R"("parts":[{"functionResponse":{"name":"f","response":{"r":1}}}]}],"generationConfig":)"
      R"({"maxOutputTokens":9,"stopSequences":["x"]},"tools":[{"functionDeclarations":[)"
      R"({"name":"f","parameters":{"type":"OBJECT"}}]}]})";
  ASSERT_EQ(post(server.port(), kGenerate, body, kKey).status, 200);
  for (size_t length = 0; length < body.size(); length += 3) {
    const auto response = post(server.port(), kGenerate, body.substr(0, length), kKey);
    ASSERT_EQ(response.status, 400) << length;
    EXPECT_EQ(str(json(response.body)["error"]["status"]), "INVALID_ARGUMENT") << length;
  }
  const std::vector<std::string> variants = type_mutations(body);
  ASSERT_GT(variants.size(), 300u);
  for (const std::string& variant : variants) {
    const auto response = post(server.port(), kGenerate, variant, kKey);
    ASSERT_TRUE(response.status == 200 || response.status == 400) << variant;
    const auto doc = json(response.body);
    EXPECT_TRUE(doc.HasMember(response.status == 200 ? "candidates" : "error")) << variant;
  }
}

}  // namespace
}  // namespace fake_llm::test
