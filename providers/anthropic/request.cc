// Anthropic request: an OpenAI chat-completions body read into a MessagesRequest (system text
// apart, consecutive same-role messages merged, because Anthropic needs strictly alternating
// user/assistant turns), every field checked on the way; request_writer.cc writes it out.

#include <string>
#include <string_view>
#include <vector>

#include "providers/anthropic/messages_request.h"
#include "providers/anthropic/translation.h"
#include "providers/support/json_path.h"

namespace sluice::providers::anthropic {
namespace {

using support::JsonPath;

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

Block text_block(std::string_view text) {
  Block block;
  block.text = text;
  return block;
}

enum class Role { system, user, assistant, tool };

// Splits "data:<media type>[;parameters];base64,<data>": false when `url` is not of that form or
// holds no data.
bool split_data_url(std::string_view url, std::string_view* media_type, std::string_view* data) {
  if (!url.starts_with("data:")) return false;
  const size_t comma = url.find(',');
  if (comma == std::string_view::npos || comma + 1 == url.size()) return false;
  const std::string_view header = url.substr(5, comma - 5);
  if (!header.ends_with(";base64")) return false;
  *media_type = header.substr(0, header.find(';'));
  *data = url.substr(comma + 1);
  return true;
}

class RequestReader {
 public:
  // Tool-call arguments are parsed into `pool`, the client's document's, which outlives them.
  RequestReader(const Settings& settings, rapidjson::MemoryPoolAllocator<>& pool,
                MessagesRequest* request, Failure* failure)
      : settings_(settings), pool_(pool), request_(*request), failure_(failure) {}

  // Reads the client's body (a JSON object) into the request: false with a 400 failure naming
  // the field when it cannot be expressed for Anthropic.
  bool read(const JsonValue& root);

 private:
  bool fail(std::string param, std::string_view message, std::string_view code = "invalid_value");
  bool read_member(std::string_view name, const JsonValue& value);
  bool read_refusable(std::string_view name, const JsonValue& value, bool* known);
  bool read_messages(const JsonValue& messages);
  bool read_message(const JsonValue& message, const JsonPath& where);
  bool read_parts(const JsonValue& content, const JsonPath& where, Role role,
                  std::vector<Block>* blocks);
  bool read_image(const JsonValue& part, const JsonPath& where, Block* block);
  bool read_file(const JsonValue& part, const JsonPath& where, Block* block);
  bool read_tool_calls(const JsonValue& calls, const JsonPath& where, std::vector<Block>* blocks);
  bool read_tools(const JsonValue& tools);
  bool read_tool_choice(const JsonValue& choice);
  void append(bool user, std::vector<Block>&& blocks);

  const Settings& settings_;
  rapidjson::MemoryPoolAllocator<>& pool_;
  MessagesRequest& request_;
  Failure* failure_;
  bool messages_seen_ = false;
  uint64_t max_tokens_ = 0;  // max_completion_tokens wins over max_tokens, in any order
  uint64_t max_completion_tokens_ = 0;
};

bool RequestReader::fail(std::string param, std::string_view message, std::string_view code) {
  failure_->status = 400;
  failure_->type = "invalid_request_error";
  failure_->code = std::string(code);
  failure_->message = param + " " + std::string(message);
  failure_->param = std::move(param);
  return false;
}

bool RequestReader::read(const JsonValue& root) {
  for (const auto& entry : root.GetObject()) {
    if (!read_member(view(entry.name), entry.value)) return false;
  }
  if (!messages_seen_) return fail("messages", "is required", "missing_required_parameter");
  if (request_.turns.empty()) {
    return fail("messages", "must hold at least one user or assistant message");
  }
  if (!request_.turns.front().user) {
    Turn opening;
    opening.blocks.push_back(text_block(kOpeningUserText));
    request_.turns.insert(request_.turns.begin(), std::move(opening));
  }
  request_.max_tokens = max_completion_tokens_ ? max_completion_tokens_
                        : max_tokens_          ? max_tokens_
                                               : settings_.max_tokens_default;
  return true;
}

bool RequestReader::read_member(std::string_view name, const JsonValue& value) {
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
    (name == "temperature" ? request_.temperature : request_.top_p) = &value;
    return true;
  }
  if (name == "top_k") {  // not OpenAI's, but Anthropic's: passed on when a client sends it
    if (!value.IsUint64()) return fail(param, "must be a non-negative integer");
    request_.top_k = &value;
    return true;
  }
  if (name == "stop") {
    bool strings = value.IsString() || value.IsArray();
    if (value.IsArray()) {
      for (const auto& item : value.GetArray()) strings = strings && item.IsString();
    }
    if (!strings) return fail(param, "must be a string or an array of strings");
    request_.stop = &value;
    return true;
  }
  if (name == "stream") {
    if (!value.IsBool()) return fail(param, "must be a boolean");
    request_.stream = value.GetBool();
    return true;
  }
  if (name == "tools") return read_tools(value);
  if (name == "tool_choice") return read_tool_choice(value);
  if (name == "parallel_tool_calls") {
    if (!value.IsBool()) return fail(param, "must be a boolean");
    request_.disable_parallel_tool_use = !value.GetBool();
    return true;
  }
  if (name == "user") {
    if (!value.IsString()) return fail(param, "must be a string");
    request_.user = view(value);
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
bool RequestReader::read_refusable(std::string_view name, const JsonValue& value, bool* known) {
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
  if (name == "top_logprobs" && value.IsUint64() && value.GetUint64() == 0) return true;
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

bool RequestReader::read_messages(const JsonValue& messages) {
  if (!messages.IsArray()) return fail("messages", "must be an array of messages");
  messages_seen_ = true;
  const JsonPath messages_path("messages");
  for (size_t i = 0; i < messages.Size(); ++i) {
    if (!read_message(messages[static_cast<rapidjson::SizeType>(i)], messages_path.index(i))) {
      return false;
    }
  }
  return true;
}

bool RequestReader::read_message(const JsonValue& message, const JsonPath& where) {
  if (!message.IsObject()) return fail(where.text(), "must be an object");
  const std::string_view role = string_member(message, "role");
  const JsonValue* content = member(message, "content");
  const JsonPath content_where = where.member("content");
  if (role == "system" || role == "developer") {
    // Anthropic has one system prompt, outside the conversation: every system and developer
    // message, wherever it stands, goes there in order.
    return !content || read_parts(*content, content_where, Role::system, &request_.system);
  }
  std::vector<Block> blocks;
  if (role == "user") {
    if (content && !read_parts(*content, content_where, Role::user, &blocks)) return false;
    if (blocks.empty()) return fail(content_where.text(), "must not be empty");
    append(true, std::move(blocks));
    return true;
  }
  if (role == "assistant") {
    if (content && !read_parts(*content, content_where, Role::assistant, &blocks)) return false;
    const JsonValue* calls = member(message, "tool_calls");
    if (calls && !calls->IsNull() && !read_tool_calls(*calls, where, &blocks)) return false;
    if (blocks.empty()) return fail(where.text(), "has neither content nor tool_calls");
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

bool RequestReader::read_parts(const JsonValue& content, const JsonPath& where, Role role,
                               std::vector<Block>* blocks) {
  if (content.IsNull()) return true;
  if (content.IsString()) {
    // Anthropic refuses empty text blocks; an empty message is caught by the caller.
    if (content.GetStringLength() > 0) blocks->push_back(text_block(view(content)));
    return true;
  }
  if (!content.IsArray()) {
    return fail(where.text(), "must be a string or an array of content parts");
  }
  for (size_t j = 0; j < content.Size(); ++j) {
    const JsonValue& part = content[static_cast<rapidjson::SizeType>(j)];
    const JsonPath part_where = where.index(j);
    if (!part.IsObject()) return fail(part_where.text(), "must be an object");
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
    } else if (type == "file" && role == Role::user) {
      if (!read_file(part, part_where, &block)) return false;
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

bool RequestReader::read_image(const JsonValue& part, const JsonPath& where, Block* block) {
  const JsonValue* image = member(part, "image_url");
  const auto url_where = [&] { return where + ".image_url.url"; };
  std::string_view url;
  if (image && image->IsString()) {
    url = view(*image);
  } else if (image) {
    url = string_member(*image, "url");
  }
  if (url.empty()) return fail(url_where(), "is required", "missing_required_parameter");
  if (url.starts_with("data:")) {
    std::string_view media_type;
    if (!split_data_url(url, &media_type, &block->text)) {
      return fail(url_where(), "must be a base64 data: URL (data:<media type>;base64,<data>)");
    }
    bool known = false;
    for (std::string_view accepted : kImageMediaTypes) known = known || media_type == accepted;
    if (!known) {
      return fail(url_where(),
                  "has media type '" + std::string(media_type) +
                      "'; Anthropic takes image/jpeg, image/png, image/gif and image/webp",
                  "unsupported_value");
    }
    block->kind = Block::Kind::image_base64;
    block->name = media_type;
    return true;
  }
  if (url.starts_with("https://") || url.starts_with("http://")) {
    if (!settings_.allow_image_urls) {
      return fail(url_where(),
                  "is a URL, which this deployment does not pass on (setting "
                  "allow_image_urls); send the image as a data: URL",
                  "image_url_not_allowed");
    }
    block->kind = Block::Kind::image_url;
    block->text = url;
    return true;
  }
  return fail(url_where(), "must be a data: URL or an http(s) URL");
}

bool RequestReader::read_file(const JsonValue& part, const JsonPath& where, Block* block) {
  const JsonValue* file = member(part, "file");
  if (file && member(*file, "file_id")) {
    return fail(where + ".file.file_id",
                "names a file stored with OpenAI, which Anthropic cannot read; send file_data",
                "unsupported_value");
  }
  const auto data_where = [&] { return where + ".file.file_data"; };
  const std::string_view data = file ? string_member(*file, "file_data") : std::string_view();
  if (data.empty()) return fail(data_where(), "is required", "missing_required_parameter");
  std::string_view media_type;
  if (!split_data_url(data, &media_type, &block->text)) {
    return fail(data_where(), "must be a base64 data: URL (data:application/pdf;base64,<data>)");
  }
  if (media_type != "application/pdf") {
    return fail(data_where(),
                "has media type '" + std::string(media_type) +
                    "'; Anthropic takes application/pdf documents",
                "unsupported_value");
  }
  block->kind = Block::Kind::document_base64;
  block->name = media_type;
  return true;
}

bool RequestReader::read_tool_calls(const JsonValue& calls, const JsonPath& where,
                                    std::vector<Block>* blocks) {
  const JsonPath calls_where = where.member("tool_calls");
  if (!calls.IsArray()) return fail(calls_where.text(), "must be an array");
  for (size_t k = 0; k < calls.Size(); ++k) {
    const JsonValue& call = calls[static_cast<rapidjson::SizeType>(k)];
    const JsonPath call_where = calls_where.index(k);
    if (!call.IsObject()) return fail(call_where.text(), "must be an object");
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
    rapidjson::Document& input = request_.arguments.emplace_back(&pool_);
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

bool RequestReader::read_tools(const JsonValue& tools) {
  if (!tools.IsArray()) return fail("tools", "must be an array");
  const JsonPath tools_path("tools");
  for (size_t k = 0; k < tools.Size(); ++k) {
    const JsonValue& tool = tools[static_cast<rapidjson::SizeType>(k)];
    const JsonPath where = tools_path.index(k);
    if (!tool.IsObject()) return fail(where.text(), "must be an object");
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
  request_.tools = &tools;
  return true;
}

bool RequestReader::read_tool_choice(const JsonValue& choice) {
  if (choice.IsString()) {
    const std::string_view mode = view(choice);
    if (mode == "auto") {
      request_.tool_choice = "auto";
    } else if (mode == "required") {
      request_.tool_choice = "any";
    } else if (mode == "none") {
      request_.tool_choice = "none";
    } else {
      return fail("tool_choice", "must be 'auto', 'required', 'none' or a function");
    }
    return true;
  }
  const JsonValue* function = member(choice, "function");
  if (string_member(choice, "type") != "function" || !function) {
    return fail("tool_choice", "must be 'auto', 'required', 'none' or a function");
  }
  request_.tool_choice_name = string_member(*function, "name");
  if (request_.tool_choice_name.empty()) {
    return fail("tool_choice.function.name", "is required", "missing_required_parameter");
  }
  request_.tool_choice = "tool";
  return true;
}

void RequestReader::append(bool user, std::vector<Block>&& blocks) {
  if (request_.turns.empty() || request_.turns.back().user != user)
    request_.turns.emplace_back().user = user;
  auto& into = request_.turns.back().blocks;
  into.insert(into.end(), std::make_move_iterator(blocks.begin()),
              std::make_move_iterator(blocks.end()));
}

}  // namespace

bool build_messages_body(std::string_view openai_body, std::string_view model,
                         const Settings& settings, std::string* body, bool* stream,
                         Failure* failure) {
  support::RequestDocument document;
  if (!parse_json(openai_body, &document) || !document.IsObject()) {
    *failure = make_failure(400, "The request body must be a JSON object.", "invalid_request_error",
                            "invalid_json");
    return false;
  }
  MessagesRequest request;
  RequestReader reader(settings, document.GetAllocator(), &request, failure);
  if (!reader.read(document)) return false;
  write_messages_request(request, model, support::translated_capacity(openai_body.size()), body);
  *stream = request.stream;
  return true;
}

}  // namespace sluice::providers::anthropic
