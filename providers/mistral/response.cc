// Mistral's answers are OpenAI's but for "model" (the client's name goes back), finish_reason
// "model_length" (the context window ran out: OpenAI's "length") and "error" (no OpenAI value:
// the answer fails), and a message content that reasoning models send as a list of chunks
// ({"type":"thinking","thinking":[{"type":"text",...}]}, {"type":"text",...}): its text
// becomes the content string and its thinking "reasoning_content", as OpenAI-compatible
// reasoning APIs answer. Everything else is kept as it is.

#include <string>

#include "providers/mistral/translation.h"
#include "providers/support/local_document.h"

namespace sluice::providers::mistral {
namespace {

// Text and thinking of a content list, each chunk's text in order.
struct ContentText {
  std::string text;
  std::string thinking;
  bool has_text = false;
};

ContentText content_text(const JsonValue& chunks) {
  ContentText out;
  for (const JsonValue& chunk : chunks.GetArray()) {
    const std::string_view type = string_member(chunk, "type");
    if (type == "text") {
      out.text.append(string_member(chunk, "text"));
      out.has_text = true;
    } else if (const JsonValue* thinking = member(chunk, "thinking");
               type == "thinking" && thinking && thinking->IsArray()) {
      for (const JsonValue& part : thinking->GetArray()) {
        if (string_member(part, "type") == "text") out.thinking.append(string_member(part, "text"));
      }
    }
  }
  return out;
}

// A message or delta: a content list written as text plus reasoning_content.
void write_message(const JsonValue& message, JsonWriter& writer) {
  const JsonValue* content = member(message, "content");
  if (!content || !content->IsArray()) {
    support::write_value(message, writer);
    return;
  }
  const ContentText text = content_text(*content);
  writer.StartObject();
  for (const auto& entry : message.GetObject()) {
    writer.Key(entry.name.GetString(), entry.name.GetStringLength());
    if (&entry.value != content) {
      support::write_value(entry.value, writer);
      continue;
    }
    if (text.has_text) {
      write_string(writer, text.text);
    } else {
      writer.Null();
    }
    if (!text.thinking.empty() && !member(message, "reasoning_content")) {
      write_key(writer, "reasoning_content");
      write_string(writer, text.thinking);
    }
  }
  writer.EndObject();
}

void write_choice(const JsonValue& choice, bool delta, JsonWriter& writer) {
  if (!choice.IsObject()) {
    support::write_value(choice, writer);
    return;
  }
  writer.StartObject();
  for (const auto& entry : choice.GetObject()) {
    const std::string_view name = view(entry.name);
    writer.Key(entry.name.GetString(), entry.name.GetStringLength());
    if (name == "finish_reason" && entry.value.IsString() && view(entry.value) == "model_length") {
      write_string(writer, "length");
    } else if (name == (delta ? "delta" : "message") && entry.value.IsObject()) {
      write_message(entry.value, writer);
    } else {
      support::write_value(entry.value, writer);
    }
  }
  writer.EndObject();
}

}  // namespace

bool stopped_with_error(const JsonValue& object) {
  const JsonValue* choices = member(object, "choices");
  if (!choices || !choices->IsArray()) return false;
  for (const JsonValue& choice : choices->GetArray()) {
    if (string_member(choice, "finish_reason") == "error") return true;
  }
  return false;
}

Failure generation_error() {
  Failure failure = support::bad_upstream("Mistral stopped the generation with an error");
  failure.code = "upstream_error";
  return failure;
}

void write_answer_object(const JsonValue& object, std::string_view model, bool delta,
                         JsonWriter& writer) {
  writer.StartObject();
  bool model_written = false;
  for (const auto& entry : object.GetObject()) {
    const std::string_view name = view(entry.name);
    writer.Key(entry.name.GetString(), entry.name.GetStringLength());
    if (name == "model") {
      write_string(writer, model);
      model_written = true;
    } else if (name == "choices" && entry.value.IsArray()) {
      writer.StartArray();
      for (const JsonValue& choice : entry.value.GetArray()) write_choice(choice, delta, writer);
      writer.EndArray();
    } else {
      support::write_value(entry.value, writer);
    }
  }
  if (!model_written) {
    write_key(writer, "model");
    write_string(writer, model);
  }
  writer.EndObject();
}

bool translate_answer(std::string_view body, std::string_view model, std::string* out,
                      Failure* failure) {
  support::RequestDocument answer;
  if (!parse_json(body, &answer) || !answer.IsObject()) {
    *failure = support::bad_upstream("Mistral's answer is not a JSON object");
    return false;
  }
  if (stopped_with_error(answer)) {
    *failure = generation_error();
    return false;
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  write_answer_object(answer, model, false, writer);
  out->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

}  // namespace sluice::providers::mistral
