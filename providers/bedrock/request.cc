// The OpenAI chat completions request as a Converse / ConverseStream request, written while the
// request is read: messages and system blocks, images, tool calls and results, inference
// settings, tools.

#include "providers/bedrock/internal.h"
#include "providers/bedrock/json.h"
#include "providers/support/json_path.h"
#include "providers/support/reused_writer.h"

namespace sluice::bedrock {
namespace {

using support::JsonPath;
using support::string_member;

bool fail(Failure* failure, std::string param, std::string_view problem) {
  std::string message = param;
  message.append(": ").append(problem);
  *failure = status_failure(400, std::move(message), "", std::move(param));
  return false;
}

// Text that goes out as a Converse text block, {"text": ...}.
void write_text_block(JsonWriter& writer, std::string_view text) {
  writer.StartObject();
  write_literal(writer, R"("text")");
  write_string(writer, text);
  writer.EndObject();
}

// A value of the client's request copied out as it is; false only past the nesting the request's
// parse already refused, so never in practice.
bool write_copy(JsonWriter& writer, const Value& value, std::string_view param, Failure* failure) {
  return support::write_value(value, writer) || fail(failure, std::string(param), "nests too deep");
}

// The two roles of Converse's messages.
enum class Role { none, user, assistant };

// Converse's messages array, written as the OpenAI messages are read. Consecutive blocks of the
// same role go into one message (Converse wants the roles to alternate), and a message is opened
// only when its first block comes, so a turn without blocks leaves nothing behind.
class TurnWriter {
 public:
  explicit TurnWriter(JsonWriter& writer) : writer_(writer) {}
  TurnWriter(const TurnWriter&) = delete;
  TurnWriter& operator=(const TurnWriter&) = delete;

  // The writer, inside the content array of a `role` message, ready for one more block.
  JsonWriter& block(Role role) {
    if (role_ != role) {
      if (role_ != Role::none) close();
      writer_.StartObject();
      write_literal(writer_, R"("role")");
      write_literal(writer_, role == Role::user ? R"("user")" : R"("assistant")");
      write_literal(writer_, R"("content")");
      writer_.StartArray();
      role_ = role;
    }
    return writer_;
  }
  // Closes the last message; false when no block was written at all.
  bool finish() {
    if (role_ == Role::none) return false;
    close();
    return true;
  }

 private:
  void close() {
    writer_.EndArray();
    writer_.EndObject();
  }

  JsonWriter& writer_;
  Role role_ = Role::none;  // of the open message
};

// The text of a content that may only hold text, in *out: a string as it is, or an array of text
// parts joined in *joined.
bool content_text(const Value& content, const JsonPath& path, std::string* joined,
                  std::string_view* out, Failure* failure) {
  *out = {};
  if (content.IsNull()) return true;
  if (content.IsString()) {
    *out = view(content);
    return true;
  }
  if (!content.IsArray()) {
    return fail(failure, path.text(), "must be a string or an array of parts");
  }
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    const Value* type = member(content[i], "type");
    const Value* text = member(content[i], "text");
    if (type == nullptr || !type->IsString() || view(*type) != "text" || text == nullptr ||
        !text->IsString()) {
      return fail(failure, path.index(i).text(), "only text parts are allowed here");
    }
    if (i == 0) joined->clear();
    joined->append(view(*text));
  }
  if (content.Size() > 0) *out = *joined;
  return true;
}

// "data:image/png;base64,...." -> an image block.
bool write_image_block(const Value& part, const JsonPath& path, JsonWriter& writer,
                       Failure* failure) {
  const Value* image_url = member(part, "image_url");
  const Value* url = image_url == nullptr    ? nullptr
                     : image_url->IsString() ? image_url
                                             : member(*image_url, "url");
  const auto url_path = [&] { return path + ".image_url.url"; };
  if (url == nullptr || !url->IsString()) return fail(failure, url_path(), "must be a string");
  const std::string_view text = view(*url);
  if (text.starts_with("http://") || text.starts_with("https://")) {
    return fail(failure, url_path(),
                "Bedrock takes images inline only; send the image as a data: URL "
                "(data:image/png;base64,...)");
  }
  constexpr std::string_view kPrefix = "data:image/";
  const size_t marker = text.find(";base64,");
  if (!text.starts_with(kPrefix) || marker == std::string_view::npos) {
    return fail(failure, url_path(), "must be a data:image/<format>;base64,<data> URL");
  }
  std::string_view format = text.substr(kPrefix.size(), marker - kPrefix.size());
  if (format == "jpg") format = "jpeg";
  if (format != "png" && format != "jpeg" && format != "gif" && format != "webp") {
    return fail(failure, url_path(), "image format must be png, jpeg, gif or webp");
  }
  const std::string_view data = text.substr(marker + 8);
  if (data.empty()) return fail(failure, url_path(), "has no image data");
  writer.StartObject();
  write_literal(writer, R"("image")");
  writer.StartObject();
  write_literal(writer, R"("format")");
  write_string(writer, format);
  write_literal(writer, R"("source")");
  writer.StartObject();
  write_literal(writer, R"("bytes")");
  write_string(writer, data);
  writer.EndObject();
  writer.EndObject();
  writer.EndObject();
  return true;
}

// A user or assistant content as Converse blocks of a `role` turn.
bool write_content_blocks(const Value& content, const JsonPath& path, Role role, TurnWriter& turns,
                          Failure* failure) {
  const bool allow_images = role == Role::user;
  if (content.IsNull()) return true;
  if (content.IsString()) {
    // An assistant turn that only calls tools often carries "": Converse refuses blank text.
    if (content.GetStringLength() > 0 || allow_images) {
      write_text_block(turns.block(role), view(content));
    }
    return true;
  }
  if (!content.IsArray()) {
    return fail(failure, path.text(), "must be a string or an array of parts");
  }
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    const Value& part = content[i];
    const JsonPath part_path = path.index(i);
    const Value* type = member(part, "type");
    if (type == nullptr || !type->IsString()) {
      return fail(failure, part_path + ".type", "must be a string");
    }
    const std::string_view kind = view(*type);
    if (kind == "text" || kind == "refusal") {
      const Value* text = member(part, kind);
      if (text == nullptr || !text->IsString()) {
        return fail(failure, part_path + "." + std::string(kind), "must be a string");
      }
      write_text_block(turns.block(role), view(*text));
    } else if (kind == "image_url" && allow_images) {
      if (!write_image_block(part, part_path, turns.block(role), failure)) return false;
    } else {
      return fail(failure, part_path + ".type",
                  "part type '" + std::string(kind) + "' is not supported by Bedrock here");
    }
  }
  return true;
}

// Tool-call arguments are JSON text, parsed to be sent as a value; this holds typical ones on the
// stack.
using ArgumentsDocument = support::LocalDocument<1024>;

bool write_tool_use_blocks(const Value& tool_calls, const JsonPath& path, TurnWriter& turns,
                           Failure* failure) {
  if (tool_calls.IsNull()) return true;
  if (!tool_calls.IsArray()) return fail(failure, path.text(), "must be an array");
  for (rapidjson::SizeType i = 0; i < tool_calls.Size(); ++i) {
    const Value& call = tool_calls[i];
    const JsonPath call_path = path.index(i);
    const Value* id = member(call, "id");
    const Value* function = member(call, "function");
    const Value* name = function == nullptr ? nullptr : member(*function, "name");
    const Value* arguments = function == nullptr ? nullptr : member(*function, "arguments");
    if (id == nullptr || !id->IsString()) {
      return fail(failure, call_path + ".id", "must be a string");
    }
    if (name == nullptr || !name->IsString()) {
      return fail(failure, call_path + ".function.name", "must be a string");
    }
    ArgumentsDocument input;
    if (arguments == nullptr || arguments->IsNull() ||
        (arguments->IsString() && arguments->GetStringLength() == 0)) {
      input.SetObject();
    } else if (!arguments->IsString() || !parse_json(view(*arguments), &input)) {
      return fail(failure, call_path + ".function.arguments", "is not valid JSON");
    }
    JsonWriter& writer = turns.block(Role::assistant);
    writer.StartObject();
    write_literal(writer, R"("toolUse")");
    writer.StartObject();
    write_literal(writer, R"("toolUseId")");
    write_string(writer, view(*id));
    write_literal(writer, R"("name")");
    write_string(writer, view(*name));
    write_literal(writer, R"("input")");
    if (!write_copy(writer, input, call_path + ".function.arguments", failure)) return false;
    writer.EndObject();
    writer.EndObject();
  }
  return true;
}

void write_tool_result_block(JsonWriter& writer, const Value& id, std::string_view text) {
  writer.StartObject();
  write_literal(writer, R"("toolResult")");
  writer.StartObject();
  write_literal(writer, R"("toolUseId")");
  write_string(writer, view(id));
  write_literal(writer, R"("content")");
  writer.StartArray();
  write_text_block(writer, text);
  writer.EndArray();
  writer.EndObject();
  writer.EndObject();
}

// The system and developer messages with text lie in [first, end) of the messages.
struct SystemMessages {
  rapidjson::SizeType first = 0;
  rapidjson::SizeType end = 0;
};

// "messages": user, assistant and tool messages as Converse turns. System and developer messages
// are only checked here (Converse takes them apart, in "system"); *system tells where those with
// text are.
bool write_messages(const Value& input, JsonWriter& writer, SystemMessages* system,
                    Failure* failure) {
  if (!input.IsArray() || input.Empty()) {
    return fail(failure, "messages", "must be a non-empty array");
  }
  std::string joined;
  std::string_view text;
  const JsonPath messages_path("messages");
  write_literal(writer, R"("messages")");
  writer.StartArray();
  TurnWriter turns(writer);
  for (rapidjson::SizeType i = 0; i < input.Size(); ++i) {
    const Value& message = input[i];
    const JsonPath path = messages_path.index(i);
    const Value* role = member(message, "role");
    if (role == nullptr || !role->IsString()) {
      return fail(failure, path + ".role", "must be a string");
    }
    const std::string_view kind = view(*role);
    static const Value kNull;
    const Value* content = member(message, "content");
    if (content == nullptr) content = &kNull;
    if (kind == "system" || kind == "developer") {
      if (!content_text(*content, path.member("content"), &joined, &text, failure)) return false;
      if (!text.empty()) {
        if (system->end == 0) system->first = i;
        system->end = i + 1;
      }
    } else if (kind == "user") {
      if (!write_content_blocks(*content, path.member("content"), Role::user, turns, failure)) {
        return false;
      }
    } else if (kind == "assistant") {
      if (!write_content_blocks(*content, path.member("content"), Role::assistant, turns,
                                failure)) {
        return false;
      }
      if (const Value* calls = member(message, "tool_calls");
          calls != nullptr &&
          !write_tool_use_blocks(*calls, path.member("tool_calls"), turns, failure)) {
        return false;
      }
    } else if (kind == "tool") {
      const Value* id = member(message, "tool_call_id");
      if (id == nullptr || !id->IsString()) {
        return fail(failure, path + ".tool_call_id", "must be a string");
      }
      if (!content_text(*content, path.member("content"), &joined, &text, failure)) return false;
      write_tool_result_block(turns.block(Role::user), *id, text);
    } else {
      return fail(failure, path + ".role",
                  "role '" + std::string(kind) + "' is not supported by Bedrock");
    }
  }
  if (!turns.finish()) {
    return fail(failure, "messages", "must hold at least one user or assistant message");
  }
  writer.EndArray();
  return true;
}

// "system": one text block per system or developer message with text, in order. Their contents
// were checked by write_messages.
void write_system(const Value& input, SystemMessages system, JsonWriter& writer) {
  std::string joined;
  std::string_view text;
  Failure unused;
  write_literal(writer, R"("system")");
  writer.StartArray();
  for (rapidjson::SizeType i = system.first; i < system.end; ++i) {
    const Value& message = input[i];
    const std::string_view kind = string_member(message, "role");
    if (kind != "system" && kind != "developer") continue;
    const Value* content = member(message, "content");
    if (content == nullptr) continue;
    content_text(*content, JsonPath("messages"), &joined, &text, &unused);
    if (!text.empty()) write_text_block(writer, text);
  }
  writer.EndArray();
}

bool write_inference(const Value& request, JsonWriter& writer, Failure* failure) {
  const Value* max_tokens = member(request, "max_completion_tokens");
  const char* max_name = "max_completion_tokens";
  if (max_tokens == nullptr || max_tokens->IsNull()) {
    max_tokens = member(request, "max_tokens");
    max_name = "max_tokens";
  }
  if (max_tokens != nullptr && max_tokens->IsNull()) max_tokens = nullptr;
  if (max_tokens != nullptr && (!max_tokens->IsInt64() || max_tokens->GetInt64() < 1 ||
                                max_tokens->GetInt64() > 2147483647)) {
    return fail(failure, max_name, "must be a positive integer");
  }
  const Value* temperature = member(request, "temperature");
  if (temperature != nullptr && temperature->IsNull()) temperature = nullptr;
  if (temperature != nullptr && !temperature->IsNumber()) {
    return fail(failure, "temperature", "must be a number");
  }
  const Value* top_p = member(request, "top_p");
  if (top_p != nullptr && top_p->IsNull()) top_p = nullptr;
  if (top_p != nullptr && !top_p->IsNumber()) return fail(failure, "top_p", "must be a number");
  const Value* stop = member(request, "stop");
  if (stop != nullptr && stop->IsNull()) stop = nullptr;
  if (stop != nullptr) {
    if (stop->IsArray()) {
      for (rapidjson::SizeType i = 0; i < stop->Size(); ++i) {
        if (!(*stop)[i].IsString()) {
          return fail(failure, JsonPath("stop").index(i).text(), "must be a string");
        }
      }
      if (stop->Empty()) stop = nullptr;
    } else if (!stop->IsString()) {
      return fail(failure, "stop", "must be a string or an array of strings");
    }
  }
  if (max_tokens == nullptr && temperature == nullptr && top_p == nullptr && stop == nullptr) {
    return true;
  }
  write_literal(writer, R"("inferenceConfig")");
  writer.StartObject();
  if (max_tokens != nullptr) {
    write_literal(writer, R"("maxTokens")");
    writer.Int64(max_tokens->GetInt64());
  }
  if (temperature != nullptr) {
    write_literal(writer, R"("temperature")");
    writer.Double(temperature->GetDouble());
  }
  if (top_p != nullptr) {
    write_literal(writer, R"("topP")");
    writer.Double(top_p->GetDouble());
  }
  if (stop != nullptr) {
    write_literal(writer, R"("stopSequences")");
    writer.StartArray();
    if (stop->IsString()) {
      write_string(writer, view(*stop));
    } else {
      for (const Value& sequence : stop->GetArray()) write_string(writer, view(sequence));
    }
    writer.EndArray();
  }
  writer.EndObject();
  return true;
}

bool write_tool_spec(const Value& tool, const JsonPath& path, JsonWriter& writer,
                     Failure* failure) {
  const Value* type = member(tool, "type");
  if (type == nullptr || !type->IsString() || view(*type) != "function") {
    return fail(failure, path + ".type", "only function tools are supported by Bedrock");
  }
  const Value* function = member(tool, "function");
  const Value* name = function == nullptr ? nullptr : member(*function, "name");
  if (name == nullptr || !name->IsString()) {
    return fail(failure, path + ".function.name", "must be a string");
  }
  const Value* parameters = member(*function, "parameters");
  if (parameters != nullptr && !parameters->IsNull() && !parameters->IsObject()) {
    return fail(failure, path + ".function.parameters", "must be an object");
  }
  writer.StartObject();
  write_literal(writer, R"("toolSpec")");
  writer.StartObject();
  write_literal(writer, R"("name")");
  write_string(writer, view(*name));
  if (const Value* description = member(*function, "description");
      description != nullptr && description->IsString()) {
    write_literal(writer, R"("description")");
    write_string(writer, view(*description));
  }
  write_literal(writer, R"("inputSchema")");
  writer.StartObject();
  write_literal(writer, R"("json")");
  if (parameters != nullptr && !parameters->IsNull()) {
    if (!write_copy(writer, *parameters, path + ".function.parameters", failure)) return false;
  } else {
    writer.StartObject();
    write_literal(writer, R"("type")");
    write_literal(writer, R"("object")");
    write_literal(writer, R"("properties")");
    writer.StartObject();
    writer.EndObject();
    writer.EndObject();
  }
  writer.EndObject();
  writer.EndObject();
  writer.EndObject();
  return true;
}

bool write_tool_choice(const Value& request, JsonWriter& writer, Failure* failure) {
  const Value* choice = member(request, "tool_choice");
  if (choice == nullptr || choice->IsNull()) return true;
  std::string_view kind;  // Converse's member: auto, any or tool
  const Value* name = nullptr;
  if (choice->IsString() && view(*choice) == "auto") {
    kind = "auto";
  } else if (choice->IsString() && view(*choice) == "required") {
    kind = "any";
  } else if (choice->IsString() && view(*choice) == "none") {
    return true;  // Converse has no "none": the tools stay declared, no choice is forced
  } else if (choice->IsObject()) {
    const Value* function = member(*choice, "function");
    name = function == nullptr ? nullptr : member(*function, "name");
    if (name == nullptr || !name->IsString()) {
      return fail(failure, "tool_choice.function.name", "must be a string");
    }
    kind = "tool";
  } else {
    return fail(failure, "tool_choice", "must be \"auto\", \"required\", \"none\" or a function");
  }
  write_literal(writer, R"("toolChoice")");
  writer.StartObject();
  write_key(writer, kind);
  writer.StartObject();
  if (name != nullptr) {
    write_literal(writer, R"("name")");
    write_string(writer, view(*name));
  }
  writer.EndObject();
  writer.EndObject();
  return true;
}

bool write_tools(const Value& request, JsonWriter& writer, Failure* failure) {
  const Value* tools = member(request, "tools");
  if (tools == nullptr || tools->IsNull()) return true;
  if (!tools->IsArray()) return fail(failure, "tools", "must be an array");
  if (tools->Empty()) return true;
  write_literal(writer, R"("toolConfig")");
  writer.StartObject();
  write_literal(writer, R"("tools")");
  writer.StartArray();
  const JsonPath tools_path("tools");
  for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
    if (!write_tool_spec((*tools)[i], tools_path.index(i), writer, failure)) return false;
  }
  writer.EndArray();
  if (!write_tool_choice(request, writer, failure)) return false;
  writer.EndObject();
  return true;
}

}  // namespace

bool build_chat_request(std::string_view openai_body, const Deployment& deployment,
                        UpstreamRequest* out, Failure* failure) {
  support::RequestDocument request;
  if (!parse_json(openai_body, &request) || !request.IsObject()) {
    *failure = status_failure(400, "the request body is not a JSON object");
    return false;
  }
  if (const Value* n = member(request, "n");
      n != nullptr && !n->IsNull() && !(n->IsInt() && n->GetInt() == 1)) {
    return fail(failure, "n", "Bedrock returns one choice; n must be 1");
  }
  if (const Value* format = member(request, "response_format"); format != nullptr) {
    const Value* type = member(*format, "type");
    if (type != nullptr && type->IsString() && view(*type) != "text") {
      return fail(failure, "response_format", "only type \"text\" is supported by Bedrock");
    }
  }
  bool stream = false;
  if (const Value* value = member(request, "stream"); value != nullptr && !value->IsNull()) {
    if (!value->IsBool()) return fail(failure, "stream", "must be a boolean");
    stream = value->GetBool();
  }

  const Value* input_messages = member(request, "messages");
  if (input_messages == nullptr) return fail(failure, "messages", "is required");
  // Converse's JSON is written while the request is read, in Converse's member order, by a
  // writer kept for the thread's requests (its buffer is not allocated again for each, and one
  // grown past 16 KiB is let go).
  thread_local support::ReusedWriter body_writer;
  JsonWriter& writer = body_writer.begin();
  writer.StartObject();
  SystemMessages system;
  if (!write_messages(*input_messages, writer, &system, failure)) return false;
  if (system.end > 0) write_system(*input_messages, system, writer);
  if (!write_inference(request, writer, failure)) return false;
  if (!write_tools(request, writer, failure)) return false;
  for (const std::string_view passed : {"guardrailConfig", "additionalModelRequestFields"}) {
    if (const Value* value = member(request, passed); value != nullptr && !value->IsNull()) {
      write_key(writer, passed);
      if (!write_copy(writer, *value, passed, failure)) return false;
    }
  }
  writer.EndObject();

  fill_request(deployment, model_url(deployment, stream ? "converse-stream" : "converse"),
               body_writer.end(), stream, out);
  return true;
}

}  // namespace sluice::bedrock
