// Translation cost per provider and direction (issue 4's benchmark): each outbound adapter
// building its request from a typical ~2 KB OpenAI chat request with two tools, translating a
// typical answer back, and decoding one stream event; each inbound codec decoding its client
// API's request and encoding one answer and one stream chunk. Targets: under 10 µs per request
// direction, under 1 µs per stream event.
//
//   build/release/bin/translation_bench            (Google Benchmark's flags apply)

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "core/apis/anthropic_messages.h"
#include "core/apis/bedrock_converse.h"
#include "providers/anthropic/adapter.h"
#include "providers/aws/event_stream.h"
#include "providers/azure/adapter.h"
#include "providers/bedrock/adapter.h"
#include "providers/cohere/adapter.h"
#include "providers/gemini/adapter.h"
#include "providers/mistral/adapter.h"

namespace {

using sluice::providers::Adapter;
using sluice::providers::Deployment;
using sluice::providers::Endpoint;
using sluice::providers::Failure;
using sluice::providers::ResponseContext;

// A typical chat request: a system prompt, a few turns, a tool call and its result, two tools.
std::string chat_request() {
  std::string history;
  for (int i = 0; i < 3; ++i) {
    history +=
        R"({"role":"user","content":"Question )" + std::to_string(i) +
        R"(: what is the weather like in the city we talked about, and should I bring an umbrella tomorrow morning?"},)"
        R"({"role":"assistant","content":"Answer )" +
        std::to_string(i) +
        R"(: it looks mild with some clouds; a light jacket should do, and an umbrella is a good idea."},)";
  }
  return R"({"model":"client-model","max_tokens":512,"temperature":0.3,"messages":[)"
         R"({"role":"system","content":"You are a careful assistant. Answer briefly, cite the tool results you use, and ask when a request is ambiguous."},)" +
         history +
         R"({"role":"user","content":"And in Paris?"},)"
         R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}}]},)"
         R"({"role":"tool","tool_call_id":"call_1","content":"{\"temperature\":14,\"conditions\":\"light rain\"}"}],)"
         R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}}},)"
         R"({"type":"function","function":{"name":"get_forecast","description":"Forecast for the next days","parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":10}},"required":["city","days"]}}}]})";
}

struct Provider {
  const char* name;
  std::unique_ptr<Adapter> adapter;
  Deployment deployment;
  std::string answer;                     // a typical 2xx answer
  std::vector<std::string> stream_setup;  // events that open a stream
  std::string stream_event;               // one content event, fed again and again
};

Deployment deployment_of(const char* type, const char* model,
                         std::map<std::string, std::string, std::less<>> settings) {
  Deployment d;
  d.name = std::string(type) + "#0";
  d.provider_type = type;
  d.model = model;
  d.api_key = "bench-key-0000";
  d.settings = std::move(settings);
  if (std::string_view(type) == "azure") d.base_url = "https://res.openai.azure.com";
  return d;
}

std::string bedrock_frame(std::string_view type, std::string_view payload) {
  std::string out;
  sluice::aws::append_event_frame(&out, type, payload);
  return out;
}

std::vector<Provider>& providers() {
  static std::
      vector<Provider>
          all =
              [] {
                std::vector<Provider> list;
                list.push_back(
                    {"anthropic",
                     sluice::providers::anthropic::make_anthropic_adapter(),
                     deployment_of("anthropic", "claude-3-5-haiku-20241022", {}),
                     R"({"id":"msg_01","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"It is 14 degrees with light rain in Paris: take an umbrella."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":420,"output_tokens":18}})",
                     {R"({"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"usage":{"input_tokens":420,"output_tokens":1}}})",
                      R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
                     R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" umbrella"}})"});
                list.push_back(
                    {"azure",
                     sluice::providers::azure::make_azure_adapter(),
                     deployment_of("azure", "gpt-4o", {{"api_version", "2024-10-21"}}),
                     R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"It is 14 degrees with light rain in Paris: take an umbrella."},"finish_reason":"stop"}],"usage":{"prompt_tokens":420,"completion_tokens":18,"total_tokens":438}})",
                     {},
                     R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":" umbrella"},"finish_reason":null}]})"});
                list.push_back(
                    {"bedrock",
                     sluice::bedrock::make_bedrock_adapter(),
                     deployment_of("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0",
                                   {{"aws_region_name", "us-east-1"}}),
                     R"({"output":{"message":{"role":"assistant","content":[{"text":"It is 14 degrees with light rain in Paris: take an umbrella."}]}},"stopReason":"end_turn","usage":{"inputTokens":420,"outputTokens":18,"totalTokens":438},"metrics":{"latencyMs":300}})",
                     {bedrock_frame("messageStart", R"({"role":"assistant"})")},
                     bedrock_frame("contentBlockDelta",
                                   R"({"contentBlockIndex":0,"delta":{"text":" umbrella"}})")});
                list.push_back(
                    {"gemini",
                     sluice::providers::gemini::make_gemini_adapter(),
                     deployment_of("gemini", "gemini-2.0-flash", {}),
                     R"({"candidates":[{"content":{"role":"model","parts":[{"text":"It is 14 degrees with light rain in Paris: take an umbrella."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":420,"candidatesTokenCount":18,"totalTokenCount":438},"modelVersion":"gemini-2.0-flash","responseId":"r1"})",
                     {},
                     R"({"candidates":[{"content":{"role":"model","parts":[{"text":" umbrella"}]},"index":0}],"usageMetadata":{"promptTokenCount":420,"totalTokenCount":420},"modelVersion":"gemini-2.0-flash","responseId":"r1"})"});
                list.push_back(
                    {"vertex_ai",
                     sluice::providers::gemini::make_vertex_adapter(),
                     deployment_of("vertex_ai", "gemini-2.0-flash",
                                   {{"vertex_project", "p"}, {"vertex_location", "us-central1"}}),
                     R"({"candidates":[{"content":{"role":"model","parts":[{"text":"It is 14 degrees with light rain in Paris: take an umbrella."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":420,"candidatesTokenCount":18,"totalTokenCount":438},"modelVersion":"gemini-2.0-flash","responseId":"r1"})",
                     {},
                     R"({"candidates":[{"content":{"role":"model","parts":[{"text":" umbrella"}]},"index":0}],"usageMetadata":{"promptTokenCount":420,"totalTokenCount":420},"modelVersion":"gemini-2.0-flash","responseId":"r1"})"});
                list.push_back(
                    {"cohere",
                     sluice::providers::cohere::make_cohere_adapter(),
                     deployment_of("cohere", "command-r-plus", {}),
                     R"({"id":"c1","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"It is 14 degrees with light rain in Paris: take an umbrella."}]},"usage":{"billed_units":{"input_tokens":420,"output_tokens":18},"tokens":{"input_tokens":420,"output_tokens":18}}})",
                     {R"({"type":"message-start","id":"c1","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}})",
                      R"({"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}})"},
                     R"({"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" umbrella"}}}})"});
                return list;
              }();
  return all;
}

ResponseContext context() {
  ResponseContext c;
  c.client_model = "client-model";
  c.response_id = "chatcmpl-bench";
  c.created = 1795000000;
  return c;
}

void BM_BuildRequest(benchmark::State& state, size_t index) {
  Provider& p = providers()[index];
  const std::string body = chat_request();
  sluice::providers::UpstreamRequest request;
  Failure failure;
  for (auto _ : state) {
    request = {};
    if (!p.adapter->build_request(Endpoint::chat_completions, body, p.deployment, &request,
                                  &failure)) {
      state.SkipWithError(failure.message.c_str());
      break;
    }
    benchmark::DoNotOptimize(request.body.data());
  }
  state.counters["request_bytes"] = static_cast<double>(body.size());
}

void BM_TranslateResponse(benchmark::State& state, size_t index) {
  Provider& p = providers()[index];
  std::string out;
  Failure failure;
  const ResponseContext c = context();
  for (auto _ : state) {
    out.clear();
    if (!p.adapter->translate_response(Endpoint::chat_completions, p.answer, c, &out, &failure)) {
      state.SkipWithError(failure.message.c_str());
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
}

void BM_StreamEvent(benchmark::State& state, size_t index) {
  Provider& p = providers()[index];
  std::unique_ptr<sluice::providers::StreamDecoder> decoder =
      p.adapter->stream_decoder(Endpoint::chat_completions, context());
  std::vector<std::string> chunks;
  Failure failure;
  for (const std::string& event : p.stream_setup) {
    if (!decoder->feed(event, &chunks, &failure)) state.SkipWithError(failure.message.c_str());
  }
  for (auto _ : state) {
    chunks.clear();
    if (!decoder->feed(p.stream_event, &chunks, &failure)) {
      state.SkipWithError(failure.message.c_str());
      break;
    }
    benchmark::DoNotOptimize(chunks.data());
  }
}

// ---- inbound: the client APIs -----------------------------------------------------------------

std::string anthropic_request() {
  std::string turns;
  for (int i = 0; i < 3; ++i) {
    turns +=
        R"({"role":"user","content":"Question )" + std::to_string(i) +
        R"(: what is the weather like in the city we talked about, and should I bring an umbrella tomorrow morning?"},)"
        R"({"role":"assistant","content":"Answer )" +
        std::to_string(i) +
        R"(: it looks mild with some clouds; a light jacket should do, and an umbrella is a good idea."},)";
  }
  return R"({"model":"claude","max_tokens":512,"system":"You are a careful assistant. Answer briefly, cite the tool results you use, and ask when a request is ambiguous.","messages":[)" +
         turns +
         R"({"role":"user","content":"And in Paris?"},)"
         R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","unit":"celsius"}}]},)"
         R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"{\"temperature\":14,\"conditions\":\"light rain\"}"}]}],)"
         R"("tools":[{"name":"get_weather","description":"Current weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}},)"
         R"({"name":"get_forecast","description":"Forecast for the next days","input_schema":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"]}}]})";
}

std::string converse_request() {
  std::string turns;
  for (int i = 0; i < 3; ++i) {
    turns +=
        R"({"role":"user","content":[{"text":"Question )" + std::to_string(i) +
        R"(: what is the weather like in the city we talked about, and should I bring an umbrella tomorrow morning?"}]},)"
        R"({"role":"assistant","content":[{"text":"Answer )" +
        std::to_string(i) +
        R"(: it looks mild with some clouds; a light jacket should do, and an umbrella is a good idea."}]},)";
  }
  return R"({"system":[{"text":"You are a careful assistant. Answer briefly, cite the tool results you use, and ask when a request is ambiguous."}],"messages":[)" +
         turns +
         R"({"role":"user","content":[{"text":"And in Paris?"}]},)"
         R"({"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{"city":"Paris"}}}]},)"
         R"({"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"json":{"temperature":14,"conditions":"light rain"}}]}}]}],)"
         R"("inferenceConfig":{"maxTokens":512},"toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"Current weather for a city","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}},)"
         R"({"toolSpec":{"name":"get_forecast","description":"Forecast for the next days","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}}}}}}]}})";
}

constexpr const char* kOpenAiAnswer =
    R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"It is 14 degrees with light rain in Paris: take an umbrella."},"finish_reason":"stop"}],"usage":{"prompt_tokens":420,"completion_tokens":18,"total_tokens":438}})";
constexpr const char* kOpenAiChunk =
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" umbrella"},"finish_reason":null}]})";

void write_frame(bool exception, std::string_view type, std::string_view payload,
                 std::string* out) {
  if (exception) {
    sluice::aws::append_exception_frame(out, type, payload);
  } else {
    sluice::aws::append_event_frame(out, type, payload);
  }
}

std::unique_ptr<sluice::apis::InboundCodec> inbound(size_t index) {
  return index == 0 ? sluice::apis::make_anthropic_messages_codec()
                    : sluice::apis::make_bedrock_converse_codec(write_frame);
}

void BM_InboundDecode(benchmark::State& state, size_t index) {
  auto codec = inbound(index);
  const std::string body = index == 0 ? anthropic_request() : converse_request();
  sluice::apis::ClientRequest request;
  request.path = index == 0 ? "/v1/messages" : "/bedrock/model/m/converse";
  request.model_id = index == 0 ? "" : "m";
  request.body = body;
  std::string out;
  sluice::apis::ApiError error;
  for (auto _ : state) {
    out.clear();
    if (!codec->decode_request(request, &out, &error)) {
      state.SkipWithError(error.message.c_str());
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["request_bytes"] = static_cast<double>(body.size());
}

void BM_InboundEncodeAnswer(benchmark::State& state, size_t index) {
  auto codec = inbound(index);
  sluice::apis::AnswerContext context;
  context.client_model = "m";
  for (auto _ : state) {
    sluice::apis::ClientAnswer answer = codec->encode_response(kOpenAiAnswer, context);
    benchmark::DoNotOptimize(answer.body.data());
  }
}

void BM_InboundStreamChunk(benchmark::State& state, size_t index) {
  auto codec = inbound(index);
  sluice::apis::AnswerContext context;
  context.client_model = "m";
  auto encoder = codec->stream_encoder(context);
  std::string out;
  encoder->chunk(kOpenAiChunk, &out);  // the opening events
  for (auto _ : state) {
    out.clear();
    encoder->chunk(kOpenAiChunk, &out);
    benchmark::DoNotOptimize(out.data());
  }
}

const bool registered = [] {
  for (size_t i = 0; i < providers().size(); ++i) {
    const std::string name = providers()[i].name;
    benchmark::RegisterBenchmark(("outbound/" + name + "/build_request").c_str(), BM_BuildRequest,
                                 i);
    benchmark::RegisterBenchmark(("outbound/" + name + "/translate_response").c_str(),
                                 BM_TranslateResponse, i);
    benchmark::RegisterBenchmark(("outbound/" + name + "/stream_event").c_str(), BM_StreamEvent, i);
  }
  for (size_t i = 0; i < 2; ++i) {
    const std::string name = i == 0 ? "anthropic_messages" : "bedrock_converse";
    benchmark::RegisterBenchmark(("inbound/" + name + "/decode_request").c_str(), BM_InboundDecode,
                                 i);
    benchmark::RegisterBenchmark(("inbound/" + name + "/encode_response").c_str(),
                                 BM_InboundEncodeAnswer, i);
    benchmark::RegisterBenchmark(("inbound/" + name + "/stream_chunk").c_str(),
                                 BM_InboundStreamChunk, i);
  }
  return true;
}();

// ---- outbound: Mistral (providers/mistral) ------------------------------------------------------
// Added to the list after the loop above has registered the others, so registered once here.
const bool mistral_registered = [] {
  providers().push_back(
      {"mistral",
       sluice::providers::mistral::make_mistral_adapter(),
       deployment_of("mistral", "mistral-large-latest", {}),
       R"({"id":"cmpl-1","object":"chat.completion","created":1,"model":"mistral-large-latest","choices":[{"index":0,"message":{"role":"assistant","content":"It is 14 degrees with light rain in Paris: take an umbrella.","tool_calls":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":420,"completion_tokens":18,"total_tokens":438}})",
       {},
       R"({"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"content":" umbrella"},"finish_reason":null}]})"});
  const size_t i = providers().size() - 1;
  benchmark::RegisterBenchmark("outbound/mistral/build_request", BM_BuildRequest, i);
  benchmark::RegisterBenchmark("outbound/mistral/translate_response", BM_TranslateResponse, i);
  benchmark::RegisterBenchmark("outbound/mistral/stream_event", BM_StreamEvent, i);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
