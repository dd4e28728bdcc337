// Anthropic Messages request -> OpenAI chat-completions request. Validates what Anthropic
// requires (model, max_tokens, messages; the block shapes) and answers its 400s with the path of
// the offending field ("messages.1.content.0.source.type: ..."), as Anthropic does.

#include <string>
#include <string_view>

#include "core/apis/anthropic_internal.h"
#include "core/apis/codec_json.h"
#include "core/apis/field_path.h"
#include "core/apis/openai_request_out.h"

namespace sluice::apis::anthropic {
namespace {

class RequestDecoder {
 public:
  explicit RequestDecoder(JsonOut& out) : out_(out) {}
  const std::string& problem() const { return problem_; }

  bool decode(const JsonValue& request);

 private:
  bool fail(const FieldPath& path, std::string_view what) {
    problem_ = path.text() + ": " + std::string(what);
    return false;
  }
  bool system(const JsonValue& system);
  bool message(const JsonValue& message, const FieldPath& path);
  bool user_turn(const JsonValue& content, const FieldPath& path);
  bool tool_result(const JsonValue& block, const FieldPath& path);
  bool user_part(const JsonValue& block, const FieldPath& path);
  bool image_part(const JsonValue& block, const FieldPath& path);
  bool assistant_turn(const JsonValue& content, const FieldPath& path);
  bool tools(const JsonValue& tools);
  bool tool_choice(const JsonValue& choice, bool has_tools, bool* parallel_off);
  // Text blocks (type "text") joined by '\n'; `path` names the list for the error.
  bool joined_text(const JsonValue& blocks, const FieldPath& path, std::string* text);

  JsonOut& out_;
  std::string problem_;
};

bool RequestDecoder::decode(const JsonValue& request) {
  if (!request.IsObject()) return fail("body", "Input should be an object");
  const JsonValue* model = member(request, "model");
  if (!model) return fail("model", "Field required");
  if (!model->IsString() || model->GetStringLength() == 0) {
    return fail("model", "Input should be a non-empty string");
  }
  const JsonValue* max_tokens = member(request, "max_tokens");
  if (!max_tokens) return fail("max_tokens", "Field required");
  if (!max_tokens->IsInt64() || max_tokens->GetInt64() < 1) {
    return fail("max_tokens", "Input should be an integer greater than or equal to 1");
  }
  const JsonValue* messages = member(request, "messages");
  if (!messages) return fail("messages", "Field required");
  if (!messages->IsArray()) return fail("messages", "Input should be a valid list");
  if (messages->Empty()) return fail("messages", "at least one message is required");

  out_.StartObject();
  write_key(out_, "model");
  write_string(out_, view(*model));
  write_key(out_, "messages");
  out_.StartArray();
  if (const JsonValue* system_prompt = member(request, "system")) {
    if (!system(*system_prompt)) return false;
  }
  for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
    if (!message((*messages)[i], FieldPath("messages")[i])) return false;
  }
  out_.EndArray();
  write_key(out_, "max_tokens");
  out_.Int64(max_tokens->GetInt64());

  if (const JsonValue* stops = member(request, "stop_sequences")) {
    if (!stops->IsArray()) return fail("stop_sequences", "Input should be a valid list");
    write_key(out_, "stop");
    out_.StartArray();
    for (rapidjson::SizeType i = 0; i < stops->Size(); ++i) {
      if (!(*stops)[i].IsString()) {
        return fail(FieldPath("stop_sequences")[i], "Input should be a string");
      }
      write_string(out_, view((*stops)[i]));
    }
    out_.EndArray();
  }
  for (const char* name : {"temperature", "top_p"}) {
    const JsonValue* value = member(request, name);
    if (!value) continue;
    if (!value->IsNumber()) return fail(name, "Input should be a valid number");
    write_key_text(out_, name);
    value->Accept(out_);
  }
  if (const JsonValue* top_k = member(request, "top_k")) {
    if (!top_k->IsInt64() || top_k->GetInt64() < 0) {
      return fail("top_k", "Input should be a non-negative integer");
    }
    write_key(out_, "top_k");
    out_.Int64(top_k->GetInt64());
  }

  // OpenAI refuses tool_choice and parallel_tool_calls without tools: they go with the tools.
  const JsonValue* tool_list = member(request, "tools");
  if (tool_list && !tool_list->IsArray()) return fail("tools", "Input should be a valid list");
  const bool has_tools = tool_list && !tool_list->Empty();
  if (has_tools && !tools(*tool_list)) return false;
  if (const JsonValue* choice = member(request, "tool_choice")) {
    bool parallel_off = false;
    if (!tool_choice(*choice, has_tools, &parallel_off)) return false;
    if (has_tools && parallel_off) {
      write_key(out_, "parallel_tool_calls");
      out_.Bool(false);
    }
  }

  if (const JsonValue* metadata = member(request, "metadata")) {
    if (!metadata->IsObject()) return fail("metadata", "Input should be an object");
    if (const JsonValue* user = member(*metadata, "user_id"); user && !user->IsNull()) {
      if (!user->IsString()) return fail("metadata.user_id", "Input should be a string");
      write_key(out_, "user");
      write_string(out_, view(*user));
    }
  }
  if (const JsonValue* stream = member(request, "stream")) {
    if (!stream->IsBool()) return fail("stream", "Input should be a valid boolean");
    if (stream->GetBool()) {
      write_key(out_, "stream");
      out_.Bool(true);
      write_key(out_, "stream_options");
      out_.StartObject();
      write_key(out_, "include_usage");
      out_.Bool(true);
      out_.EndObject();
    }
  }
  out_.EndObject();
  return true;
}

bool RequestDecoder::joined_text(const JsonValue& blocks, const FieldPath& path,
                                 std::string* text) {
  for (rapidjson::SizeType i = 0; i < blocks.Size(); ++i) {
    const JsonValue& block = blocks[i];
    const JsonValue* block_text = member(block, "text");
    if (string_member(block, "type") != "text" || !block_text || !block_text->IsString()) {
      return fail(path[i], "Input should be a text block {\"type\":\"text\",\"text\":...}");
    }
    if (i > 0) text->push_back('\n');
    text->append(view(*block_text));
  }
  return true;
}

bool RequestDecoder::system(const JsonValue& system) {
  std::string text;
  if (system.IsString()) {
    text = std::string(view(system));
  } else if (system.IsArray()) {
    if (!joined_text(system, FieldPath("system"), &text)) return false;
  } else {
    return fail("system", "Input should be a string or a list of text blocks");
  }
  if (text.empty()) return true;
  write_text_message(out_, "system", text);
  return true;
}

bool RequestDecoder::message(const JsonValue& message, const FieldPath& path) {
  if (!message.IsObject()) return fail(path, "Input should be an object");
  const std::string_view role = string_member(message, "role");
  const JsonValue* content = member(message, "content");
  if (!content) return fail(path / "content", "Field required");
  if (!content->IsString() && !content->IsArray()) {
    return fail(path / "content", "Input should be a string or a list of content blocks");
  }
  if (role == "user") return user_turn(*content, path / "content");
  if (role == "assistant") return assistant_turn(*content, path / "content");
  return fail(path / "role", "Input should be 'user' or 'assistant'");
}

bool RequestDecoder::user_turn(const JsonValue& content, const FieldPath& path) {
  if (content.IsString()) {
    write_text_message(out_, "user", view(content));
    return true;
  }
  // The tool results first, as tool messages right after the assistant's calls; the rest of the
  // turn follows as one user message.
  if (content.Empty()) return fail(path, "at least one content block is required");
  size_t other_blocks = 0;
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    const std::string_view type = string_member(content[i], "type");
    if (type == "tool_result") {
      if (!tool_result(content[i], path[i])) return false;
    } else if (type != "thinking" && type != "redacted_thinking") {
      ++other_blocks;
    }
  }
  if (other_blocks == 0) return true;
  begin_message(out_, "user");
  out_.StartArray();
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    if (!user_part(content[i], path[i])) return false;
  }
  out_.EndArray();
  out_.EndObject();
  return true;
}

bool RequestDecoder::tool_result(const JsonValue& block, const FieldPath& path) {
  const std::string_view id = string_member(block, "tool_use_id");
  if (id.empty()) return fail(path / "tool_use_id", "Field required");
  std::string text;
  if (const JsonValue* content = member(block, "content")) {
    if (content->IsString()) {
      text = std::string(view(*content));
    } else if (content->IsArray()) {
      for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
        if (string_member((*content)[i], "type") == "image") {
          return fail((path / "content")[i],
                      "images in a tool_result are not supported (OpenAI tool messages are text)");
        }
      }
      if (!joined_text(*content, path / "content", &text)) return false;
    } else {
      return fail(path / "content", "Input should be a string or a list of content blocks");
    }
  }
  if (const JsonValue* is_error = member(block, "is_error"); is_error && is_error->IsTrue()) {
    text.insert(0, "Error: ");
  }
  write_tool_message(out_, id, text);
  return true;
}

bool RequestDecoder::user_part(const JsonValue& block, const FieldPath& path) {
  if (!block.IsObject()) return fail(path, "Input should be an object");
  const std::string_view type = string_member(block, "type");
  if (type == "tool_result" || type == "thinking" || type == "redacted_thinking") return true;
  if (type == "text") {
    const JsonValue* text = member(block, "text");
    if (!text || !text->IsString()) return fail(path / "text", "Field required");
    write_text_part(out_, view(*text));
    return true;
  }
  if (type == "image") return image_part(block, path);
  if (type == "tool_use") return fail(path, "tool_use blocks belong to assistant messages");
  if (type.empty()) return fail(path / "type", "Field required");
  return fail(path / "type", quoted_name(type) + " blocks are not supported");
}

bool RequestDecoder::image_part(const JsonValue& block, const FieldPath& path) {
  const JsonValue* source = member(block, "source");
  if (!source || !source->IsObject()) return fail(path / "source", "Field required");
  const std::string_view source_type = string_member(*source, "type");
  std::string url;
  if (source_type == "base64") {
    const std::string_view media_type = string_member(*source, "media_type");
    if (media_type != "image/jpeg" && media_type != "image/png" && media_type != "image/gif" &&
        media_type != "image/webp") {
      return fail(path / "source.media_type",
                  "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'");
    }
    const JsonValue* data = member(*source, "data");
    if (!data || !data->IsString()) return fail(path / "source.data", "Field required");
    url.reserve(media_type.size() + data->GetStringLength() + 13);
    url.append("data:").append(media_type).append(";base64,").append(view(*data));
  } else if (source_type == "url") {
    url = std::string(string_member(*source, "url"));
    if (url.empty()) return fail(path / "source.url", "Field required");
  } else {
    return fail(path / "source.type", "Input should be 'base64' or 'url'");
  }
  write_image_part(out_, url);
  return true;
}

bool RequestDecoder::assistant_turn(const JsonValue& content, const FieldPath& path) {
  begin_message(out_, "assistant");
  if (content.IsString()) {
    write_string(out_, view(content));
    out_.EndObject();
    return true;
  }
  std::string text;
  bool has_text = false;
  size_t calls = 0;
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    const JsonValue& block = content[i];
    const std::string_view type = string_member(block, "type");
    if (type == "text") {
      const JsonValue* block_text = member(block, "text");
      if (!block_text || !block_text->IsString()) {
        return fail(path[i] / "text", "Field required");
      }
      if (has_text) text.push_back('\n');
      text.append(view(*block_text));
      has_text = true;
    } else if (type == "tool_use") {
      const FieldPath item = path[i];
      if (string_member(block, "id").empty()) return fail(item / "id", "Field required");
      if (string_member(block, "name").empty()) return fail(item / "name", "Field required");
      const JsonValue* input = member(block, "input");
      if (!input || !input->IsObject()) return fail(item / "input", "Input should be an object");
      ++calls;
    } else if (type != "thinking" && type != "redacted_thinking") {
      if (type.empty()) return fail(path[i] / "type", "Field required");
      return fail(path[i] / "type",
                  quoted_name(type) + " blocks are not supported in assistant messages");
    }
  }
  if (has_text || calls == 0) {
    write_string(out_, text);
  } else {
    out_.Null();  // OpenAI's form of an assistant turn that only calls tools
  }
  if (calls > 0) {
    write_key(out_, "tool_calls");
    out_.StartArray();
    for (const JsonValue& block : content.GetArray()) {
      if (string_member(block, "type") != "tool_use") continue;
      write_tool_call(out_, string_member(block, "id"), string_member(block, "name"),
                      json_text(*member(block, "input")));
    }
    out_.EndArray();
  }
  out_.EndObject();
  return true;
}

bool RequestDecoder::tools(const JsonValue& tools) {
  write_key(out_, "tools");
  out_.StartArray();
  for (rapidjson::SizeType i = 0; i < tools.Size(); ++i) {
    const JsonValue& tool = tools[i];
    const FieldPath item = FieldPath("tools")[i];
    if (!tool.IsObject()) return fail(item, "Input should be an object");
    const std::string_view type = string_member(tool, "type");
    if (!type.empty() && type != "custom") {
      return fail(item / "type", "server tools (" + quoted_name(type) + ") are not supported");
    }
    if (string_member(tool, "name").empty()) return fail(item / "name", "Field required");
    const JsonValue* schema = member(tool, "input_schema");
    if (!schema) return fail(item / "input_schema", "Field required");
    if (!schema->IsObject()) return fail(item / "input_schema", "Input should be an object");
    begin_function(out_, string_member(tool, "name"));
    if (const JsonValue* description = member(tool, "description"); description) {
      if (!description->IsString()) return fail(item / "description", "Input should be a string");
      write_key(out_, "description");
      write_string(out_, view(*description));
    }
    write_key(out_, "parameters");
    schema->Accept(out_);
    out_.EndObject();
    out_.EndObject();
  }
  out_.EndArray();
  return true;
}

// Validates tool_choice always; writes it only with tools (OpenAI refuses it without).
bool RequestDecoder::tool_choice(const JsonValue& choice, bool has_tools, bool* parallel_off) {
  if (!choice.IsObject()) return fail("tool_choice", "Input should be an object");
  const std::string_view type = string_member(choice, "type");
  if (const JsonValue* disable = member(choice, "disable_parallel_tool_use")) {
    if (!disable->IsBool()) {
      return fail("tool_choice.disable_parallel_tool_use", "Input should be a valid boolean");
    }
    *parallel_off = disable->GetBool();
  }
  std::string_view name;
  if (type == "tool") {
    name = string_member(choice, "name");
    if (name.empty()) return fail("tool_choice.name", "Field required");
  } else if (type != "auto" && type != "any" && type != "none") {
    return fail("tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none'");
  }
  if (!has_tools) return true;
  write_key(out_, "tool_choice");
  if (type == "tool") {
    begin_function(out_, name);
    out_.EndObject();
    out_.EndObject();
  } else {
    write_string(out_, type == "any" ? "required" : type);
  }
  return true;
}

}  // namespace

bool decode_request(std::string_view body, std::string* openai_body, ApiError* error) {
  ParsedJson request;
  if (std::string parse_problem = request.parse(body); !parse_problem.empty()) {
    *error = ApiError{400, "request body: " + parse_problem, "invalid_request_error", ""};
    return false;
  }
  // The OpenAI request is about as long as the client's: one allocation, written in place.
  openai_body->clear();
  openai_body->reserve(body.size() + kOutputSlack);
  JsonOut writer(openai_body);
  RequestDecoder decoder(writer);
  if (!decoder.decode(request.doc())) {
    writer.restart();
    *error = ApiError{400, decoder.problem(), "invalid_request_error", ""};
    return false;
  }
  return true;  // the writer's destructor cuts the body to its text
}

}  // namespace sluice::apis::anthropic
