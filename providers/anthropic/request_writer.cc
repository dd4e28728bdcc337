// Anthropic request, second half: a MessagesRequest written as the Messages API body. Members go
// in a fixed order (model, max_tokens, system, messages, stop_sequences, sampling, stream, tools,
// tool_choice, metadata) so that golden files pin the text.

#include <string>
#include <vector>

#include "providers/anthropic/messages_request.h"

namespace sluice::providers::anthropic {
namespace {

void write_block(JsonWriter& writer, const Block& block);

void write_tools(JsonWriter& writer, const MessagesRequest& request) {
  writer.Key("tools");
  writer.StartArray();
  for (const auto& tool : request.tools->GetArray()) {
    const JsonValue& function = *member(tool, "function");
    writer.StartObject();
    writer.Key("name");
    write_string(writer, string_member(function, "name"));
    if (const JsonValue* description = member(function, "description");
        description && description->IsString()) {
      writer.Key("description");
      description->Accept(writer);
    }
    writer.Key("input_schema");
    if (const JsonValue* parameters = member(function, "parameters");
        parameters && parameters->IsObject()) {
      parameters->Accept(writer);
    } else {  // a function without parameters: Anthropic still wants an object schema
      writer.StartObject();
      writer.Key("type");
      writer.String("object");
      writer.Key("properties");
      writer.StartObject();
      writer.EndObject();
      writer.EndObject();
    }
    writer.EndObject();
  }
  writer.EndArray();
  // Without a choice, a wish for one call at a time still needs Anthropic's tool_choice object.
  if (request.tool_choice.empty() && !request.disable_parallel_tool_use) return;
  const std::string_view type = request.tool_choice.empty() ? "auto" : request.tool_choice;
  writer.Key("tool_choice");
  writer.StartObject();
  writer.Key("type");
  write_string(writer, type);
  if (type == "tool") {
    writer.Key("name");
    write_string(writer, request.tool_choice_name);
  }
  if (request.disable_parallel_tool_use && type != "none") {
    writer.Key("disable_parallel_tool_use");
    writer.Bool(true);
  }
  writer.EndObject();
}

void write_content(JsonWriter& writer, const std::vector<Block>& blocks) {
  // A lone plain text is written as a string, the shape people write by hand.
  if (blocks.size() == 1 && blocks[0].kind == Block::Kind::text && !blocks[0].cache_control) {
    write_string(writer, blocks[0].text);
    return;
  }
  writer.StartArray();
  for (const Block& block : blocks) write_block(writer, block);
  writer.EndArray();
}

void write_block(JsonWriter& writer, const Block& block) {
  writer.StartObject();
  writer.Key("type");
  switch (block.kind) {
    case Block::Kind::text:
      writer.String("text");
      writer.Key("text");
      write_string(writer, block.text);
      break;
    case Block::Kind::image_base64:
    case Block::Kind::image_url: {
      const bool base64 = block.kind == Block::Kind::image_base64;
      writer.String("image");
      writer.Key("source");
      writer.StartObject();
      writer.Key("type");
      writer.String(base64 ? "base64" : "url");
      if (base64) {
        writer.Key("media_type");
        write_string(writer, block.name);
        writer.Key("data");
      } else {
        writer.Key("url");
      }
      write_string(writer, block.text);
      writer.EndObject();
      break;
    }
    case Block::Kind::document_base64:
      writer.String("document");
      writer.Key("source");
      writer.StartObject();
      writer.Key("type");
      writer.String("base64");
      writer.Key("media_type");
      write_string(writer, block.name);
      writer.Key("data");
      write_string(writer, block.text);
      writer.EndObject();
      break;
    case Block::Kind::tool_use:
      writer.String("tool_use");
      writer.Key("id");
      write_string(writer, block.text);
      writer.Key("name");
      write_string(writer, block.name);
      writer.Key("input");
      block.value->Accept(writer);
      break;
    case Block::Kind::tool_result:
      writer.String("tool_result");
      writer.Key("tool_use_id");
      write_string(writer, block.text);
      if (block.value) {
        writer.Key("content");
        block.value->Accept(writer);
      } else if (!block.parts.empty()) {
        writer.Key("content");
        writer.StartArray();
        for (const Block& part : block.parts) write_block(writer, part);
        writer.EndArray();
      }
      break;
  }
  if (block.cache_control) {
    writer.Key("cache_control");
    block.cache_control->Accept(writer);
  }
  writer.EndObject();
}

}  // namespace

void write_messages_request(const MessagesRequest& request, std::string_view model, size_t capacity,
                            std::string* body) {
  rapidjson::StringBuffer buffer(nullptr, capacity);
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("model");
  write_string(writer, model);
  writer.Key("max_tokens");
  writer.Uint64(request.max_tokens);
  if (!request.system.empty()) {
    writer.Key("system");
    write_content(writer, request.system);
  }
  writer.Key("messages");
  writer.StartArray();
  for (const Turn& turn : request.turns) {
    writer.StartObject();
    writer.Key("role");
    writer.String(turn.user ? "user" : "assistant");
    writer.Key("content");
    write_content(writer, turn.blocks);
    writer.EndObject();
  }
  writer.EndArray();
  if (request.stop && (request.stop->IsString() || request.stop->Size() > 0)) {
    writer.Key("stop_sequences");
    if (request.stop->IsString()) writer.StartArray();
    request.stop->Accept(writer);
    if (request.stop->IsString()) writer.EndArray();
  }
  const std::pair<const char*, const JsonValue*> sampling[] = {
      {"temperature", request.temperature}, {"top_p", request.top_p}, {"top_k", request.top_k}};
  for (const auto& [name, value] : sampling) {
    if (!value) continue;
    writer.Key(name);
    value->Accept(writer);
  }
  if (request.stream) {
    writer.Key("stream");
    writer.Bool(true);
  }
  if (request.tools && request.tools->Size() > 0) write_tools(writer, request);
  if (!request.user.empty()) {
    writer.Key("metadata");
    writer.StartObject();
    writer.Key("user_id");
    write_string(writer, request.user);
    writer.EndObject();
  }
  writer.EndObject();
  body->assign(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::providers::anthropic
