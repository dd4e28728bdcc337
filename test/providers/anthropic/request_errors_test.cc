// Requests the Anthropic adapter refuses: each a 400 naming the field, never a silent drop.

#include <gtest/gtest.h>

#include "providers/anthropic/adapter.h"

namespace sluice::providers::anthropic {
namespace {

struct Refusal {
  std::string_view name;
  std::string body;
  std::string_view param;
  std::string_view code;
};

std::string with_messages(std::string_view messages, std::string_view extra = "") {
  return "{\"model\":\"m\",\"messages\":" + std::string(messages) + std::string(extra) + "}";
}

const std::string kHello = R"([{"role":"user","content":"Hi"}])";

std::vector<Refusal> refusals() {
  return {
      {"n above one", with_messages(kHello, R"(,"n":2)"), "n", "unsupported_value"},
      {"logprobs", with_messages(kHello, R"(,"logprobs":true)"), "logprobs", "unsupported_value"},
      {"top_logprobs", with_messages(kHello, R"(,"top_logprobs":3)"), "top_logprobs",
       "unsupported_parameter"},
      {"json schema output",
       with_messages(kHello, R"(,"response_format":{"type":"json_schema","json_schema":{}})"),
       "response_format", "unsupported_value"},
      {"json object output", with_messages(kHello, R"(,"response_format":{"type":"json_object"})"),
       "response_format", "unsupported_value"},
      {"logit bias", with_messages(kHello, R"(,"logit_bias":{"50256":-100})"), "logit_bias",
       "unsupported_value"},
      {"audio out", with_messages(kHello, R"(,"modalities":["text","audio"])"), "modalities",
       "unsupported_value"},
      {"deprecated functions", with_messages(kHello, R"(,"functions":[{"name":"f"}])"), "functions",
       "unsupported_parameter"},
      {"unknown member", with_messages(kHello, R"(,"frobnicate":1)"), "frobnicate",
       "unsupported_parameter"},
      {"no messages", R"({"model":"m"})", "messages", "missing_required_parameter"},
      {"messages not an array", R"({"model":"m","messages":{}})", "messages", "invalid_value"},
      {"system only", with_messages(R"([{"role":"system","content":"Be brief."}])"), "messages",
       "invalid_value"},
      {"unknown role", with_messages(R"([{"role":"narrator","content":"Once"}])"),
       "messages[0].role", "unsupported_value"},
      {"function role", with_messages(R"([{"role":"function","name":"f","content":"1"}])"),
       "messages[0].role", "unsupported_value"},
      {"missing role", with_messages(R"([{"content":"Hi"}])"), "messages[0].role",
       "missing_required_parameter"},
      {"empty user content", with_messages(R"([{"role":"user","content":""}])"),
       "messages[0].content", "invalid_value"},
      {"content a number", with_messages(R"([{"role":"user","content":7}])"), "messages[0].content",
       "invalid_value"},
      {"audio part",
       with_messages(R"([{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}])"),
       "messages[0].content[0].type", "unsupported_value"},
      {"image in a system message",
       with_messages(
           R"([{"role":"system","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}]},{"role":"user","content":"Hi"}])"),
       "messages[0].content[0].type", "unsupported_value"},
      {"image URL not allowed",
       with_messages(
           R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}])"),
       "messages[0].content[0].image_url.url", "image_url_not_allowed"},
      {"image media type",
       with_messages(
           R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}])"),
       "messages[0].content[0].image_url.url", "unsupported_value"},
      {"data URL not base64",
       with_messages(
           R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,rawbytes"}}]}])"),
       "messages[0].content[0].image_url.url", "invalid_value"},
      {"file URL",
       with_messages(
           R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"file:///etc/passwd"}}]}])"),
       "messages[0].content[0].image_url.url", "invalid_value"},
      {"stored file",
       with_messages(
           R"([{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}])"),
       "messages[0].content[0].file.file_id", "unsupported_value"},
      {"file not a PDF",
       with_messages(
           R"([{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/csv;base64,YSxi"}}]}])"),
       "messages[0].content[0].file.file_data", "unsupported_value"},
      {"file without data",
       with_messages(R"([{"role":"user","content":[{"type":"file","file":{}}]}])"),
       "messages[0].content[0].file.file_data", "missing_required_parameter"},
      {"file in an assistant message",
       with_messages(
           R"([{"role":"user","content":"Hi"},{"role":"assistant","content":[{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE"}}]}])"),
       "messages[1].content[0].type", "unsupported_value"},
      {"arguments not JSON",
       with_messages(
           R"([{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{\"city\": "}}]}])"),
       "messages[1].tool_calls[0].function.arguments", "invalid_value"},
      {"arguments an array",
       with_messages(
           R"([{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"[1]"}}]}])"),
       "messages[1].tool_calls[0].function.arguments", "invalid_value"},
      {"tool call without id",
       with_messages(
           R"([{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}])"),
       "messages[1].tool_calls[0].id", "missing_required_parameter"},
      {"assistant with nothing",
       with_messages(R"([{"role":"user","content":"Hi"},{"role":"assistant","content":null}])"),
       "messages[1]", "invalid_value"},
      {"tool result without id",
       with_messages(R"([{"role":"user","content":"Hi"},{"role":"tool","content":"1"}])"),
       "messages[1].tool_call_id", "missing_required_parameter"},
      {"non-function tool", with_messages(kHello, R"(,"tools":[{"type":"web_search"}])"),
       "tools[0].type", "unsupported_value"},
      {"tool without name",
       with_messages(kHello, R"(,"tools":[{"type":"function","function":{}}])"),
       "tools[0].function.name", "missing_required_parameter"},
      {"tool parameters not an object",
       with_messages(kHello,
                     R"(,"tools":[{"type":"function","function":{"name":"f","parameters":"x"}}])"),
       "tools[0].function.parameters", "invalid_value"},
      {"tool_choice unknown", with_messages(kHello, R"(,"tool_choice":"sometimes")"), "tool_choice",
       "invalid_value"},
      {"tool_choice without name",
       with_messages(kHello, R"(,"tool_choice":{"type":"function","function":{}})"),
       "tool_choice.function.name", "missing_required_parameter"},
      {"max_tokens zero", with_messages(kHello, R"(,"max_tokens":0)"), "max_tokens",
       "invalid_value"},
      {"max_tokens a string", with_messages(kHello, R"(,"max_completion_tokens":"9")"),
       "max_completion_tokens", "invalid_value"},
      {"temperature a string", with_messages(kHello, R"(,"temperature":"hot")"), "temperature",
       "invalid_value"},
      {"stop a number", with_messages(kHello, R"(,"stop":[1])"), "stop", "invalid_value"},
      {"stream a string", with_messages(kHello, R"(,"stream":"yes")"), "stream", "invalid_value"},
      {"user a number", with_messages(kHello, R"(,"user":5)"), "user", "invalid_value"},
  };
}

Deployment deployment() {
  Deployment d;
  d.name = "my-claude#0";
  d.provider_type = "anthropic";
  d.model = "claude-sonnet-4-5";
  return d;
}

TEST(AnthropicRequestErrors, EachRefusalIsA400NamingTheField) {
  const auto adapter = make_anthropic_adapter();
  for (const Refusal& refusal : refusals()) {
    SCOPED_TRACE(std::string(refusal.name));
    UpstreamRequest request;
    Failure failure;
    ASSERT_FALSE(adapter->build_request(Endpoint::chat_completions, refusal.body, deployment(),
                                        &request, &failure));
    EXPECT_EQ(failure.status, 400);
    EXPECT_EQ(failure.type, "invalid_request_error");
    EXPECT_EQ(failure.param, refusal.param);
    EXPECT_EQ(failure.code, refusal.code);
    EXPECT_TRUE(failure.message.starts_with(refusal.param)) << failure.message;
  }
}

TEST(AnthropicRequestErrors, ABodyThatIsNotAJsonObjectIsRefused) {
  const auto adapter = make_anthropic_adapter();
  const std::string bodies[] = {"",
                                "[]",
                                "\"text\"",
                                "{",
                                "{\"messages\":[}",
                                "{\"model\":\"\xff\xfe\",\"messages\":[]}",
                                "{\"model\":\"\xc0\xaf\"}",           // overlong '/'
                                "{\"model\":\"\xed\xa0\x80\"}",       // a surrogate
                                "{\"model\":\"abcdefgh\xe2\x82\"}"};  // cut short
  using namespace std::string_literals;
  const std::string with_nul[] = {
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}\0 junk"s,
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"H\0i\"}]}"s};
  std::vector<std::string> all(std::begin(bodies), std::end(bodies));
  all.insert(all.end(), std::begin(with_nul), std::end(with_nul));
  for (const std::string& body : all) {
    UpstreamRequest request;
    Failure failure;
    EXPECT_FALSE(
        adapter->build_request(Endpoint::chat_completions, body, deployment(), &request, &failure))
        << body;
    EXPECT_EQ(failure.status, 400);
    EXPECT_EQ(failure.code, "invalid_json");
  }
}

TEST(AnthropicRequestErrors, NestingTooDeepIsRefusedNotRecursedInto) {
  const auto adapter = make_anthropic_adapter();
  const std::string deep(200000, '[');
  const std::string body = with_messages(kHello, ",\"tools\":" + deep);
  UpstreamRequest request;
  Failure failure;
  EXPECT_FALSE(
      adapter->build_request(Endpoint::chat_completions, body, deployment(), &request, &failure));
  EXPECT_EQ(failure.code, "invalid_json");
  // The same depth inside tool-call arguments (a string, parsed separately).
  std::string arguments;
  for (int i = 0; i < 100000; ++i) arguments += "{\\\"a\\\":";
  const std::string nested = with_messages(
      R"([{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":")" +
      arguments + R"("}}]}])");
  EXPECT_FALSE(
      adapter->build_request(Endpoint::chat_completions, nested, deployment(), &request, &failure));
  EXPECT_EQ(failure.param, "messages[1].tool_calls[0].function.arguments");
}

TEST(AnthropicRequestErrors, NeutralValuesOfRefusableMembersPass) {
  const auto adapter = make_anthropic_adapter();
  const std::string body = with_messages(
      kHello,
      R"(,"n":1,"logprobs":false,"top_logprobs":0,"response_format":{"type":"text"},"logit_bias":{},"modalities":["text"],"audio":null,"seed":1,"store":false,"service_tier":"auto","metadata":{"a":"b"},"prediction":null)");
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(
      adapter->build_request(Endpoint::chat_completions, body, deployment(), &request, &failure))
      << failure.message;
  EXPECT_EQ(
      request.body,
      R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"Hi"}]})");
}

TEST(AnthropicRequestErrors, ToolChoiceNoneKeepsNoParallelFlag) {
  const auto adapter = make_anthropic_adapter();
  const std::string body = with_messages(
      kHello,
      R"(,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none","parallel_tool_calls":false)");
  UpstreamRequest request;
  Failure failure;
  ASSERT_TRUE(
      adapter->build_request(Endpoint::chat_completions, body, deployment(), &request, &failure));
  EXPECT_NE(request.body.find(R"("tool_choice":{"type":"none"})"), std::string::npos)
      << request.body;
  // parallel_tool_calls false without a tool_choice: auto, one call at a time.
  const std::string serial = with_messages(
      kHello,
      R"(,"tools":[{"type":"function","function":{"name":"f"}}],"parallel_tool_calls":false)");
  ASSERT_TRUE(
      adapter->build_request(Endpoint::chat_completions, serial, deployment(), &request, &failure));
  EXPECT_NE(request.body.find(R"("tool_choice":{"type":"auto","disable_parallel_tool_use":true})"),
            std::string::npos)
      << request.body;
}

}  // namespace
}  // namespace sluice::providers::anthropic
