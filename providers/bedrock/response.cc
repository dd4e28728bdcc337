// A Converse answer as an OpenAI chat.completion: text blocks joined into the content, toolUse
// blocks as tool_calls, stopReason as finish_reason, usage with cached prompt tokens.

#include "providers/bedrock/internal.h"
#include "providers/bedrock/json.h"

namespace sluice::bedrock {
namespace {

int64_t integer_member(const Value* object, std::string_view name) {
  if (object == nullptr) return 0;
  const Value* value = member(*object, name);
  return value != nullptr && value->IsInt64() ? value->GetInt64() : 0;
}

}  // namespace

std::string_view finish_reason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return "length";
  }
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "guardrail_intervened" || stop_reason == "content_filtered") {
    return "content_filter";
  }
  return "stop";  // end_turn, stop_sequence, and anything newer
}

bool translate_chat_response(std::string_view body, const ResponseContext& context,
                             std::string* out, Failure* failure) {
  support::RequestDocument answer;
  if (!parse_json(body, &answer) || !answer.IsObject()) {
    *failure = status_failure(502, "Bedrock's Converse answer is not a JSON object");
    return false;
  }
  const Value* output = member(answer, "output");
  const Value* message = output == nullptr ? nullptr : member(*output, "message");
  const Value* content = message == nullptr ? nullptr : member(*message, "content");
  if (content == nullptr || !content->IsArray()) {
    *failure = status_failure(502, "Bedrock's Converse answer has no output.message.content");
    return false;
  }
  std::string text;
  bool has_text = false;
  for (const Value& block : content->GetArray()) {
    if (const Value* piece = member(block, "text"); piece != nullptr && piece->IsString()) {
      text.append(view(*piece));
      has_text = true;
    }
  }

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  support::begin_openai_object(writer, context.response_id, "chat.completion", context.created,
                               context.client_model);
  write_key(writer, "choices");
  writer.StartArray();
  writer.StartObject();
  write_key(writer, "index");
  writer.Int(0);
  write_key(writer, "message");
  writer.StartObject();
  write_key(writer, "role");
  write_string(writer, "assistant");
  write_key(writer, "content");
  if (has_text) {
    write_string(writer, text);
  } else {
    writer.Null();
  }
  bool opened_calls = false;
  for (const Value& block : content->GetArray()) {
    const Value* tool_use = member(block, "toolUse");
    if (tool_use == nullptr) continue;
    const Value* id = member(*tool_use, "toolUseId");
    const Value* name = member(*tool_use, "name");
    const Value* input = member(*tool_use, "input");
    if (id == nullptr || !id->IsString() || name == nullptr || !name->IsString()) {
      *failure = status_failure(502, "Bedrock's Converse answer has a toolUse without id or name");
      return false;
    }
    if (!opened_calls) {
      write_key(writer, "tool_calls");
      writer.StartArray();
      opened_calls = true;
    }
    writer.StartObject();
    write_key(writer, "id");
    write_string(writer, view(*id));
    write_key(writer, "type");
    write_string(writer, "function");
    write_key(writer, "function");
    writer.StartObject();
    write_key(writer, "name");
    write_string(writer, view(*name));
    write_key(writer, "arguments");
    write_string(writer, input == nullptr ? std::string("{}") : to_json(*input));
    writer.EndObject();
    writer.EndObject();
  }
  if (opened_calls) writer.EndArray();
  writer.EndObject();  // message
  write_key(writer, "logprobs");
  writer.Null();
  write_key(writer, "finish_reason");
  const Value* stop_reason = member(answer, "stopReason");
  write_string(writer, finish_reason(stop_reason != nullptr && stop_reason->IsString()
                                         ? view(*stop_reason)
                                         : std::string_view()));
  writer.EndObject();
  writer.EndArray();  // choices

  const Value* usage = member(answer, "usage");
  const int64_t input_tokens = integer_member(usage, "inputTokens");
  const int64_t output_tokens = integer_member(usage, "outputTokens");
  int64_t total_tokens = integer_member(usage, "totalTokens");
  if (total_tokens == 0) total_tokens = input_tokens + output_tokens;
  write_key(writer, "usage");
  writer.StartObject();
  write_key(writer, "prompt_tokens");
  writer.Int64(input_tokens);
  write_key(writer, "completion_tokens");
  writer.Int64(output_tokens);
  write_key(writer, "total_tokens");
  writer.Int64(total_tokens);
  if (usage != nullptr && member(*usage, "cacheReadInputTokens") != nullptr) {
    write_key(writer, "prompt_tokens_details");
    writer.StartObject();
    write_key(writer, "cached_tokens");
    writer.Int64(integer_member(usage, "cacheReadInputTokens"));
    writer.EndObject();
  }
  writer.EndObject();
  writer.EndObject();
  out->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

}  // namespace sluice::bedrock
