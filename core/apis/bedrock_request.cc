// Bedrock Converse request -> OpenAI chat-completions request. The model comes from the path
// (the host URL-decodes it), the rest from the body; a request Converse would refuse, or one the
// chain cannot carry, is a 400 ValidationException naming the field ("messages.0.content.1...").

#include <string>
#include <string_view>

#include "core/apis/bedrock_internal.h"
#include "core/apis/codec_json.h"
#include "core/apis/field_path.h"
#include "core/apis/openai_request_out.h"

namespace sluice::apis::bedrock {
namespace {

// The content block kinds of Converse (a block is an object with one of these members), in the
// order they are told apart when a block has more than one.
enum class Block { text, image, tool_use, tool_result, cache_point, reasoning, unsupported };

Block kind_named(std::string_view name) {
  if (name == "text") return Block::text;
  if (name == "image") return Block::image;
  if (name == "toolUse") return Block::tool_use;
  if (name == "toolResult") return Block::tool_result;
  if (name == "cachePoint") return Block::cache_point;
  if (name == "reasoningContent") return Block::reasoning;
  return Block::unsupported;
}

// A content block's kind and that member's value (null when unsupported), in one pass over its
// members; *first_name is the block's first member name, for the error about an unknown one.
Block block_kind(const JsonValue& block, const JsonValue** body, std::string_view* first_name) {
  *body = nullptr;
  *first_name = {};
  if (!block.IsObject() || block.MemberCount() == 0) return Block::unsupported;
  *first_name = view(block.MemberBegin()->name);
  Block kind = Block::unsupported;
  for (auto it = block.MemberBegin(); it != block.MemberEnd(); ++it) {
    const Block named = kind_named(view(it->name));
    if (named < kind) {  // strictly: a repeated name keeps its first value
      kind = named;
      *body = &it->value;
    }
  }
  return kind;
}

class RequestDecoder {
 public:
  explicit RequestDecoder(JsonOut& out) : out_(out) {}
  const std::string& problem() const { return problem_; }

  bool decode(std::string_view model_id, bool stream, const JsonValue& request);

 private:
  bool fail(const FieldPath& path, std::string_view what) {
    problem_ = path.text() + ": " + std::string(what);
    return false;
  }
  bool unsupported(const FieldPath& path, std::string_view name) {
    if (name.empty()) return fail(path, "a content block must have one member");
    return fail(path, quoted_name(name) + " content blocks are not supported");
  }
  bool system(const JsonValue& blocks);
  bool message(const JsonValue& message, const FieldPath& path);
  bool user_turn(const JsonValue& content, const FieldPath& path);
  bool tool_result(const JsonValue& result, const FieldPath& path);
  bool user_part(const JsonValue& block, const FieldPath& path);
  bool assistant_turn(const JsonValue& content, const FieldPath& path);
  bool inference_config(const JsonValue& config);
  bool tool_config(const JsonValue& config);

  JsonOut& out_;
  std::string problem_;
};

bool RequestDecoder::decode(std::string_view model_id, bool stream, const JsonValue& request) {
  if (model_id.empty()) return fail("modelId", "the path names no model");
  if (!request.IsObject()) return fail("body", "must be a JSON object");
  const JsonValue* messages = member(request, "messages");
  if (!messages) return fail("messages", "required");
  if (!messages->IsArray() || messages->Empty())
    return fail("messages", "must be a non-empty list");

  out_.StartObject();
  write_key(out_, "model");
  write_string(out_, model_id);
  write_key(out_, "messages");
  out_.StartArray();
  if (const JsonValue* system_blocks = member(request, "system")) {
    if (!system(*system_blocks)) return false;
  }
  for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
    if (!message((*messages)[i], FieldPath("messages")[i])) return false;
  }
  out_.EndArray();
  if (const JsonValue* config = member(request, "inferenceConfig")) {
    if (!inference_config(*config)) return false;
  }
  if (const JsonValue* config = member(request, "toolConfig")) {
    if (!tool_config(*config)) return false;
  }
  // Carried for the outbound Bedrock adapter, which passes them on as they are.
  for (const char* name : {"additionalModelRequestFields", "guardrailConfig"}) {
    const JsonValue* value = member(request, name);
    if (!value) continue;
    if (!value->IsObject()) return fail(name, "must be an object");
    write_key_text(out_, name);
    value->Accept(out_);
  }
  if (stream) {
    write_key(out_, "stream");
    out_.Bool(true);
    write_key(out_, "stream_options");
    out_.StartObject();
    write_key(out_, "include_usage");
    out_.Bool(true);
    out_.EndObject();
  }
  out_.EndObject();
  return true;
}

bool RequestDecoder::system(const JsonValue& blocks) {
  if (!blocks.IsArray()) return fail("system", "must be a list of blocks");
  std::string text;
  bool has_text = false;
  for (rapidjson::SizeType i = 0; i < blocks.Size(); ++i) {
    const JsonValue* block_text;
    std::string_view name;
    const Block kind = block_kind(blocks[i], &block_text, &name);
    if (kind == Block::cache_point) continue;
    if (kind != Block::text) return unsupported(FieldPath("system")[i], name);
    if (!block_text->IsString()) return fail(FieldPath("system")[i] / "text", "must be a string");
    if (has_text) text.push_back('\n');
    text.append(view(*block_text));
    has_text = true;
  }
  if (text.empty()) return true;
  write_text_message(out_, "system", text);
  return true;
}

bool RequestDecoder::message(const JsonValue& message, const FieldPath& path) {
  if (!message.IsObject()) return fail(path, "must be an object");
  const std::string_view role = string_member(message, "role");
  const JsonValue* content = member(message, "content");
  if (!content) return fail(path / "content", "required");
  if (!content->IsArray() || content->Empty()) {
    return fail(path / "content", "must be a non-empty list of content blocks");
  }
  if (role == "user") return user_turn(*content, path / "content");
  if (role == "assistant") return assistant_turn(*content, path / "content");
  return fail(path / "role", "must be one of [user, assistant]");
}

bool RequestDecoder::user_turn(const JsonValue& content, const FieldPath& path) {
  // The tool results first, as tool messages right after the assistant's calls; the rest of the
  // turn follows as one user message.
  size_t other_blocks = 0;
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    const JsonValue* body;
    std::string_view name;
    switch (block_kind(content[i], &body, &name)) {
      case Block::tool_result:
        if (!tool_result(*body, path[i] / "toolResult")) return false;
        break;
      case Block::cache_point:
      case Block::reasoning:
        break;
      default:
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

bool RequestDecoder::tool_result(const JsonValue& result, const FieldPath& path) {
  const std::string_view id = string_member(result, "toolUseId");
  if (id.empty()) return fail(path / "toolUseId", "required");
  const JsonValue* content = member(result, "content");
  if (!content || !content->IsArray()) return fail(path / "content", "must be a list of blocks");
  std::string text;
  for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
    const JsonValue& block = (*content)[i];
    if (i > 0) text.push_back('\n');
    if (const JsonValue* block_text = member(block, "text"); block_text && block_text->IsString()) {
      text.append(view(*block_text));
    } else if (const JsonValue* json = member(block, "json")) {
      text.append(json_text(*json));
    } else {
      const std::string_view name =
          block.IsObject() && block.MemberCount() > 0 ? view(block.MemberBegin()->name) : "";
      return fail((path / "content")[i],
                  name.empty() ? std::string("a content block must have one member")
                               : quoted_name(name) +
                                     " tool result content is not supported (text and json are)");
    }
  }
  if (const std::string_view status = string_member(result, "status"); status == "error") {
    text.insert(0, "Error: ");
  }
  write_tool_message(out_, id, text);
  return true;
}

bool RequestDecoder::user_part(const JsonValue& block, const FieldPath& path) {
  const JsonValue* body;
  std::string_view name;
  switch (block_kind(block, &body, &name)) {
    case Block::tool_result:
    case Block::cache_point:
    case Block::reasoning:
      return true;
    case Block::text: {
      const JsonValue* text = body;
      if (!text->IsString()) return fail(path / "text", "must be a string");
      write_text_part(out_, view(*text));
      return true;
    }
    case Block::image: {
      const JsonValue& image = *body;
      const std::string_view format = string_member(image, "format");
      if (format != "png" && format != "jpeg" && format != "gif" && format != "webp") {
        return fail(path / "image.format", "must be one of [png, jpeg, gif, webp]");
      }
      const JsonValue* source = member(image, "source");
      const JsonValue* bytes = source ? member(*source, "bytes") : nullptr;
      if (source && member(*source, "s3Location")) {
        return fail(path / "image.source.s3Location", "images from S3 are not supported");
      }
      if (!bytes || !bytes->IsString()) return fail(path / "image.source.bytes", "required");
      std::string url;
      url.reserve(format.size() + bytes->GetStringLength() + 19);
      url.append("data:image/").append(format).append(";base64,").append(view(*bytes));
      write_image_part(out_, url);
      return true;
    }
    case Block::tool_use:
      return fail(path / "toolUse", "toolUse blocks belong to assistant messages");
    default:
      return unsupported(path, name);
  }
}

bool RequestDecoder::assistant_turn(const JsonValue& content, const FieldPath& path) {
  std::string text;
  bool has_text = false;
  size_t calls = 0;
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    const JsonValue* body;
    std::string_view name;
    switch (block_kind(content[i], &body, &name)) {
      case Block::text: {
        const JsonValue* block_text = body;
        if (!block_text->IsString()) return fail(path[i] / "text", "must be a string");
        if (has_text) text.push_back('\n');
        text.append(view(*block_text));
        has_text = true;
        break;
      }
      case Block::tool_use: {
        const JsonValue& use = *body;
        const FieldPath item = path[i] / "toolUse";
        if (string_member(use, "toolUseId").empty()) return fail(item / "toolUseId", "required");
        if (string_member(use, "name").empty()) return fail(item / "name", "required");
        if (!member(use, "input")) return fail(item / "input", "required");
        ++calls;
        break;
      }
      case Block::cache_point:
      case Block::reasoning:
        break;
      case Block::tool_result:
        return fail(path[i] / "toolResult", "toolResult blocks belong to user messages");
      default:
        return unsupported(path[i], name);
    }
  }
  begin_message(out_, "assistant");
  if (has_text || calls == 0) {
    write_string(out_, text);
  } else {
    out_.Null();  // OpenAI's form of an assistant turn that only calls tools
  }
  if (calls > 0) {
    write_key(out_, "tool_calls");
    out_.StartArray();
    for (const JsonValue& block : content.GetArray()) {
      // The blocks checked above as tool uses (a block that is also text is text).
      const JsonValue* use;
      std::string_view name;
      if (block_kind(block, &use, &name) != Block::tool_use) continue;
      write_tool_call(out_, string_member(*use, "toolUseId"), string_member(*use, "name"),
                      json_text(*member(*use, "input")));
    }
    out_.EndArray();
  }
  out_.EndObject();
  return true;
}

bool RequestDecoder::inference_config(const JsonValue& config) {
  if (!config.IsObject()) return fail("inferenceConfig", "must be an object");
  if (const JsonValue* max_tokens = member(config, "maxTokens")) {
    if (!max_tokens->IsInt64() || max_tokens->GetInt64() < 1) {
      return fail("inferenceConfig.maxTokens", "must be an integer of at least 1");
    }
    write_key(out_, "max_tokens");
    out_.Int64(max_tokens->GetInt64());
  }
  if (const JsonValue* stops = member(config, "stopSequences")) {
    if (!stops->IsArray()) return fail("inferenceConfig.stopSequences", "must be a list");
    write_key(out_, "stop");
    out_.StartArray();
    for (rapidjson::SizeType i = 0; i < stops->Size(); ++i) {
      if (!(*stops)[i].IsString()) {
        return fail(FieldPath("inferenceConfig.stopSequences")[i], "must be a string");
      }
      write_string(out_, view((*stops)[i]));
    }
    out_.EndArray();
  }
  const std::pair<const char*, const char*> numbers[] = {{"temperature", "temperature"},
                                                         {"topP", "top_p"}};
  for (const auto& [name, openai_name] : numbers) {
    const JsonValue* value = member(config, name);
    if (!value) continue;
    if (!value->IsNumber()) return fail(FieldPath("inferenceConfig") / name, "must be a number");
    write_key_text(out_, openai_name);
    value->Accept(out_);
  }
  return true;
}

bool RequestDecoder::tool_config(const JsonValue& config) {
  if (!config.IsObject()) return fail("toolConfig", "must be an object");
  const JsonValue* tools = member(config, "tools");
  if (!tools || !tools->IsArray() || tools->Empty()) {
    return fail("toolConfig.tools", "must be a non-empty list");
  }
  write_key(out_, "tools");
  out_.StartArray();
  for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
    const JsonValue& tool = (*tools)[i];
    const FieldPath item = FieldPath("toolConfig.tools")[i];
    if (member(tool, "cachePoint")) continue;
    const JsonValue* spec = member(tool, "toolSpec");
    if (!spec || !spec->IsObject()) {
      return fail(item, "only toolSpec tools are supported");
    }
    if (string_member(*spec, "name").empty()) return fail(item / "toolSpec.name", "required");
    const JsonValue* schema = member(*spec, "inputSchema");
    const JsonValue* json_schema = schema ? member(*schema, "json") : nullptr;
    if (!json_schema || !json_schema->IsObject()) {
      return fail(item / "toolSpec.inputSchema.json", "must be a JSON schema object");
    }
    begin_function(out_, string_member(*spec, "name"));
    if (const JsonValue* description = member(*spec, "description")) {
      if (!description->IsString()) return fail(item / "toolSpec.description", "must be a string");
      write_key(out_, "description");
      write_string(out_, view(*description));
    }
    write_key(out_, "parameters");
    json_schema->Accept(out_);
    out_.EndObject();
    out_.EndObject();
  }
  out_.EndArray();
  const JsonValue* choice = member(config, "toolChoice");
  if (!choice) return true;
  write_key(out_, "tool_choice");
  if (member(*choice, "auto")) {
    write_literal(out_, "auto");
  } else if (member(*choice, "any")) {
    write_literal(out_, "required");
  } else if (const JsonValue* tool = member(*choice, "tool")) {
    const std::string_view name = string_member(*tool, "name");
    if (name.empty()) return fail("toolConfig.toolChoice.tool.name", "required");
    begin_function(out_, name);
    out_.EndObject();
    out_.EndObject();
  } else {
    return fail("toolConfig.toolChoice", "must be one of auto, any or tool");
  }
  return true;
}

}  // namespace

bool decode_request(const ClientRequest& request, std::string* openai_body, ApiError* error) {
  ParsedJson body;
  if (std::string parse_problem = body.parse(request.body); !parse_problem.empty()) {
    *error = ApiError{400, "request body: " + parse_problem, "invalid_request_error", ""};
    return false;
  }
  // The OpenAI request is about as long as the client's: one allocation, written in place.
  openai_body->clear();
  openai_body->reserve(request.body.size() + kOutputSlack);
  JsonOut writer(openai_body);
  RequestDecoder decoder(writer);
  if (!decoder.decode(request.model_id, request.stream_path, body.doc())) {
    writer.restart();
    *error = ApiError{400, decoder.problem(), "invalid_request_error", ""};
    return false;
  }
  return true;  // the writer's destructor cuts the body to its text
}

}  // namespace sluice::apis::bedrock
