// Cohere v2 chat answer -> OpenAI chat.completion (README.md lists every mapping).

#include <cmath>

#include "providers/cohere/translate.h"
#include "providers/support/text.h"

namespace sluice::providers::cohere {
namespace {

using rapidjson::Value;

// A token count, which Cohere may write as 37 or 37.0.
int64_t count_of(const Value& counts, std::string_view name) {
  const Value* value = find(counts, name);
  if (value == nullptr || !value->IsNumber()) return 0;
  const double number = value->GetDouble();
  if (!(number >= 0 && number < 1e15)) return 0;  // also false for NaN
  return static_cast<int64_t>(std::llround(number));
}

}  // namespace

std::string_view finish_reason_for(std::string_view cohere_reason) {
  if (support::equals_ignoring_ascii_case(cohere_reason, "MAX_TOKENS")) return "length";
  if (support::equals_ignoring_ascii_case(cohere_reason, "TOOL_CALL")) return "tool_calls";
  if (support::equals_ignoring_ascii_case(cohere_reason, "ERROR") ||
      support::equals_ignoring_ascii_case(cohere_reason, "TIMEOUT")) {
    return {};
  }
  return "stop";  // COMPLETE, STOP_SEQUENCE, and any reason added later
}

void write_usage(JsonWriter& writer, const Value& usage) {
  const Value* counts = find(usage, "tokens");
  if (counts == nullptr) counts = find(usage, "billed_units");
  const int64_t input = counts != nullptr ? count_of(*counts, "input_tokens") : 0;
  const int64_t output = counts != nullptr ? count_of(*counts, "output_tokens") : 0;
  writer.StartObject();
  write_key(writer, "prompt_tokens");
  writer.Int64(input);
  write_key(writer, "completion_tokens");
  writer.Int64(output);
  write_key(writer, "total_tokens");
  writer.Int64(input + output);
  if (const Value* cached = find(usage, "cached_tokens"); cached != nullptr && cached->IsNumber()) {
    write_key(writer, "prompt_tokens_details");
    writer.StartObject();
    write_key(writer, "cached_tokens");
    writer.Int64(count_of(usage, "cached_tokens"));
    writer.EndObject();
  }
  writer.EndObject();
}

bool translate_chat(std::string_view body, const ResponseContext& context, std::string* out,
                    Failure* failure) {
  support::RequestDocument response;
  if (!parse_json(body, &response) || !response.IsObject()) {
    *failure = bad_upstream("cohere's answer is not a JSON object");
    return false;
  }
  const Value* message = find(response, "message");
  std::string_view reason;
  find_string(response, "finish_reason", &reason);
  if (message == nullptr || !message->IsObject()) {
    *failure = bad_upstream("cohere's answer has no message");
    return false;
  }
  const std::string_view finish_reason = finish_reason_for(reason);
  if (finish_reason.empty()) {
    *failure = bad_upstream("cohere's generation ended with " + std::string(reason));
    return false;
  }
  std::string text;
  if (const Value* content = find(*message, "content"); content != nullptr && content->IsArray()) {
    for (const auto& part : content->GetArray()) {
      std::string_view type;
      std::string_view part_text;
      // "thinking" parts (reasoning models) are not the answer.
      if (find_string(part, "type", &type) && type == "text" &&
          find_string(part, "text", &part_text)) {
        text += part_text;
      }
    }
  }
  const Value* tool_calls = find(*message, "tool_calls");
  const bool has_calls = tool_calls != nullptr && tool_calls->IsArray() && !tool_calls->Empty();
  std::string_view tool_plan;
  if (has_calls && text.empty() && find_string(*message, "tool_plan", &tool_plan)) {
    text = tool_plan;  // what the model said before calling: OpenAI's content beside tool_calls
  }
  std::string_view id = context.response_id;
  find_string(response, "id", &id);

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  support::begin_openai_object(writer, id, "chat.completion", context.created,
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
  if (text.empty() && has_calls) {
    writer.Null();
  } else {
    write_string(writer, text);
  }
  if (has_calls) {
    write_key(writer, "tool_calls");
    writer.StartArray();
    for (const auto& call : tool_calls->GetArray()) {
      std::string_view call_id;
      std::string_view name;
      std::string_view arguments = "{}";
      const Value* function = find(call, "function");
      if (!find_string(call, "id", &call_id) || function == nullptr ||
          !find_string(*function, "name", &name)) {
        *failure = bad_upstream("a tool call in cohere's answer has no id or name");
        return false;
      }
      find_string(*function, "arguments", &arguments);
      writer.StartObject();
      write_key(writer, "id");
      write_string(writer, call_id);
      write_key(writer, "type");
      write_string(writer, "function");
      write_key(writer, "function");
      writer.StartObject();
      write_key(writer, "name");
      write_string(writer, name);
      write_key(writer, "arguments");
      write_string(writer, arguments);
      writer.EndObject();
      writer.EndObject();
    }
    writer.EndArray();
  }
  writer.EndObject();
  write_key(writer, "finish_reason");
  write_string(writer, has_calls && finish_reason == "stop" ? "tool_calls" : finish_reason);
  writer.EndObject();
  writer.EndArray();
  if (const Value* usage = find(response, "usage"); usage != nullptr && usage->IsObject()) {
    write_key(writer, "usage");
    write_usage(writer, *usage);
  }
  writer.EndObject();
  *out = take(buffer);
  return true;
}

}  // namespace sluice::providers::cohere
