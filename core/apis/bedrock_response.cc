// The chain's whole OpenAI answer -> Converse's output, and any error -> Bedrock's error
// ({"message"} with the exception's name in x-amzn-errortype, which the AWS SDKs read first).

#include <string>

#include "core/apis/bedrock_internal.h"
#include "core/apis/codec_json.h"
#include "core/apis/openai_answer.h"

namespace sluice::apis::bedrock {

std::string_view exception_name(int status) {
  switch (status) {
    case 400:
      return "ValidationException";
    case 401:
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 503:
    case 529:
      return "ServiceUnavailableException";
    default:
      return status >= 500 ? "InternalServerException" : "ValidationException";
  }
}

std::string_view stream_exception_name(int status) {
  switch (status) {
    case 400:
      return "validationException";
    case 429:
      return "throttlingException";
    case 500:
      return "internalServerException";
    case 503:
    case 529:
      return "serviceUnavailableException";
    default:
      return "modelStreamErrorException";  // the model's stream broke (502, 504, ...)
  }
}

std::string_view stop_reason(std::string_view finish_reason) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  if (finish_reason == "content_filter") return "content_filtered";
  return "end_turn";
}

ClientAnswer encode_error(const ApiError& error) {
  std::string body;
  JsonOut out(&body);
  out.StartObject();
  write_key(out, "message");
  write_string(out, error.message);
  out.EndObject();
  ClientAnswer answer;
  answer.status = error.status;
  answer.headers.push_back({"content-type", "application/json"});
  answer.headers.push_back({"x-amzn-errortype", std::string(exception_name(error.status))});
  answer.body = out.take();
  return answer;
}

namespace {

void write_tool_input(JsonOut& out, std::string_view arguments) {
  ParsedJson input;
  if (input.parse(arguments).empty() && input.doc().IsObject()) {
    input.doc().Accept(out);
  } else {
    out.StartObject();  // arguments cut short (max_tokens) or not JSON at all
    out.EndObject();
  }
}

}  // namespace

void write_usage(JsonOut& out, const OpenAiUsage& usage) {
  out.StartObject();
  write_key(out, "inputTokens");
  out.Int64(usage.uncached_prompt_tokens());
  write_key(out, "outputTokens");
  out.Int64(usage.completion_tokens);
  write_key(out, "totalTokens");
  out.Int64(usage.prompt_tokens + usage.completion_tokens);
  if (usage.cached_tokens > 0) {
    write_key(out, "cacheReadInputTokens");
    out.Int64(usage.cached_tokens);
  }
  if (usage.cache_creation_tokens > 0) {
    write_key(out, "cacheWriteInputTokens");
    out.Int64(usage.cache_creation_tokens);
  }
  out.EndObject();
}

ClientAnswer encode_response(std::string_view openai_body, const AnswerContext& context) {
  ParsedJson completion;
  OpenAiAnswer answer;
  if (auto unreadable = parse_openai_answer(openai_body, &completion, &answer)) {
    return encode_error(*unreadable);
  }
  std::string body;
  JsonOut out(&body);
  out.StartObject();
  write_key(out, "output");
  out.StartObject();
  write_key(out, "message");
  out.StartObject();
  write_key(out, "role");
  write_literal(out, "assistant");
  write_key(out, "content");
  out.StartArray();
  // An empty answer still has its one text block: SDK users read content[0].text.
  if (!answer.text.empty() || answer.tool_calls.empty()) {
    out.StartObject();
    write_key(out, "text");
    write_string(out, answer.text);
    out.EndObject();
  }
  for (const OpenAiToolCall& call : answer.tool_calls) {
    out.StartObject();
    write_key(out, "toolUse");
    out.StartObject();
    write_key(out, "toolUseId");
    write_string(out, call.id);
    write_key(out, "name");
    write_string(out, call.name);
    write_key(out, "input");
    write_tool_input(out, call.arguments);
    out.EndObject();
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
  out.EndObject();
  write_key(out, "stopReason");
  write_string(out, stop_reason(answer.finish_reason));
  write_key(out, "usage");
  write_usage(out, answer.usage);
  write_key(out, "metrics");
  out.StartObject();
  write_key(out, "latencyMs");
  out.Int64(context.latency_ms);
  out.EndObject();
  out.EndObject();
  ClientAnswer client_answer;
  client_answer.headers.push_back({"content-type", "application/json"});
  client_answer.body = out.take();
  return client_answer;
}

}  // namespace sluice::apis::bedrock
