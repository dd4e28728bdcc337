// The client's OpenAI request -> Mistral's. Mistral's API refuses members it does not know
// (422 "Extra inputs are not permitted"), so OpenAI's own are renamed, left out or refused
// here; members Mistral shares with OpenAI, and any this adapter does not know of, pass as
// they are, in their order.

#include <string>

#include "providers/mistral/translation.h"

namespace sluice::providers::mistral {
namespace {

// OpenAI members with no Mistral counterpart that change nothing in the answer's content.
constexpr std::string_view kLeftOut[] = {"user", "store", "metadata", "service_tier",
                                         "stream_options"};

// OpenAI members asking for what Mistral cannot give: refused rather than silently ignored.
constexpr std::string_view kRefused[] = {"logit_bias",         "top_logprobs", "audio",
                                         "web_search_options", "functions",    "function_call"};

// The members of a message Mistral knows (it refuses any other, "refusal": null included).
constexpr std::string_view kMessageMembers[] = {"role",         "content", "tool_calls",
                                                "tool_call_id", "name",    "prefix"};

template <size_t N>
bool one_of(std::string_view name, const std::string_view (&names)[N]) {
  for (std::string_view known : names) {
    if (name == known) return true;
  }
  return false;
}

bool refuse(Failure* failure, std::string message, std::string_view param) {
  *failure = support::invalid_request(std::move(message), std::string(param));
  return false;
}

// A tool call of an assistant message: its id in Mistral's form, the rest as it is.
void write_tool_call(const JsonValue& call, JsonWriter& writer) {
  if (!call.IsObject()) {
    support::write_value(call, writer);
    return;
  }
  writer.StartObject();
  for (const auto& entry : call.GetObject()) {
    writer.Key(entry.name.GetString(), entry.name.GetStringLength());
    if (view(entry.name) == "id" && entry.value.IsString()) {
      write_string(writer, mistral_tool_call_id(view(entry.value)));
    } else {
      support::write_value(entry.value, writer);
    }
  }
  writer.EndObject();
}

// One message with only the members Mistral knows: nulls left out, "name" kept on tool
// messages only, tool call ids in Mistral's form.
void write_message(const JsonValue& message, JsonWriter& writer) {
  const bool tool = string_member(message, "role") == "tool";
  writer.StartObject();
  for (const auto& entry : message.GetObject()) {
    const std::string_view name = view(entry.name);
    if (entry.value.IsNull() || !one_of(name, kMessageMembers)) continue;
    if (name == "name" && (!tool || trim(string_member(message, "name")).empty())) continue;
    writer.Key(entry.name.GetString(), entry.name.GetStringLength());
    if (name == "tool_call_id" && entry.value.IsString()) {
      write_string(writer, mistral_tool_call_id(view(entry.value)));
    } else if (name == "tool_calls" && entry.value.IsArray()) {
      writer.StartArray();
      for (const auto& call : entry.value.GetArray()) write_tool_call(call, writer);
      writer.EndArray();
    } else {
      support::write_value(entry.value, writer);
    }
  }
  writer.EndObject();
}

bool write_messages(const JsonValue& messages, JsonWriter& writer, Failure* failure) {
  if (!messages.IsArray())
    return refuse(failure, "messages must be a list of messages", "messages");
  writer.StartArray();
  for (rapidjson::SizeType i = 0; i < messages.Size(); ++i) {
    if (!messages[i].IsObject()) {
      return refuse(failure, "messages." + std::to_string(i) + " must be an object", "messages");
    }
    write_message(messages[i], writer);
  }
  writer.EndArray();
  return true;
}

}  // namespace

bool chat_request_body(const JsonValue& openai, std::string_view model, size_t source_size,
                       std::string* body, Failure* failure) {
  rapidjson::StringBuffer buffer(nullptr, support::translated_capacity(source_size));
  JsonWriter writer(buffer);
  writer.StartObject();
  write_key(writer, "model");
  write_string(writer, model);
  // max_completion_tokens (OpenAI's newer name) wins over max_tokens, as OpenAI reads them.
  const JsonValue* max_tokens = member(openai, "max_completion_tokens");
  if (!max_tokens || max_tokens->IsNull()) max_tokens = member(openai, "max_tokens");
  const JsonValue* random_seed = member(openai, "random_seed");
  const bool has_random_seed = random_seed && !random_seed->IsNull();
  for (const auto& entry : openai.GetObject()) {
    const std::string_view name = view(entry.name);
    const JsonValue& value = entry.value;
    if (name == "model" || value.IsNull() || one_of(name, kLeftOut)) continue;
    if (one_of(name, kRefused)) {
      return refuse(failure, std::string(name) + " is not supported by Mistral", name);
    }
    if (name == "logprobs" || name == "modalities") {
      const bool harmless = name == "logprobs"
                                ? value.IsFalse()
                                : value.IsArray() && value.Size() == 1 && value[0].IsString() &&
                                      view(value[0]) == "text";
      if (harmless) continue;
      return refuse(failure,
                    name == "logprobs"
                        ? "logprobs is not supported by Mistral (it returns no log probabilities)"
                        : "modalities other than [\"text\"] are not supported by Mistral",
                    name);
    }
    if (name == "max_completion_tokens" || name == "max_tokens") {
      if (&value != max_tokens) continue;
      write_key(writer, "max_tokens");
      support::write_value(value, writer);
      continue;
    }
    if (name == "seed") {
      if (has_random_seed) continue;  // the client named Mistral's own, which wins
      write_key(writer, "random_seed");
      support::write_value(value, writer);
      continue;
    }
    writer.Key(entry.name.GetString(), entry.name.GetStringLength());
    if (name == "messages") {
      if (!write_messages(value, writer, failure)) return false;
    } else if (name == "tool_choice" && value.IsString() && view(value) == "required") {
      write_string(writer, "any");  // Mistral's word for "call a tool"
    } else {
      support::write_value(value, writer);
    }
  }
  writer.EndObject();
  body->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

// Members of an embeddings request Mistral is not sent: vectors come back as numbers, and the
// translate filter encodes them when base64 was asked.
constexpr std::string_view kEmbeddingsLeftOut[] = {"model", "user", "encoding_format"};

void embeddings_request_body(const JsonValue& openai, std::string_view model, size_t source_size,
                             std::string* body) {
  rapidjson::StringBuffer buffer(nullptr, support::translated_capacity(source_size));
  JsonWriter writer(buffer);
  writer.StartObject();
  write_key(writer, "model");
  write_string(writer, model);
  for (const auto& entry : openai.GetObject()) {
    const std::string_view name = view(entry.name);
    if (one_of(name, kEmbeddingsLeftOut) || entry.value.IsNull()) continue;
    if (name == "dimensions") {
      write_key(writer, "output_dimension");
    } else {
      writer.Key(entry.name.GetString(), entry.name.GetStringLength());
    }
    support::write_value(entry.value, writer);
  }
  writer.EndObject();
  body->assign(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::providers::mistral
