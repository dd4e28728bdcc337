// The chain's whole OpenAI answer -> Anthropic's message object, and any error -> Anthropic's
// {"type":"error","error":{"type","message"}}.

#include <string>

#include "core/apis/anthropic_internal.h"
#include "core/apis/openai_answer.h"

namespace sluice::apis::anthropic {

std::string_view error_type(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 424:  // the model failed (Bedrock's model errors): not the client's doing
      return "api_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string_view stop_reason(std::string_view finish_reason) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  if (finish_reason == "content_filter") return "refusal";
  return "end_turn";
}

std::string message_id(std::string_view openai_id) {
  constexpr std::string_view kOpenAiPrefix = "chatcmpl-";
  if (openai_id.empty()) return "msg_sluice";  // an upstream that sent no id at all
  if (openai_id.starts_with("msg_")) return std::string(openai_id);
  if (openai_id.starts_with(kOpenAiPrefix)) openai_id.remove_prefix(kOpenAiPrefix.size());
  return "msg_" + std::string(openai_id);
}

ClientAnswer encode_error(const ApiError& error) {
  std::string body;
  JsonOut out(&body);
  out.StartObject();
  write_key(out, "type");
  write_literal(out, "error");
  write_key(out, "error");
  out.StartObject();
  write_key(out, "type");
  write_string(out, error_type(error.status));
  write_key(out, "message");
  write_string(out, error.message);
  out.EndObject();
  out.EndObject();
  ClientAnswer answer;
  answer.status = error.status;
  answer.headers.push_back({"content-type", "application/json"});
  answer.body = out.take();
  return answer;
}

namespace {

void write_tool_input(JsonOut& out, std::string_view arguments) {
  ParsedJson input;
  if (input.parse(arguments).empty() && input.doc().IsObject()) {
    input.doc().Accept(out);
  } else {
    out.StartObject();  // as Anthropic answers a tool call cut short
    out.EndObject();
  }
}

}  // namespace

ClientAnswer encode_response(std::string_view openai_body, const AnswerContext& context) {
  ParsedJson completion;
  OpenAiAnswer answer;
  if (auto unreadable = parse_openai_answer(openai_body, &completion, &answer)) {
    return encode_error(*unreadable);
  }
  std::string body;
  JsonOut out(&body);
  out.StartObject();
  write_key(out, "id");
  write_string(out, message_id(answer.id));
  write_key(out, "type");
  write_literal(out, "message");
  write_key(out, "role");
  write_literal(out, "assistant");
  write_key(out, "model");
  write_string(out, context.client_model);
  write_key(out, "content");
  out.StartArray();
  if (!answer.text.empty()) {
    out.StartObject();
    write_key(out, "type");
    write_literal(out, "text");
    write_key(out, "text");
    write_string(out, answer.text);
    out.EndObject();
  }
  for (const OpenAiToolCall& call : answer.tool_calls) {
    out.StartObject();
    write_key(out, "type");
    write_literal(out, "tool_use");
    write_key(out, "id");
    write_string(out, call.id);
    write_key(out, "name");
    write_string(out, call.name);
    write_key(out, "input");
    write_tool_input(out, call.arguments);
    out.EndObject();
  }
  out.EndArray();
  write_key(out, "stop_reason");
  write_string(out, stop_reason(answer.finish_reason));
  write_key(out, "stop_sequence");
  out.Null();
  write_key(out, "usage");
  out.StartObject();
  write_key(out, "input_tokens");
  out.Int64(answer.usage.uncached_prompt_tokens());
  write_key(out, "output_tokens");
  out.Int64(answer.usage.completion_tokens);
  write_key(out, "cache_creation_input_tokens");
  out.Int64(answer.usage.cache_creation_tokens);
  write_key(out, "cache_read_input_tokens");
  out.Int64(answer.usage.cached_tokens);
  out.EndObject();
  out.EndObject();
  ClientAnswer client_answer;
  client_answer.headers.push_back({"content-type", "application/json"});
  client_answer.body = out.take();
  return client_answer;
}

}  // namespace sluice::apis::anthropic
