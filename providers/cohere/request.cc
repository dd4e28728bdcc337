// OpenAI chat-completions request -> Cohere v2 chat request (README.md lists every mapping).
// Cohere v2's messages and tools are close to OpenAI's; what differs is renamed (top_p -> p,
// stop -> stop_sequences), reshaped (tool_choice, response_format, an assistant's text beside
// tool calls is its tool_plan) or refused with a 400 naming it.

#include <array>
#include <cstdint>
#include <limits>

#include "providers/cohere/translate.h"
#include "providers/support/json_path.h"

namespace sluice::providers::cohere {
namespace {

using rapidjson::Value;
using support::JsonPath;

// Top-level members understood; any other non-null member is refused.
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

class RequestWriter {
 public:
  // `capacity`: the bytes reserved for the body.
  RequestWriter(const Value& request, size_t capacity, Failure* failure)
      : request_(request), failure_(failure), buffer_(nullptr, capacity), writer_(buffer_) {}

  bool write(std::string_view model, std::string* body, bool* stream) {
    if (!request_.IsObject()) return fail("the request body must be a JSON object", "");
    if (!check_parameters(stream)) return false;
    writer_.StartObject();
    write_key(writer_, "model");
    write_string(writer_, model);
    if (!write_messages() || !write_tools() || !write_parameters()) return false;
    if (*stream) {
      write_key(writer_, "stream");
      writer_.Bool(true);
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

  bool check_parameters(bool* stream) {
    for (const auto& member : request_.GetObject()) {
      const std::string_view name = view(member.name);
      if (member.value.IsNull()) continue;
      bool known = false;
      for (std::string_view entry : kKnownParameters) known = known || entry == name;
      if (!known) {
        return fail("cohere does not support the parameter '" + std::string(name) + "'",
                    std::string(name));
      }
    }
    *stream = false;
    if (const Value* value = find(request_, "stream")) {
      if (!value->IsBool()) return fail("stream must be a boolean", "stream");
      *stream = value->GetBool();
    }
    if (const Value* value = find(request_, "logprobs")) {
      if (!value->IsBool() || value->GetBool()) {
        return fail("cohere does not support logprobs", "logprobs");
      }
    }
    if (const Value* n = find(request_, "n"); n != nullptr && !(n->IsInt() && n->GetInt() == 1)) {
      return fail("cohere answers one choice: n must be 1", "n");
    }
    const Value* messages = find(request_, "messages");
    if (messages == nullptr || !messages->IsArray() || messages->Empty()) {
      return fail("messages must be a non-empty array", "messages");
    }
    return true;
  }

  // ---- messages ----

  bool write_messages() {
    const Value& messages = request_["messages"];
    const JsonPath messages_path("messages");
    write_key(writer_, "messages");
    writer_.StartArray();
    for (rapidjson::SizeType i = 0; i < messages.Size(); ++i) {
      const Value& message = messages[i];
      const JsonPath path = messages_path.index(i);
      std::string_view role;
      if (!message.IsObject() || !find_string(message, "role", &role)) {
        return fail(path + " must be an object with a string role", path + ".role");
      }
      if (find(message, "function_call") != nullptr) {
        return fail(path + ".function_call is the deprecated form of tool_calls; send tool_calls",
                    path + ".function_call");
      }
      bool written = false;
      if (role == "system" || role == "developer") {
        written = write_system(message, path);
      } else if (role == "user") {
        written = write_user(message, path);
      } else if (role == "assistant") {
        written = write_assistant(message, path);
      } else if (role == "tool") {
        written = write_tool(message, path);
      } else {
        return fail(path + ".role '" + std::string(role) + "' is not supported by cohere",
                    path + ".role");
      }
      if (!written) return false;
    }
    writer_.EndArray();
    return true;
  }

  void open_message(std::string_view role) {
    writer_.StartObject();
    write_key(writer_, "role");
    write_string(writer_, role);
  }

  // The text of string content or of an array of text parts, joined: *text views the request
  // (string content, one part) or *joined (several parts), so the usual message copies nothing.
  bool text_content(const Value* content, const JsonPath& path, std::string* joined,
                    std::string_view* text) {
    if (content != nullptr && content->IsString()) {
      *text = view(*content);
      return true;
    }
    if (content == nullptr || !content->IsArray()) {
      return fail(path + " must be a string or an array of text parts", path.text());
    }
    for (rapidjson::SizeType k = 0; k < content->Size(); ++k) {
      const Value& part = (*content)[k];
      std::string_view type;
      std::string_view part_text;
      if (!find_string(part, "type", &type) ||
          !((type == "text" && find_string(part, "text", &part_text)) ||
            (type == "refusal" && find_string(part, "refusal", &part_text)))) {
        const JsonPath part_path = path.index(k);
        return fail(part_path + " must be a text part with a string text", part_path.text());
      }
      if (content->Size() == 1) {
        *text = part_text;
        return true;
      }
      joined->append(part_text);
    }
    *text = *joined;
    return true;
  }

  bool write_system(const Value& message, const JsonPath& path) {
    std::string joined;
    std::string_view text;
    if (!text_content(find(message, "content"), path.member("content"), &joined, &text)) {
      return false;
    }
    open_message("system");
    write_key(writer_, "content");
    write_string(writer_, text);
    writer_.EndObject();
    return true;
  }

  bool write_user(const Value& message, const JsonPath& path) {
    const Value* content = find(message, "content");
    const JsonPath content_path = path.member("content");
    if (content != nullptr && content->IsString()) {
      open_message("user");
      write_key(writer_, "content");
      write_string(writer_, view(*content));
      writer_.EndObject();
      return true;
    }
    if (content == nullptr || !content->IsArray() || content->Empty()) {
      return fail(content_path + " must be a string or a non-empty array of parts",
                  content_path.text());
    }
    open_message("user");
    write_key(writer_, "content");
    writer_.StartArray();
    for (rapidjson::SizeType k = 0; k < content->Size(); ++k) {
      const Value& part = (*content)[k];
      const JsonPath part_path = content_path.index(k);
      std::string_view type;
      if (!find_string(part, "type", &type))
        return fail(part_path + ".type must be a string", part_path.text());
      writer_.StartObject();
      write_key(writer_, "type");
      write_string(writer_, type);
      if (type == "text") {
        std::string_view text;
        if (!find_string(part, "text", &text))
          return fail(part_path + ".text must be a string", part_path.text());
        write_key(writer_, "text");
        write_string(writer_, text);
      } else if (type == "image_url") {
        // Cohere's vision models take the same part: a data: URL or an https URL they fetch.
        const Value* image = find(part, "image_url");
        std::string_view url;
        if (image != nullptr && image->IsString()) {
          url = view(*image);
        } else if (image == nullptr || !find_string(*image, "url", &url)) {
          return fail(part_path + ".image_url.url must be a string", part_path + ".image_url.url");
        }
        write_key(writer_, "image_url");
        writer_.StartObject();
        write_key(writer_, "url");
        write_string(writer_, url);
        std::string_view detail;
        if (image->IsObject() && find_string(*image, "detail", &detail)) {
          write_key(writer_, "detail");
          write_string(writer_, detail);
        }
        writer_.EndObject();
      } else {
        return fail(part_path + ".type '" + std::string(type) + "' is not supported by cohere",
                    part_path + ".type");
      }
      writer_.EndObject();
    }
    writer_.EndArray();
    writer_.EndObject();
    return true;
  }

  bool write_assistant(const Value& message, const JsonPath& path) {
    const Value* content = find(message, "content");
    const Value* tool_calls = find(message, "tool_calls");
    const bool has_calls = tool_calls != nullptr && tool_calls->IsArray() && !tool_calls->Empty();
    std::string joined;
    std::string_view text;
    if (content != nullptr && !text_content(content, path.member("content"), &joined, &text)) {
      return false;
    }
    if (tool_calls != nullptr && !tool_calls->IsArray()) {
      return fail(path + ".tool_calls must be an array", path + ".tool_calls");
    }
    open_message("assistant");
    if (has_calls) {
      // Cohere keeps the text that comes with tool calls as the call's plan.
      if (!text.empty()) {
        write_key(writer_, "tool_plan");
        write_string(writer_, text);
      }
      write_key(writer_, "tool_calls");
      writer_.StartArray();
      const JsonPath calls_path = path.member("tool_calls");
      for (rapidjson::SizeType k = 0; k < tool_calls->Size(); ++k) {
        if (!write_tool_call((*tool_calls)[k], calls_path.index(k))) return false;
      }
      writer_.EndArray();
    } else {
      write_key(writer_, "content");
      write_string(writer_, text);
    }
    writer_.EndObject();
    return true;
  }

  bool write_tool_call(const Value& call, const JsonPath& path) {
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
    writer_.StartObject();
    write_key(writer_, "id");
    write_string(writer_, id);
    write_key(writer_, "type");
    write_string(writer_, "function");
    write_key(writer_, "function");
    writer_.StartObject();
    write_key(writer_, "name");
    write_string(writer_, name);
    write_key(writer_, "arguments");
    write_string(writer_, arguments);
    writer_.EndObject();
    writer_.EndObject();
    return true;
  }

  bool write_tool(const Value& message, const JsonPath& path) {
    std::string_view id;
    if (!find_string(message, "tool_call_id", &id)) {
      return fail(path + ".tool_call_id must be a string", path + ".tool_call_id");
    }
    std::string joined;
    std::string_view text;
    if (!text_content(find(message, "content"), path.member("content"), &joined, &text)) {
      return false;
    }
    open_message("tool");
    write_key(writer_, "tool_call_id");
    write_string(writer_, id);
    write_key(writer_, "content");
    write_string(writer_, text);
    writer_.EndObject();
    return true;
  }

  // ---- tools ----

  bool write_tools() {
    const Value* tools = find(request_, "tools");
    if (tools != nullptr && !tools->IsArray()) return fail("tools must be an array", "tools");
    if (tools != nullptr && !tools->Empty()) {
      write_key(writer_, "tools");
      writer_.StartArray();
      const JsonPath tools_path("tools");
      for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
        const Value& tool = (*tools)[i];
        const JsonPath path = tools_path.index(i);
        std::string_view type;
        std::string_view name;
        const Value* function = find(tool, "function");
        if (!find_string(tool, "type", &type) || type != "function") {
          return fail(path + ".type must be \"function\" (cohere takes no other tool)",
                      path + ".type");
        }
        if (function == nullptr || !find_string(*function, "name", &name)) {
          return fail(path + ".function.name must be a string", path + ".function.name");
        }
        writer_.StartObject();
        write_key(writer_, "type");
        write_string(writer_, "function");
        write_key(writer_, "function");
        writer_.StartObject();
        write_key(writer_, "name");
        write_string(writer_, name);
        std::string_view description;
        if (find_string(*function, "description", &description)) {
          write_key(writer_, "description");
          write_string(writer_, description);
        }
        if (const Value* parameters = find(*function, "parameters")) {
          write_key(writer_, "parameters");
          if (!parameters->IsObject() || !write_value(*parameters, writer_)) {
            return fail(path + ".function.parameters must be a JSON schema object",
                        path + ".function.parameters");
          }
        }
        writer_.EndObject();
        writer_.EndObject();
      }
      writer_.EndArray();
    }
    if (const Value* choice = find(request_, "tool_choice")) {
      const std::string_view value = choice->IsString() ? view(*choice) : std::string_view();
      if (value == "none" || value == "required") {
        write_key(writer_, "tool_choice");
        write_string(writer_, value == "none" ? "NONE" : "REQUIRED");
      } else if (value != "auto") {
        // Cohere can require a tool call, not a particular tool.
        return fail("tool_choice must be \"auto\", \"none\" or \"required\" for cohere",
                    "tool_choice");
      }
    }
    return true;
  }

  // ---- parameters ----

  // Copies the number `name` as `cohere_name`; integers must be whole and at least `minimum`.
  bool copy_number(std::string_view name, std::string_view cohere_name, bool integer,
                   int64_t minimum) {
    const Value* value = find(request_, name);
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
    write_key(writer_, cohere_name);
    write_value(*value, writer_);
    return true;
  }

  bool write_parameters() {
    const char* max_tokens =
        find(request_, "max_completion_tokens") != nullptr ? "max_completion_tokens" : "max_tokens";
    if (!copy_number(max_tokens, "max_tokens", true, 1) ||
        !copy_number("temperature", "temperature", false, 0) ||
        !copy_number("top_p", "p", false, 0) || !copy_number("top_k", "k", true, 0) ||
        !copy_number("seed", "seed", true, std::numeric_limits<int32_t>::min()) ||
        !copy_number("frequency_penalty", "frequency_penalty", false, 0) ||
        !copy_number("presence_penalty", "presence_penalty", false, 0)) {
      return false;
    }
    if (const Value* stop = find(request_, "stop")) {
      bool strings = stop->IsString() || stop->IsArray();
      if (stop->IsArray()) {
        for (const auto& entry : stop->GetArray()) strings = strings && entry.IsString();
      }
      if (!strings) return fail("stop must be a string or an array of strings", "stop");
      if (stop->IsString() || !stop->Empty()) {
        write_key(writer_, "stop_sequences");
        writer_.StartArray();
        if (stop->IsString()) {
          write_string(writer_, view(*stop));
        } else {
          for (const auto& entry : stop->GetArray()) write_string(writer_, view(entry));
        }
        writer_.EndArray();
      }
    }
    return write_response_format();
  }

  bool write_response_format() {
    const Value* format = find(request_, "response_format");
    if (format == nullptr) return true;
    std::string_view type;
    if (!find_string(*format, "type", &type)) {
      return fail("response_format.type must be a string", "response_format.type");
    }
    if (type == "text") return true;
    if (type != "json_object" && type != "json_schema") {
      return fail("response_format.type '" + std::string(type) + "' is not supported by cohere",
                  "response_format.type");
    }
    write_key(writer_, "response_format");
    writer_.StartObject();
    write_key(writer_, "type");
    write_string(writer_, "json_object");
    if (type == "json_schema") {
      const Value* json_schema = find(*format, "json_schema");
      const Value* schema = json_schema != nullptr ? find(*json_schema, "schema") : nullptr;
      if (schema == nullptr || !schema->IsObject()) {
        return fail("response_format.json_schema.schema must be a JSON schema object",
                    "response_format.json_schema.schema");
      }
      write_key(writer_, "schema");  // the wire name (the SDKs call it json_schema)
      if (!write_value(*schema, writer_)) {
        return fail("response_format.json_schema.schema nests too deep",
                    "response_format.json_schema.schema");
      }
    }
    writer_.EndObject();
    return true;
  }

  const Value& request_;
  Failure* failure_;
  rapidjson::StringBuffer buffer_;
  JsonWriter writer_;
};

}  // namespace

bool build_chat_body(std::string_view openai_body, std::string_view model, std::string* body,
                     bool* stream, Failure* failure) {
  support::RequestDocument request;
  if (!parse_json(openai_body, &request)) {
    *failure = invalid_request("the request body is not valid JSON", "");
    return false;
  }
  RequestWriter writer(request, support::translated_capacity(openai_body.size()), failure);
  return writer.write(model, body, stream);
}

}  // namespace sluice::providers::cohere
