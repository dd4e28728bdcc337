// Anthropic request: an OpenAI chat-completions body as a Messages API body. The messages are
// read into turns first (system text apart, consecutive same-role messages merged) because
// Anthropic needs strictly alternating user/assistant turns, then written in one pass.

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "providers/anthropic/translation.h"

namespace sluice::providers::anthropic {
namespace {

// OpenAI members that change nothing Anthropic could honour or the client could miss: dropped.
// seed and the penalties are best-effort sampling hints; the rest concern OpenAI's own storage,
// billing tier and latency, or the stream's usage chunk (which this adapter always sends).
constexpr std::string_view kDropped[] = {
    "seed",  "presence_penalty", "frequency_penalty", "service_tier",
    "store", "metadata",         "stream_options",    "prediction",
};

// The user turn put before a conversation that starts with the assistant: Anthropic's first
// turn must be the user's and may not be empty.
constexpr std::string_view kOpeningUserText = ".";

constexpr std::string_view kImageMediaTypes[] = {"image/jpeg", "image/png", "image/gif",
                                                 "image/webp"};

struct Block {
  enum class Kind { text, image_base64, image_url, tool_use, tool_result };
  Kind kind = Kind::text;
  std::string_view text;                     // text, base64 data, URL, tool_use id, tool_use_id
  std::string_view name;                     // image_base64: media type; tool_use: tool name
  const JsonValue* value = nullptr;          // tool_use: the input; tool_result: string content
  const JsonValue* cache_control = nullptr;  // copied as the client gave it
  std::vector<Block> parts;                  // tool_result: content given as text parts
};

Block text_block(std::string_view text) {
  Block block;
  block.text = text;
  return block;
}

struct Turn {
  bool user = true;
  std::vector<Block> blocks;
};

// Which content parts a message of a role may hold.
enum class Role { system, user, assistant, tool };

std::string indexed(std::string_view base, size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

class RequestBuilder {
 public:
  RequestBuilder(const Settings& settings, Failure* failure)
      : settings_(settings), failure_(failure) {}

  bool read(const JsonValue& root);
  void write(std::string_view model, std::string* body) const;
  bool stream() const { return stream_; }

 private:
  bool fail(std::string param, std::string_view message, std::string_view code = "invalid_value");
  bool read_member(std::string_view name, const JsonValue& value);
  bool read_refusable(std::string_view name, const JsonValue& value, bool* known);
  bool read_messages(const JsonValue& messages);
  bool read_message(const JsonValue& message, const std::string& where);
  bool read_parts(const JsonValue& content, const std::string& where, Role role,
                  std::vector<Block>* blocks);
  bool read_image(const JsonValue& part, const std::string& where, Block* block);
  bool read_tool_calls(const JsonValue& calls, const std::string& where,
                       std::vector<Block>* blocks);
  bool read_tools(const JsonValue& tools);
  bool read_tool_choice(const JsonValue& choice);
  void append(bool user, std::vector<Block>&& blocks);

  void write_content(JsonWriter& writer, const std::vector<Block>& blocks) const;
  void write_block(JsonWriter& writer, const Block& block) const;
  void write_tools(JsonWriter& writer) const;

  const Settings& settings_;
  Failure* failure_;
  bool messages_seen_ = false;
  std::vector<Block> system_;
  std::vector<Turn> turns_;
  std::deque<rapidjson::Document> arguments_;  // parsed tool-call arguments the blocks point to
  uint64_t max_tokens_ = 0;
  uint64_t max_completion_tokens_ = 0;
  const JsonValue* temperature_ = nullptr;
  const JsonValue* top_p_ = nullptr;
  const JsonValue* top_k_ = nullptr;
  const JsonValue* stop_ = nullptr;
  const JsonValue* tools_ = nullptr;
  std::string_view tool_choice_;  // Anthropic's type: auto, any, none or tool
  std::string_view tool_choice_name_;
  bool disable_parallel_tool_use_ = false;
  bool stream_ = false;
  std::string_view user_;
};

bool RequestBuilder::fail(std::string param, std::string_view message, std::string_view code) {
  failure_->status = 400;
  failure_->type = "invalid_request_error";
  failure_->code = std::string(code);
  failure_->message = param + " " + std::string(message);
  failure_->param = std::move(param);
  return false;
}

bool RequestBuilder::read(const JsonValue& root) {
  for (const auto& entry : root.GetObject()) {
    if (!read_member(view(entry.name), entry.value)) return false;
  }
  if (!messages_seen_) return fail("messages", "is required", "missing_required_parameter");
  if (turns_.empty()) return fail("messages", "must hold at least one user or assistant message");
  if (!turns_.front().user) {
    Turn opening;
    opening.blocks.push_back(text_block(kOpeningUserText));
    turns_.insert(turns_.begin(), std::move(opening));
  }
  return true;
}

bool RequestBuilder::read_member(std::string_view name, const JsonValue& value) {
  const std::string param(name);
  if (name == "model") return true;  // the deployment's model is sent
  if (name == "messages") return read_messages(value);
  if (value.IsNull()) return true;  // null reads as absent everywhere else
  if (name == "max_tokens" || name == "max_completion_tokens") {
    if (!value.IsUint64() || value.GetUint64() == 0) {
      return fail(param, "must be a positive integer");
    }
    (name == "max_tokens" ? max_tokens_ : max_completion_tokens_) = value.GetUint64();
    return true;
  }
  if (name == "temperature" || name == "top_p") {
    if (!value.IsNumber()) return fail(param, "must be a number");
    (name == "temperature" ? temperature_ : top_p_) = &value;
    return true;
  }
  if (name == "top_k") {  // not OpenAI's, but Anthropic's: passed on when a client sends it
    if (!value.IsUint64()) return fail(param, "must be a non-negative integer");
    top_k_ = &value;
    return true;
  }
  if (name == "stop") {
    bool strings = value.IsString() || value.IsArray();
    if (value.IsArray()) {
      for (const auto& item : value.GetArray()) strings = strings && item.IsString();
    }
    if (!strings) return fail(param, "must be a string or an array of strings");
    stop_ = &value;
    return true;
  }
  if (name == "stream") {
    if (!value.IsBool()) return fail(param, "must be a boolean");
    stream_ = value.GetBool();
    return true;
  }
  if (name == "tools") return read_tools(value);
  if (name == "tool_choice") return read_tool_choice(value);
  if (name == "parallel_tool_calls") {
    if (!value.IsBool()) return fail(param, "must be a boolean");
    disable_parallel_tool_use_ = !value.GetBool();
    return true;
  }
  if (name == "user") {
    if (!value.IsString()) return fail(param, "must be a string");
    user_ = view(value);
    return true;
  }
  for (std::string_view dropped : kDropped) {
    if (name == dropped) return true;
  }
  bool known = false;
  if (!read_refusable(name, value, &known)) return false;
  if (known) return true;
  return fail(param, "is not a parameter Anthropic's Messages API can take",
              "unsupported_parameter");
}

// Members whose meaning Anthropic cannot give: accepted only with their neutral value.
bool RequestBuilder::read_refusable(std::string_view name, const JsonValue& value, bool* known) {
  const std::string param(name);
  *known = true;
  if (name == "n") {
    if (value.IsUint64() && value.GetUint64() == 1) return true;
    return fail(param, "must be 1: Anthropic returns one choice", "unsupported_value");
  }
  if (name == "logprobs") {
    if (value.IsFalse()) return true;
    return fail(param, "is not supported: Anthropic returns no log probabilities",
                "unsupported_value");
  }
  if (name == "response_format") {
    if (string_member(value, "type") == "text") return true;
    return fail(param,
                "is not supported: Anthropic has no JSON or JSON-schema output mode (use a "
                "tool instead)",
                "unsupported_value");
  }
  if (name == "logit_bias") {
    if (value.IsObject() && value.MemberCount() == 0) return true;
    return fail(param, "is not supported by Anthropic", "unsupported_value");
  }
  if (name == "modalities") {
    bool text_only = value.IsArray();
    if (text_only) {
      for (const auto& item : value.GetArray()) {
        text_only = text_only && item.IsString() && view(item) == "text";
      }
    }
    if (text_only) return true;
    return fail(param, "may only ask for text from Anthropic", "unsupported_value");
  }
  constexpr std::string_view kRefused[] = {
      "top_logprobs",       "audio",    "functions", "function_call", "reasoning_effort",
      "web_search_options", "verbosity"};
  for (std::string_view refused : kRefused) {
    if (name == refused) {
      return fail(param, "is not supported by this gateway's Anthropic adapter",
                  "unsupported_parameter");
    }
  }
  *known = false;
  return true;
}

bool RequestBuilder::read_messages(const JsonValue& messages) {
  if (!messages.IsArray()) return fail("messages", "must be an array of messages");
  messages_seen_ = true;
  for (size_t i = 0; i < messages.Size(); ++i) {
    if (!read_message(messages[static_cast<rapidjson::SizeType>(i)], indexed("messages", i))) {
      return false;
    }
  }
  return true;
}

bool RequestBuilder::read_message(const JsonValue& message, const std::string& where) {
  if (!message.IsObject()) return fail(where, "must be an object");
  const std::string_view role = string_member(message, "role");
  const JsonValue* content = member(message, "content");
  const std::string content_where = where + ".content";
  if (role == "system" || role == "developer") {
    // Anthropic has one system prompt, outside the conversation: every system and developer
    // message, wherever it stands, goes there in order.
    return !content || read_parts(*content, content_where, Role::system, &system_);
  }
  std::vector<Block> blocks;
  if (role == "user") {
    if (content && !read_parts(*content, content_where, Role::user, &blocks)) return false;
    if (blocks.empty()) return fail(content_where, "must not be empty");
    append(true, std::move(blocks));
    return true;
  }
  if (role == "assistant") {
    if (content && !read_parts(*content, content_where, Role::assistant, &blocks)) return false;
    const JsonValue* calls = member(message, "tool_calls");
    if (calls && !calls->IsNull() && !read_tool_calls(*calls, where, &blocks)) return false;
    if (blocks.empty()) return fail(where, "has neither content nor tool_calls");
    append(false, std::move(blocks));
    return true;
  }
  if (role == "tool") {
    Block result;
    result.kind = Block::Kind::tool_result;
    result.text = string_member(message, "tool_call_id");
    if (result.text.empty()) {
      return fail(where + ".tool_call_id", "is required", "missing_required_parameter");
    }
    if (content && content->IsString()) {
      result.value = content;
    } else if (content && !read_parts(*content, content_where, Role::tool, &result.parts)) {
      return false;
    }
    blocks.push_back(std::move(result));
    append(true, std::move(blocks));  // tool results travel in the user's turn
    return true;
  }
  if (role.empty()) return fail(where + ".role", "is required", "missing_required_parameter");
  return fail(where + ".role", "'" + std::string(role) + "' is not a role Anthropic can take",
              "unsupported_value");
}

bool RequestBuilder::read_parts(const JsonValue& content, const std::string& where, Role role,
                                std::vector<Block>* blocks) {
  if (content.IsNull()) return true;
  if (content.IsString()) {
    // Anthropic refuses empty text blocks; an empty message is caught by the caller.
    if (content.GetStringLength() > 0) blocks->push_back(text_block(view(content)));
    return true;
  }
  if (!content.IsArray()) return fail(where, "must be a string or an array of content parts");
  for (size_t j = 0; j < content.Size(); ++j) {
    const JsonValue& part = content[static_cast<rapidjson::SizeType>(j)];
    const std::string part_where = indexed(where, j);
    if (!part.IsObject()) return fail(part_where, "must be an object");
    const std::string_view type = string_member(part, "type");
    const char* text_member = type == "text"                                 ? "text"
                              : type == "refusal" && role == Role::assistant ? "refusal"
                                                                             : nullptr;
    Block block;
    if (const JsonValue* cache = member(part, "cache_control"); cache && cache->IsObject()) {
      block.cache_control = cache;
    }
    if (text_member) {
      const JsonValue* text = member(part, text_member);
      if (!text || !text->IsString()) {
        return fail(part_where + "." + text_member, "must be a string");
      }
      if (text->GetStringLength() == 0) continue;
      block.text = view(*text);
    } else if (type == "image_url" && role == Role::user) {
      if (!read_image(part, part_where, &block)) return false;
    } else if (type.empty()) {
      return fail(part_where + ".type", "is required", "missing_required_parameter");
    } else {
      return fail(part_where + ".type",
                  "'" + std::string(type) + "' is not a content part Anthropic takes here",
                  "unsupported_value");
    }
    blocks->push_back(std::move(block));
  }
  return true;
}

bool RequestBuilder::read_image(const JsonValue& part, const std::string& where, Block* block) {
  const JsonValue* image = member(part, "image_url");
  const std::string url_where = where + ".image_url.url";
  std::string_view url;
  if (image && image->IsString()) {
    url = view(*image);
  } else if (image) {
    url = string_member(*image, "url");
  }
  if (url.empty()) return fail(url_where, "is required", "missing_required_parameter");
  if (url.starts_with("data:")) {
    const size_t comma = url.find(',');
    const std::string_view header = url.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
    if (comma == std::string_view::npos || !header.ends_with(";base64") ||
        comma + 1 == url.size()) {
      return fail(url_where, "must be a base64 data: URL (data:<media type>;base64,<data>)");
    }
    const std::string_view media_type = header.substr(0, header.find(';'));
    bool known = false;
    for (std::string_view accepted : kImageMediaTypes) known = known || media_type == accepted;
    if (!known) {
      return fail(url_where,
                  "has media type '" + std::string(media_type) +
                      "'; Anthropic takes image/jpeg, image/png, image/gif and image/webp",
                  "unsupported_value");
    }
    block->kind = Block::Kind::image_base64;
    block->name = media_type;
    block->text = url.substr(comma + 1);
    return true;
  }
  if (url.starts_with("https://") || url.starts_with("http://")) {
    if (!settings_.allow_image_urls) {
      return fail(url_where,
                  "is a URL, which this deployment does not pass on (setting "
                  "allow_image_urls); send the image as a data: URL",
                  "image_url_not_allowed");
    }
    block->kind = Block::Kind::image_url;
    block->text = url;
    return true;
  }
  return fail(url_where, "must be a data: URL or an http(s) URL");
}

bool RequestBuilder::read_tool_calls(const JsonValue& calls, const std::string& where,
                                     std::vector<Block>* blocks) {
  const std::string calls_where = where + ".tool_calls";
  if (!calls.IsArray()) return fail(calls_where, "must be an array");
  for (size_t k = 0; k < calls.Size(); ++k) {
    const JsonValue& call = calls[static_cast<rapidjson::SizeType>(k)];
    const std::string call_where = indexed(calls_where, k);
    if (!call.IsObject()) return fail(call_where, "must be an object");
    if (const JsonValue* type = member(call, "type");
        type && !(type->IsString() && view(*type) == "function")) {
      return fail(call_where + ".type", "must be 'function'", "unsupported_value");
    }
    Block block;
    block.kind = Block::Kind::tool_use;
    block.text = string_member(call, "id");
    if (block.text.empty()) {
      return fail(call_where + ".id", "is required", "missing_required_parameter");
    }
    const JsonValue* function = member(call, "function");
    block.name = function ? string_member(*function, "name") : std::string_view();
    if (block.name.empty()) {
      return fail(call_where + ".function.name", "is required", "missing_required_parameter");
    }
    const JsonValue* arguments = member(*function, "arguments");
    if (arguments && !arguments->IsNull() && !arguments->IsString()) {
      return fail(call_where + ".function.arguments", "must be a string");
    }
    rapidjson::Document& input = arguments_.emplace_back();
    const std::string_view text =
        arguments && arguments->IsString() ? trim(view(*arguments)) : std::string_view();
    if (text.empty()) {
      input.SetObject();  // a call without arguments
    } else if (!parse_json(text, &input) || !input.IsObject()) {
      return fail(call_where + ".function.arguments",
                  "must be a JSON object text (Anthropic takes the tool's input as an object)");
    }
    block.value = &input;
    blocks->push_back(std::move(block));
  }
  return true;
}

bool RequestBuilder::read_tools(const JsonValue& tools) {
  if (!tools.IsArray()) return fail("tools", "must be an array");
  for (size_t k = 0; k < tools.Size(); ++k) {
    const JsonValue& tool = tools[static_cast<rapidjson::SizeType>(k)];
    const std::string where = indexed("tools", k);
    if (!tool.IsObject()) return fail(where, "must be an object");
    if (string_member(tool, "type") != "function") {
      return fail(where + ".type", "must be 'function': Anthropic takes function tools only",
                  "unsupported_value");
    }
    const JsonValue* function = member(tool, "function");
    if (!function || !function->IsObject()) {
      return fail(where + ".function", "is required", "missing_required_parameter");
    }
    if (string_member(*function, "name").empty()) {
      return fail(where + ".function.name", "is required", "missing_required_parameter");
    }
    const JsonValue* description = member(*function, "description");
    if (description && !description->IsNull() && !description->IsString()) {
      return fail(where + ".function.description", "must be a string");
    }
    const JsonValue* parameters = member(*function, "parameters");
    if (parameters && !parameters->IsNull() && !parameters->IsObject()) {
      return fail(where + ".function.parameters", "must be a JSON schema object");
    }
  }
  tools_ = &tools;
  return true;
}

bool RequestBuilder::read_tool_choice(const JsonValue& choice) {
  if (choice.IsString()) {
    const std::string_view mode = view(choice);
    if (mode == "auto") {
      tool_choice_ = "auto";
    } else if (mode == "required") {
      tool_choice_ = "any";
    } else if (mode == "none") {
      tool_choice_ = "none";
    } else {
      return fail("tool_choice", "must be 'auto', 'required', 'none' or a function");
    }
    return true;
  }
  const JsonValue* function = member(choice, "function");
  if (string_member(choice, "type") != "function" || !function) {
    return fail("tool_choice", "must be 'auto', 'required', 'none' or a function");
  }
  tool_choice_name_ = string_member(*function, "name");
  if (tool_choice_name_.empty()) {
    return fail("tool_choice.function.name", "is required", "missing_required_parameter");
  }
  tool_choice_ = "tool";
  return true;
}

void RequestBuilder::append(bool user, std::vector<Block>&& blocks) {
  if (turns_.empty() || turns_.back().user != user) turns_.emplace_back().user = user;
  auto& into = turns_.back().blocks;
  into.insert(into.end(), std::make_move_iterator(blocks.begin()),
              std::make_move_iterator(blocks.end()));
}

// ---- writing ------------------------------------------------------------------------------------

void RequestBuilder::write(std::string_view model, std::string* body) const {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("model");
  write_string(writer, model);
  writer.Key("max_tokens");
  writer.Uint64(max_completion_tokens_ ? max_completion_tokens_
                : max_tokens_          ? max_tokens_
                                       : settings_.max_tokens_default);
  if (!system_.empty()) {
    writer.Key("system");
    write_content(writer, system_);
  }
  writer.Key("messages");
  writer.StartArray();
  for (const Turn& turn : turns_) {
    writer.StartObject();
    writer.Key("role");
    writer.String(turn.user ? "user" : "assistant");
    writer.Key("content");
    write_content(writer, turn.blocks);
    writer.EndObject();
  }
  writer.EndArray();
  if (stop_ && (stop_->IsString() || stop_->Size() > 0)) {
    writer.Key("stop_sequences");
    if (stop_->IsString()) writer.StartArray();
    stop_->Accept(writer);
    if (stop_->IsString()) writer.EndArray();
  }
  const std::pair<const char*, const JsonValue*> sampling[] = {
      {"temperature", temperature_}, {"top_p", top_p_}, {"top_k", top_k_}};
  for (const auto& [name, value] : sampling) {
    if (!value) continue;
    writer.Key(name);
    value->Accept(writer);
  }
  if (stream_) {
    writer.Key("stream");
    writer.Bool(true);
  }
  if (tools_ && tools_->Size() > 0) write_tools(writer);
  if (!user_.empty()) {
    writer.Key("metadata");
    writer.StartObject();
    writer.Key("user_id");
    write_string(writer, user_);
    writer.EndObject();
  }
  writer.EndObject();
  body->assign(buffer.GetString(), buffer.GetSize());
}

void RequestBuilder::write_tools(JsonWriter& writer) const {
  writer.Key("tools");
  writer.StartArray();
  for (const auto& tool : tools_->GetArray()) {
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
  if (tool_choice_.empty() && !disable_parallel_tool_use_) return;
  const std::string_view type = tool_choice_.empty() ? "auto" : tool_choice_;
  writer.Key("tool_choice");
  writer.StartObject();
  writer.Key("type");
  write_string(writer, type);
  if (type == "tool") {
    writer.Key("name");
    write_string(writer, tool_choice_name_);
  }
  if (disable_parallel_tool_use_ && type != "none") {
    writer.Key("disable_parallel_tool_use");
    writer.Bool(true);
  }
  writer.EndObject();
}

void RequestBuilder::write_content(JsonWriter& writer, const std::vector<Block>& blocks) const {
  // A lone plain text is written as a string, the shape people write by hand.
  if (blocks.size() == 1 && blocks[0].kind == Block::Kind::text && !blocks[0].cache_control) {
    write_string(writer, blocks[0].text);
    return;
  }
  writer.StartArray();
  for (const Block& block : blocks) write_block(writer, block);
  writer.EndArray();
}

void RequestBuilder::write_block(JsonWriter& writer, const Block& block) const {
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

bool build_messages_body(std::string_view openai_body, std::string_view model,
                         const Settings& settings, std::string* body, bool* stream,
                         Failure* failure) {
  rapidjson::Document document;
  if (!parse_json(openai_body, &document) || !document.IsObject()) {
    *failure = make_failure(400, "The request body must be a JSON object.", "invalid_request_error",
                            "invalid_json");
    return false;
  }
  RequestBuilder builder(settings, failure);
  if (!builder.read(document)) return false;
  builder.write(model, body);
  *stream = builder.stream();
  return true;
}

}  // namespace sluice::providers::anthropic
