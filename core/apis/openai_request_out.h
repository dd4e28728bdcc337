#pragma once
// The pieces of an OpenAI chat-completions request that every inbound codec writes when it
// decodes its client's request: messages, content parts, tool calls and the named tool choice.
// Written in OpenAI's member order, so that every codec's output reads the same.

#include <string_view>

#include "core/apis/json_out.h"

namespace sluice::apis {

// {"role":<role>,"content": — the caller writes the content and closes the object.
inline void begin_message(JsonOut& out, PlainKey role) {
  out.StartObject();
  write_key(out, "role");
  write_literal(out, role);
  write_key(out, "content");
}

// {"role":<role>,"content":<text>}
inline void write_text_message(JsonOut& out, PlainKey role, std::string_view text) {
  begin_message(out, role);
  write_string(out, text);
  out.EndObject();
}

// {"role":"tool","tool_call_id":<id>,"content":<text>}
inline void write_tool_message(JsonOut& out, std::string_view id, std::string_view text) {
  out.StartObject();
  write_key(out, "role");
  write_literal(out, "tool");
  write_key(out, "tool_call_id");
  write_string(out, id);
  write_key(out, "content");
  write_string(out, text);
  out.EndObject();
}

// {"type":"text","text":<text>}
inline void write_text_part(JsonOut& out, std::string_view text) {
  out.StartObject();
  write_key(out, "type");
  write_literal(out, "text");
  write_key(out, "text");
  write_string(out, text);
  out.EndObject();
}

// {"type":"image_url","image_url":{"url":<url>}}
inline void write_image_part(JsonOut& out, std::string_view url) {
  out.StartObject();
  write_key(out, "type");
  write_literal(out, "image_url");
  write_key(out, "image_url");
  out.StartObject();
  write_key(out, "url");
  write_string(out, url);
  out.EndObject();
  out.EndObject();
}

// "type":"function","function":{"name":<name> inside an object the caller opened; the caller
// writes the function's other members and closes both objects.
inline void write_function_head(JsonOut& out, std::string_view name) {
  write_key(out, "type");
  write_literal(out, "function");
  write_key(out, "function");
  out.StartObject();
  write_key(out, "name");
  write_string(out, name);
}

// {"type":"function","function":{"name":<name> — the caller writes the function's other members
// and closes both objects. (Tools and the named tool choice.)
inline void begin_function(JsonOut& out, std::string_view name) {
  out.StartObject();
  write_function_head(out, name);
}

// {"id":<id>,"type":"function","function":{"name":<name>,"arguments":<arguments>}}
inline void write_tool_call(JsonOut& out, std::string_view id, std::string_view name,
                            std::string_view arguments) {
  out.StartObject();
  write_key(out, "id");
  write_string(out, id);
  write_function_head(out, name);
  write_key(out, "arguments");
  write_string(out, arguments);
  out.EndObject();
  out.EndObject();
}

}  // namespace sluice::apis
