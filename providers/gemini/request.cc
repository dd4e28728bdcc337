// OpenAI chat-completions request -> Gemini GenerateContentRequest (README.md lists every
// mapping). Parameters Gemini cannot honour are refused with a 400 naming them rather than
// dropped, so a client never silently gets a different behaviour than it asked for.

#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <map>

#include "providers/gemini/literal.h"
#include "providers/gemini/members.h"
#include "providers/gemini/translate.h"
#include "providers/support/json_path.h"

namespace sluice::providers::gemini {
namespace {

using rapidjson::Value;
using support::JsonPath;

// Top-level members understood; any other non-null member is refused. Found in the one pass
// that looks for unknown members, and read by their Parameter afterwards.
constexpr std::array<std::string_view, 20> kKnownParameters = {"model",
                                                               "messages",
                                                               "stream",
                                                               "stream_options",
                                                               "max_tokens",
                                                               "max_completion_tokens",
                                                               "temperature",
                                                               "top_p",
                                                               "top_k",
                                                               "stop",
                                                               "n",
                                                               "seed",
                                                               "presence_penalty",
                                                               "frequency_penalty",
                                                               "response_format",
                                                               "tools",
                                                               "tool_choice",
                                                               "parallel_tool_calls",
                                                               "user",
                                                               "logprobs"};
enum Parameter : size_t {
  kModel,
  kMessages,
  kStream,
  kStreamOptions,
  kMaxTokens,
  kMaxCompletionTokens,
  kTemperature,
  kTopP,
  kTopK,
  kStop,
  kN,
  kSeed,
  kPresencePenalty,
  kFrequencyPenalty,
  kResponseFormat,
  kTools,
  kToolChoice,
  kParallelToolCalls,
  kUser,
  kLogprobs,
};

// The members of a tool's function read, found in one pass over it.
constexpr std::array<std::string_view, 3> kFunctionMembers = {"name", "description", "parameters"};

// The members of a message read, found in one pass over it.
constexpr std::array<std::string_view, 5> kMessageMembers = {"role", "content", "function_call",
                                                             "tool_calls", "tool_call_id"};
enum MessageMember : size_t { kRole, kContent, kFunctionCall, kToolCalls, kToolCallId };
using MessageMembers = std::array<const Value*, kMessageMembers.size()>;

// The message's role when it is a string, else empty.
std::string_view role_of(const MessageMembers& members) {
  const Value* role = members[kRole];
  return role != nullptr && role->IsString() ? view(*role) : std::string_view();
}

// "data:<mime type>;base64,<data>" split into its type and data.
bool split_data_url(std::string_view url, std::string_view* mime_type, std::string_view* data) {
  if (!url.starts_with("data:")) return false;
  const size_t marker = url.find(";base64,");
  if (marker == std::string_view::npos) return false;
  *mime_type = url.substr(5, marker - 5);
  *data = url.substr(marker + 8);
  return mime_type->find('/') != std::string_view::npos && !data->empty();
}

// The image type of a URL by the extension of its path; empty when unknown.
std::string_view image_type_from_extension(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const size_t dot = url.find_last_of("./");
  if (dot == std::string_view::npos || url[dot] != '.') return {};
  std::string extension(url.substr(dot + 1));
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == "png") return "image/png";
  if (extension == "jpg" || extension == "jpeg") return "image/jpeg";
  if (extension == "webp") return "image/webp";
  if (extension == "gif") return "image/gif";
  if (extension == "heic") return "image/heic";
  if (extension == "heif") return "image/heif";
  return {};
}

// Whether `text` may be a JSON object: its first non-blank byte is '{'. Spares most plain-text
// tool results a parse.
bool looks_like_object(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{';
}

// Whether write_value copies `value`, at `depth`, whole: it refuses values nested past
// kMaxCopyDepth, and a refusal halfway would leave half a value in the body.
bool copyable(const Value& value, int depth) {
  if (depth > kMaxCopyDepth) return false;
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      if (!copyable(member.value, depth + 1)) return false;
    }
  } else if (value.IsArray()) {
    for (const auto& element : value.GetArray()) {
      if (!copyable(element, depth + 1)) return false;
    }
  }
  return true;
}

class RequestWriter {
 public:
  // `capacity`: the bytes reserved for the body.
  RequestWriter(const Value& request, const RequestOptions& options, size_t capacity,
                Failure* failure)
      : request_(request),
        options_(options),
        failure_(failure),
        buffer_(nullptr, capacity),
        writer_(buffer_) {}

  bool write(std::string* body, bool* stream) {
    if (!request_.IsObject()) return fail("the request body must be a JSON object", "");
    if (!check_parameters(stream)) return false;
    writer_.StartObject();
    if (!write_contents() || !write_system() || !write_tools() || !write_tool_config() ||
        !write_generation_config()) {
      return false;
    }
    writer_.EndObject();
    *body = take(buffer_);
    return true;
  }

 private:
  bool fail(std::string message, std::string param) {
    *failure_ = invalid_request(std::move(message), std::move(param));
    return false;
  }
  bool fail(std::string message, const JsonPath& param) {
    return fail(std::move(message), param.text());
  }

  bool check_parameters(bool* stream) {
    std::array<bool, kKnownParameters.size()> seen{};  // as find(): the first of a name counts
    for (const auto& member : request_.GetObject()) {
      const std::string_view name = view(member.name);
      const size_t known = name_index(kKnownParameters, name);
      if (known < kKnownParameters.size() && !seen[known]) {
        seen[known] = true;
        if (!member.value.IsNull()) parameters_[known] = &member.value;
      }
      if (member.value.IsNull()) continue;
      if (known == kKnownParameters.size()) {
        return fail(
            std::string(label()) + " does not support the parameter '" + std::string(name) + "'",
            std::string(name));
      }
    }
    *stream = false;
    if (const Value* value = parameters_[kStream]) {
      if (!value->IsBool()) return fail("stream must be a boolean", "stream");
      *stream = value->GetBool();
    }
    if (const Value* value = parameters_[kLogprobs]) {
      if (!value->IsBool() || value->GetBool()) {
        return fail(std::string(label()) + " does not support logprobs", "logprobs");
      }
    }
    const Value* messages = parameters_[kMessages];
    if (messages == nullptr || !messages->IsArray() || messages->Empty()) {
      return fail("messages must be a non-empty array", "messages");
    }
    return true;
  }

  std::string_view label() const { return provider_label(options_.flavour); }

  // ---- messages ----

  // After write_contents(), which counted the system messages and checked every role.
  bool write_system() {
    const Value& messages = *parameters_[kMessages];
    const JsonPath messages_path("messages");
    bool open = false;
    size_t left = system_messages_;
    for (rapidjson::SizeType i = first_system_; left > 0 && i < messages.Size(); ++i) {
      MessageMembers members;
      find_members(messages[i], kMessageMembers, &members);
      const std::string_view role = role_of(members);
      if (role != "system" && role != "developer") continue;
      --left;
      if (!open) {
        write_literal_key<"systemInstruction">(writer_);
        writer_.StartObject();
        write_literal_key<"parts">(writer_);
        writer_.StartArray();
        open = true;
      }
      const JsonPath message_path = messages_path.index(i);
      const JsonPath path = message_path.member("content");
      const Value* content = members[kContent];
      if (content != nullptr && content->IsString()) {
        write_text_part(view(*content));
      } else if (content != nullptr && content->IsArray()) {
        for (rapidjson::SizeType k = 0; k < content->Size(); ++k) {
          std::string_view text;
          if (!text_of_part((*content)[k], path.index(k), &text)) return false;
          write_text_part(text);
        }
      } else {
        return fail(path + " must be a string or an array of text parts", path);
      }
    }
    if (open) {
      writer_.EndArray();
      writer_.EndObject();
    }
    return true;
  }

  bool write_contents() {
    const Value& messages = *parameters_[kMessages];
    const JsonPath messages_path("messages");
    write_literal_key<"contents">(writer_);
    writer_.StartArray();
    std::string_view open_role;  // the turn being written: "user", "model" or none
    const auto open_turn = [&](std::string_view role) {
      if (open_role == role) return;  // consecutive messages of one role make one turn
      if (!open_role.empty()) {
        writer_.EndArray();
        writer_.EndObject();
      }
      writer_.StartObject();
      write_literal_key<"role">(writer_);
      write_string(writer_, role);
      write_literal_key<"parts">(writer_);
      writer_.StartArray();
      open_role = role;
    };
    for (rapidjson::SizeType i = 0; i < messages.Size(); ++i) {
      const Value& message = messages[i];
      const JsonPath path = messages_path.index(i);
      MessageMembers members;
      find_members(message, kMessageMembers, &members);
      if (members[kRole] == nullptr || !members[kRole]->IsString()) {
        return fail(path + " must be an object with a string role", path + ".role");
      }
      const std::string_view role = view(*members[kRole]);
      if (members[kFunctionCall] != nullptr) {
        return fail(path + ".function_call is the deprecated form of tool_calls; send tool_calls",
                    path + ".function_call");
      }
      if (role == "system" || role == "developer") {  // written by write_system()
        if (system_messages_++ == 0) first_system_ = i;
        continue;
      }
      if (role == "user") {
        open_turn("user");
        if (!write_user_content(members, path)) return false;
      } else if (role == "assistant") {
        open_turn("model");
        if (!write_assistant(members, path)) return false;
      } else if (role == "tool") {
        open_turn("user");  // Gemini takes function responses in a user turn
        if (!write_tool_result(members, path)) return false;
      } else {
        return fail(
            path + ".role '" + std::string(role) + "' is not supported by " + std::string(label()),
            path + ".role");
      }
    }
    if (open_role.empty()) {
      return fail("messages must hold at least one user, assistant or tool message", "messages");
    }
    writer_.EndArray();
    writer_.EndObject();
    writer_.EndArray();
    return true;
  }

  void write_text_part(std::string_view text) {
    writer_.StartObject();
    write_literal_key<"text">(writer_);
    write_string(writer_, text);
    writer_.EndObject();
  }

  void write_inline_data(std::string_view mime_type, std::string_view data) {
    writer_.StartObject();
    write_literal_key<"inlineData">(writer_);
    writer_.StartObject();
    write_literal_key<"mimeType">(writer_);
    write_string(writer_, mime_type);
    write_literal_key<"data">(writer_);
    write_string(writer_, data);
    writer_.EndObject();
    writer_.EndObject();
  }

  // The text of a {"type":"text","text":...} part (assistant "refusal" parts count as text).
  bool text_of_part(const Value& part, const JsonPath& path, std::string_view* text) {
    std::string_view type;
    if (!find_string(part, "type", &type)) return fail(path + ".type must be a string", path);
    if (type == "text" && find_string(part, "text", text)) return true;
    if (type == "refusal" && find_string(part, "refusal", text)) return true;
    return fail(path + " must be a text part with a string text", path);
  }

  bool write_user_content(const MessageMembers& message, const JsonPath& path) {
    const Value* content = message[kContent];
    const JsonPath content_path = path.member("content");
    if (content != nullptr && content->IsString()) {
      write_text_part(view(*content));
      return true;
    }
    if (content == nullptr || !content->IsArray() || content->Empty()) {
      return fail(content_path + " must be a string or a non-empty array of parts", content_path);
    }
    for (rapidjson::SizeType k = 0; k < content->Size(); ++k) {
      if (!write_user_part((*content)[k], content_path.index(k))) return false;
    }
    return true;
  }

  bool write_user_part(const Value& part, const JsonPath& path) {
    std::string_view type;
    if (!find_string(part, "type", &type)) return fail(path + ".type must be a string", path);
    if (type == "text") {
      std::string_view text;
      if (!find_string(part, "text", &text)) return fail(path + ".text must be a string", path);
      write_text_part(text);
      return true;
    }
    if (type == "image_url") return write_image(part, path);
    if (type == "input_audio") {
      const Value* audio = find(part, "input_audio");
      std::string_view data;
      std::string_view format;
      if (audio == nullptr || !find_string(*audio, "data", &data) ||
          !find_string(*audio, "format", &format) || (format != "wav" && format != "mp3")) {
        return fail(path + ".input_audio must hold base64 data and a format of wav or mp3",
                    path + ".input_audio");
      }
      write_inline_data(format == "wav" ? "audio/wav" : "audio/mp3", data);
      return true;
    }
    if (type == "file") {
      const Value* file = find(part, "file");
      std::string_view url;
      std::string_view mime_type;
      std::string_view data;
      if (file == nullptr || !find_string(*file, "file_data", &url) ||
          !split_data_url(url, &mime_type, &data)) {
        return fail(path + ".file must hold file_data as a base64 data: URL (" +
                        std::string(label()) + " cannot read OpenAI file ids)",
                    path + ".file");
      }
      write_inline_data(mime_type, data);
      return true;
    }
    return fail(
        path + ".type '" + std::string(type) + "' is not supported by " + std::string(label()),
        path + ".type");
  }

  bool write_image(const Value& part, const JsonPath& path) {
    const Value* image = find(part, "image_url");
    std::string_view url;
    const JsonPath image_path = path.member("image_url");  // url_path's parent, kept alive
    const JsonPath url_path = image_path.member("url");
    if (image != nullptr && image->IsString()) {
      url = view(*image);
    } else if (image == nullptr || !find_string(*image, "url", &url)) {
      return fail(url_path + " must be a string", url_path);
    }
    std::string_view mime_type;
    std::string_view data;
    if (url.starts_with("data:")) {
      if (!split_data_url(url, &mime_type, &data)) {
        return fail(url_path + " must be a base64 data: URL (data:<type>;base64,<data>)", url_path);
      }
      write_inline_data(mime_type, data);
      return true;
    }
    const bool web = url.starts_with("https://") || url.starts_with("http://");
    const bool cloud_storage = options_.flavour == Flavour::vertex && url.starts_with("gs://");
    if (!options_.allow_image_urls || !(web || cloud_storage)) {
      return fail(url_path + ": this deployment takes images only as base64 data: URLs", url_path);
    }
    mime_type = image_type_from_extension(url);
    if (mime_type.empty()) {
      return fail(url_path +
                      ": the image type cannot be told from the URL's extension "
                      "(png, jpg, jpeg, webp, gif, heic, heif); send a data: URL",
                  url_path);
    }
    writer_.StartObject();
    write_literal_key<"fileData">(writer_);
    writer_.StartObject();
    write_literal_key<"mimeType">(writer_);
    write_string(writer_, mime_type);
    write_literal_key<"fileUri">(writer_);
    write_string(writer_, url);
    writer_.EndObject();
    writer_.EndObject();
    return true;
  }

  bool write_assistant(const MessageMembers& message, const JsonPath& path) {
    const Value* content = message[kContent];
    const Value* tool_calls = message[kToolCalls];
    const bool has_calls = tool_calls != nullptr && tool_calls->IsArray() && !tool_calls->Empty();
    const JsonPath content_path = path.member("content");
    if (content != nullptr && content->IsString()) {
      // An assistant turn that only calls tools often carries "" as its content.
      if (!(has_calls && content->GetStringLength() == 0)) write_text_part(view(*content));
    } else if (content != nullptr && content->IsArray()) {
      for (rapidjson::SizeType k = 0; k < content->Size(); ++k) {
        std::string_view text;
        if (!text_of_part((*content)[k], content_path.index(k), &text)) return false;
        write_text_part(text);
      }
    } else if (content != nullptr) {
      return fail(content_path + " must be a string, an array of text parts or null", content_path);
    } else if (!has_calls) {
      write_text_part("");  // Gemini needs a part in every turn
    }
    if (tool_calls == nullptr) return true;
    if (!tool_calls->IsArray()) return fail(path + ".tool_calls must be an array", path);
    const JsonPath calls_path = path.member("tool_calls");
    for (rapidjson::SizeType k = 0; k < tool_calls->Size(); ++k) {
      if (!write_function_call((*tool_calls)[k], calls_path.index(k))) return false;
    }
    return true;
  }

  bool write_function_call(const Value& call, const JsonPath& path) {
    std::string_view id;
    std::string_view name;
    std::string_view arguments;
    const Value* function = find(call, "function");
    if (!find_string(call, "id", &id)) return fail(path + ".id must be a string", path + ".id");
    if (function == nullptr || !find_string(*function, "name", &name) ||
        !find_string(*function, "arguments", &arguments)) {
      return fail(path + ".function must hold a string name and string arguments",
                  path + ".function");
    }
    // "" is what some clients send for a call without arguments.
    const bool has_arguments = arguments.find_first_not_of(" \t\r\n") != std::string_view::npos;
    support::EventDocument args;
    if (has_arguments && (!parse_json(arguments, &args) || !args.IsObject())) {
      return fail(path + ".function.arguments must be a JSON object", path + ".function.arguments");
    }
    tool_names_.insert_or_assign(id, name);
    writer_.StartObject();
    write_literal_key<"functionCall">(writer_);
    writer_.StartObject();
    write_literal_key<"name">(writer_);
    write_string(writer_, name);
    write_literal_key<"args">(writer_);
    if (!has_arguments) {
      writer_.RawValue("{}", 2, rapidjson::kObjectType);
    } else if (!write_value(args, writer_)) {
      // Too deep to copy; the body written so far is dropped with the failure.
      return fail(path + ".function.arguments must be a JSON object", path + ".function.arguments");
    }
    writer_.EndObject();
    writer_.EndObject();
    return true;
  }

  bool write_tool_result(const MessageMembers& message, const JsonPath& path) {
    const Value* id_value = message[kToolCallId];
    if (id_value == nullptr || !id_value->IsString()) {
      return fail(path + ".tool_call_id must be a string", path + ".tool_call_id");
    }
    const std::string_view id = view(*id_value);
    const auto name = tool_names_.find(id);
    if (name == tool_names_.end()) {
      return fail(path + ".tool_call_id '" + std::string(id) +
                      "' matches no tool call of an earlier assistant message",
                  path + ".tool_call_id");
    }
    std::string_view text;
    std::string joined;  // the text of an array of parts
    const Value* content = message[kContent];
    const JsonPath content_path = path.member("content");
    if (content != nullptr && content->IsString()) {
      text = view(*content);
    } else if (content != nullptr && content->IsArray()) {
      for (rapidjson::SizeType k = 0; k < content->Size(); ++k) {
        std::string_view part;
        if (!text_of_part((*content)[k], content_path.index(k), &part)) return false;
        joined += part;
      }
      text = joined;
    } else {
      return fail(content_path + " must be a string or an array of text parts", content_path);
    }
    // A JSON object result goes as the object, so the model sees structure, not quoted text.
    support::EventDocument parsed;
    const bool is_object = looks_like_object(text) && parse_json(text, &parsed) &&
                           parsed.IsObject() && copyable(parsed, 0);
    writer_.StartObject();
    write_literal_key<"functionResponse">(writer_);
    writer_.StartObject();
    write_literal_key<"name">(writer_);
    write_string(writer_, name->second);
    write_literal_key<"response">(writer_);
    writer_.StartObject();
    write_literal_key<"content">(writer_);
    if (is_object) {
      write_value(parsed, writer_);
    } else {
      write_string(writer_, text);
    }
    writer_.EndObject();
    writer_.EndObject();
    writer_.EndObject();
    return true;
  }

  // ---- tools ----

  bool write_tools() {
    const Value* tools = parameters_[kTools];
    if (tools == nullptr) return true;
    if (!tools->IsArray()) return fail("tools must be an array", "tools");
    if (tools->Empty()) return true;
    write_literal_key<"tools">(writer_);
    writer_.StartArray();
    writer_.StartObject();
    write_literal_key<"functionDeclarations">(writer_);
    writer_.StartArray();
    const JsonPath tools_path("tools");
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      if (!write_function_declaration((*tools)[i], tools_path.index(i))) return false;
    }
    writer_.EndArray();
    writer_.EndObject();
    writer_.EndArray();
    return true;
  }

  bool write_function_declaration(const Value& tool, const JsonPath& path) {
    std::string_view type;
    if (!find_string(tool, "type", &type) || type != "function") {
      return fail(
          path + ".type must be \"function\" (" + std::string(label()) + " takes no other tool)",
          path + ".type");
    }
    const Value* function = find(tool, "function");
    std::array<const Value*, kFunctionMembers.size()> members{};
    if (function != nullptr) find_members(*function, kFunctionMembers, &members);
    const Value* name = members[0];
    if (name == nullptr || !name->IsString()) {
      return fail(path + ".function.name must be a string", path + ".function.name");
    }
    writer_.StartObject();
    write_literal_key<"name">(writer_);
    write_string(writer_, view(*name));
    if (const Value* description = members[1]; description != nullptr && description->IsString()) {
      write_literal_key<"description">(writer_);
      write_string(writer_, view(*description));
    }
    if (const Value* parameters = members[2];
        parameters != nullptr && !empty_object_schema(*parameters)) {
      write_literal_key<"parameters">(writer_);
      const JsonPath function_path = path.member("function");
      const JsonPath parameters_path = function_path.member("parameters");
      if (!write_gemini_schema(*parameters, writer_, parameters_path, failure_)) {
        return false;
      }
    }
    writer_.EndObject();
    return true;
  }

  // {} or {"type":"object","properties":{}}: Gemini refuses an object schema without
  // properties, and a function without parameters says the same.
  static bool empty_object_schema(const Value& schema) {
    if (!schema.IsObject()) return false;
    const Value* properties = find(schema, "properties");
    std::string_view type;
    const bool object_type = !find_string(schema, "type", &type) || type == "object";
    return object_type &&
           (properties == nullptr || (properties->IsObject() && properties->MemberCount() == 0));
  }

  bool write_tool_config() {
    const Value* choice = parameters_[kToolChoice];
    if (choice == nullptr) return true;
    std::string_view mode;
    std::string_view function_name;
    if (choice->IsString()) {
      const std::string_view value = view(*choice);
      if (value == "auto") mode = "AUTO";
      if (value == "none") mode = "NONE";
      if (value == "required") mode = "ANY";
    } else if (const Value* function = find(*choice, "function")) {
      std::string_view type;
      if (find_string(*choice, "type", &type) && type == "function" &&
          find_string(*function, "name", &function_name)) {
        mode = "ANY";
      }
    }
    if (mode.empty()) {
      return fail(
          "tool_choice must be \"auto\", \"none\", \"required\" or "
          "{\"type\":\"function\",\"function\":{\"name\":...}}",
          "tool_choice");
    }
    write_literal_key<"toolConfig">(writer_);
    writer_.StartObject();
    write_literal_key<"functionCallingConfig">(writer_);
    writer_.StartObject();
    write_literal_key<"mode">(writer_);
    write_string(writer_, mode);
    if (!function_name.empty()) {
      write_literal_key<"allowedFunctionNames">(writer_);
      writer_.StartArray();
      write_string(writer_, function_name);
      writer_.EndArray();
    }
    writer_.EndObject();
    writer_.EndObject();
    return true;
  }

  // ---- generationConfig ----

  // generationConfig is opened by its first member, so that a request without any writes none
  // (and is not built apart and copied in).
  void config_key(std::string_view key) {
    if (!config_open_) {
      write_literal_key<"generationConfig">(writer_);
      writer_.StartObject();
      config_open_ = true;
    }
    write_key(writer_, key);
  }

  // Copies the number `name` to generationConfig as `gemini_name`; integers must be whole and at
  // least `minimum`.
  bool copy_number(Parameter parameter, std::string_view gemini_name, bool integer,
                   int64_t minimum) {
    const Value* value = parameters_[parameter];
    const std::string_view name = kKnownParameters[parameter];
    if (value == nullptr) return true;
    if (integer) {
      if (!value->IsInt64() || value->GetInt64() < minimum ||
          value->GetInt64() > std::numeric_limits<int32_t>::max()) {
        return fail(
            std::string(name) + " must be an integer of at least " + std::to_string(minimum),
            std::string(name));
      }
    } else if (!value->IsNumber()) {
      return fail(std::string(name) + " must be a number", std::string(name));
    }
    config_key(gemini_name);
    write_value(*value, writer_);
    return true;
  }

  bool write_generation_config() {
    if (const Value* stop = parameters_[kStop]) {
      if (stop->IsString()) {
        config_key("stopSequences");
        writer_.StartArray();
        write_string(writer_, view(*stop));
        writer_.EndArray();
      } else if (stop->IsArray()) {
        for (const auto& entry : stop->GetArray()) {
          if (!entry.IsString())
            return fail("stop must be a string or an array of strings", "stop");
        }
        if (!stop->Empty()) {
          config_key("stopSequences");
          write_value(*stop, writer_);
        }
      } else {
        return fail("stop must be a string or an array of strings", "stop");
      }
    }
    // max_completion_tokens is the newer name; it wins when a client sends both.
    const Parameter max_tokens =
        parameters_[kMaxCompletionTokens] != nullptr ? kMaxCompletionTokens : kMaxTokens;
    if (!copy_number(kN, "candidateCount", true, 1) ||
        !copy_number(max_tokens, "maxOutputTokens", true, 1) ||
        !copy_number(kTemperature, "temperature", false, 0) ||
        !copy_number(kTopP, "topP", false, 0) || !copy_number(kTopK, "topK", true, 1) ||
        !copy_number(kSeed, "seed", true, std::numeric_limits<int32_t>::min()) ||
        !copy_number(kPresencePenalty, "presencePenalty", false, 0) ||
        !copy_number(kFrequencyPenalty, "frequencyPenalty", false, 0) || !write_response_format()) {
      return false;
    }
    if (config_open_) writer_.EndObject();
    return true;
  }

  bool write_response_format() {
    const Value* format = parameters_[kResponseFormat];
    if (format == nullptr) return true;
    std::string_view type;
    if (!find_string(*format, "type", &type)) {
      return fail("response_format.type must be a string", "response_format.type");
    }
    if (type == "text") return true;
    if (type != "json_object" && type != "json_schema") {
      return fail("response_format.type '" + std::string(type) + "' is not supported by " +
                      std::string(label()),
                  "response_format.type");
    }
    config_key("responseMimeType");
    write_literal_string<"application/json">(writer_);
    if (type == "json_object") return true;
    const Value* json_schema = find(*format, "json_schema");
    if (json_schema == nullptr || !json_schema->IsObject()) {
      return fail("response_format.json_schema must be an object", "response_format.json_schema");
    }
    if (const Value* schema = find(*json_schema, "schema")) {
      config_key("responseSchema");
      const JsonPath schema_path("response_format.json_schema.schema");
      if (!write_gemini_schema(*schema, writer_, schema_path, failure_)) {
        return false;
      }
    }
    return true;
  }

  const Value& request_;
  const RequestOptions& options_;
  Failure* failure_;
  rapidjson::StringBuffer buffer_;
  JsonWriter writer_;
  // tool call id -> function name, both in the request's document
  std::map<std::string_view, std::string_view> tool_names_;
  std::array<const Value*, kKnownParameters.size()> parameters_{};  // by Parameter; null: absent
  bool config_open_ = false;
  size_t system_messages_ = 0;            // counted by write_contents()
  rapidjson::SizeType first_system_ = 0;  // the first one's index // "generationConfig":{ written
};

}  // namespace

bool build_generate_content_body(std::string_view openai_body, const RequestOptions& options,
                                 std::string* body, bool* stream, Failure* failure) {
  support::RequestDocument request;
  if (!parse_json(openai_body, &request)) {
    *failure = invalid_request("the request body is not valid JSON", "");
    return false;
  }
  RequestWriter writer(request, options, support::translated_capacity(openai_body.size()), failure);
  return writer.write(body, stream);
}

}  // namespace sluice::providers::gemini
