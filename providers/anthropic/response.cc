// Anthropic response: a whole Messages API answer as an OpenAI chat.completion.

#include <string>
#include <vector>

#include "providers/anthropic/translation.h"
#include "providers/anthropic/usage.h"

namespace sluice::providers::anthropic {

std::string_view finish_reason_for(std::string_view stop_reason) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return "length";
  }
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  // end_turn, stop_sequence, pause_turn (a server tool paused the turn) and reasons added later.
  return "stop";
}

Failure unreadable_answer(std::string message) {
  return make_failure(502, std::move(message), "server_error", "bad_upstream_response");
}

bool translate_message(std::string_view body, const ResponseContext& context, std::string* out,
                       Failure* failure) {
  support::RequestDocument message;
  if (!parse_json(body, &message) || !message.IsObject()) {
    *failure = unreadable_answer("Anthropic's answer is not a JSON object");
    return false;
  }
  if (string_member(message, "type") == "error") {
    const JsonValue* error = member(message, "error");
    *failure = failure_from_error_object(error ? *error : message, 0, {});
    return false;
  }
  const JsonValue* content = member(message, "content");
  if (!content || !content->IsArray()) {
    *failure = unreadable_answer("Anthropic's answer has no content array");
    return false;
  }
  std::string text;
  std::vector<const JsonValue*> tool_uses;
  for (const auto& block : content->GetArray()) {
    const std::string_view type = string_member(block, "type");
    if (type == "text") {
      text += string_member(block, "text");
    } else if (type == "tool_use") {
      tool_uses.push_back(&block);
    }  // thinking, redacted_thinking and server tool blocks have no OpenAI counterpart
  }

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  const std::string_view id = string_member(message, "id");
  support::begin_openai_object(writer, id.empty() ? std::string_view(context.response_id) : id,
                               "chat.completion", context.created, context.client_model);
  writer.Key("choices");
  writer.StartArray();
  writer.StartObject();
  writer.Key("index");
  writer.Int(0);
  writer.Key("message");
  writer.StartObject();
  writer.Key("role");
  writer.String("assistant");
  writer.Key("content");
  if (text.empty() && !tool_uses.empty()) {
    writer.Null();  // OpenAI's shape for an answer that is only tool calls
  } else {
    write_string(writer, text);
  }
  if (!tool_uses.empty()) {
    writer.Key("tool_calls");
    writer.StartArray();
    for (const JsonValue* tool_use : tool_uses) {
      writer.StartObject();
      writer.Key("id");
      write_string(writer, string_member(*tool_use, "id"));
      writer.Key("type");
      writer.String("function");
      writer.Key("function");
      writer.StartObject();
      writer.Key("name");
      write_string(writer, string_member(*tool_use, "name"));
      writer.Key("arguments");
      rapidjson::StringBuffer arguments;
      JsonWriter arguments_writer(arguments);
      if (const JsonValue* input = member(*tool_use, "input"); input && input->IsObject()) {
        input->Accept(arguments_writer);
      } else {
        arguments.Put('{');
        arguments.Put('}');
      }
      write_string(writer, buffer_view(arguments));
      writer.EndObject();
      writer.EndObject();
    }
    writer.EndArray();
  }
  writer.EndObject();
  writer.Key("logprobs");
  writer.Null();
  writer.Key("finish_reason");
  write_string(writer, finish_reason_for(string_member(message, "stop_reason")));
  writer.EndObject();
  writer.EndArray();
  writer.Key("usage");
  const JsonValue* usage = member(message, "usage");
  write_usage(writer, usage ? read_usage(*usage, Usage{}) : Usage{});
  writer.EndObject();
  out->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

}  // namespace sluice::providers::anthropic
