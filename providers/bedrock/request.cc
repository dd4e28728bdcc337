// Deployment settings, and the OpenAI chat completions request as a Converse / ConverseStream
// request: messages and system blocks, images, tool calls and results, inference settings, tools.

#include <array>

#include "providers/bedrock/internal.h"
#include "providers/bedrock/json.h"
#include "providers/support/json_path.h"

namespace sluice::bedrock {
namespace {

using rapidjson::kArrayType;
using rapidjson::kObjectType;
using Allocator = rapidjson::Document::AllocatorType;
using support::JsonPath;

constexpr std::array<std::string_view, 4> kKnownSettings = {
    "aws_region_name", "aws_access_key_id", "aws_secret_access_key", "aws_session_token"};

std::string_view setting(const Deployment& deployment, std::string_view name) {
  const auto found = deployment.settings.find(name);
  return found == deployment.settings.end() ? std::string_view() : std::string_view(found->second);
}

bool is_region_name(std::string_view region) {
  if (region.empty() || region.size() > 32) return false;
  for (const char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void url_encode_segment(std::string_view text, std::string* out) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
        (byte >= '0' && byte <= '9') || byte == '-' || byte == '_' || byte == '.' || byte == '~') {
      out->push_back(c);
    } else {
      out->push_back('%');
      out->push_back(kHex[byte >> 4]);
      out->push_back(kHex[byte & 0xF]);
    }
  }
}

bool fail(Failure* failure, std::string param, std::string_view problem) {
  std::string message = param;
  message.append(": ").append(problem);
  *failure = make_failure(400, std::move(message), "", std::move(param));
  return false;
}

Value text_block(std::string_view text, Allocator& allocator) {
  Value block(kObjectType);
  block.AddMember("text",
                  Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator),
                  allocator);
  return block;
}

Value string_value(std::string_view text, Allocator& allocator) {
  return Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

// The text of a content that may only hold text: a string, or an array of text parts joined.
bool content_text(const Value& content, const JsonPath& path, std::string* out, Failure* failure) {
  out->clear();
  if (content.IsNull()) return true;
  if (content.IsString()) {
    out->assign(view(content));
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
    out->append(view(*text));
  }
  return true;
}

// "data:image/png;base64,...." -> an image block.
bool image_block(const Value& part, const JsonPath& path, Value* block, Allocator& allocator,
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
  Value source(kObjectType);
  source.AddMember("bytes", string_value(data, allocator), allocator);
  Value image(kObjectType);
  image.AddMember("format", string_value(format, allocator), allocator);
  image.AddMember("source", source, allocator);
  block->SetObject();
  block->AddMember("image", image, allocator);
  return true;
}

// A user or assistant content as Converse blocks appended to *blocks.
bool content_blocks(const Value& content, const JsonPath& path, bool allow_images, Value* blocks,
                    Allocator& allocator, Failure* failure) {
  if (content.IsNull()) return true;
  if (content.IsString()) {
    // An assistant turn that only calls tools often carries "": Converse refuses blank text.
    if (content.GetStringLength() > 0 || allow_images) {
      blocks->PushBack(text_block(view(content), allocator), allocator);
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
      blocks->PushBack(text_block(view(*text), allocator), allocator);
    } else if (kind == "image_url" && allow_images) {
      Value block;
      if (!image_block(part, part_path, &block, allocator, failure)) return false;
      blocks->PushBack(block, allocator);
    } else {
      return fail(failure, part_path + ".type",
                  "part type '" + std::string(kind) + "' is not supported by Bedrock here");
    }
  }
  return true;
}

bool tool_use_blocks(const Value& tool_calls, const JsonPath& path, Value* blocks,
                     Allocator& allocator, Failure* failure) {
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
    // Parsed into the Converse document's pool, so that its value moves in without a copy.
    rapidjson::Document input(&allocator);
    if (arguments == nullptr || arguments->IsNull() ||
        (arguments->IsString() && arguments->GetStringLength() == 0)) {
      input.SetObject();
    } else if (!arguments->IsString() || !parse_json(view(*arguments), &input)) {
      return fail(failure, call_path + ".function.arguments", "is not valid JSON");
    }
    Value tool_use(kObjectType);
    tool_use.AddMember("toolUseId", Value(*id, allocator), allocator);
    tool_use.AddMember("name", Value(*name, allocator), allocator);
    tool_use.AddMember("input", static_cast<Value&>(input), allocator);
    Value block(kObjectType);
    block.AddMember("toolUse", tool_use, allocator);
    blocks->PushBack(block, allocator);
  }
  return true;
}

// Appends a turn, merged into the previous one when it has the same role (Converse wants the
// roles to alternate).
void add_turn(std::string_view role, Value& blocks, Value* messages, Allocator& allocator) {
  if (blocks.Empty()) return;
  if (!messages->Empty()) {
    Value& last = (*messages)[messages->Size() - 1];
    if (view(last["role"]) == role) {
      for (auto& block : blocks.GetArray()) last["content"].PushBack(block, allocator);
      return;
    }
  }
  Value message(kObjectType);
  message.AddMember("role", string_value(role, allocator), allocator);
  message.AddMember("content", blocks, allocator);
  messages->PushBack(message, allocator);
}

bool translate_messages(const Value& input, Value* messages, Value* system, Allocator& allocator,
                        Failure* failure) {
  if (!input.IsArray() || input.Empty()) {
    return fail(failure, "messages", "must be a non-empty array");
  }
  std::string text;
  const JsonPath messages_path("messages");
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
    Value blocks(kArrayType);
    if (kind == "system" || kind == "developer") {
      if (!content_text(*content, path.member("content"), &text, failure)) return false;
      if (!text.empty()) system->PushBack(text_block(text, allocator), allocator);
    } else if (kind == "user") {
      if (!content_blocks(*content, path.member("content"), true, &blocks, allocator, failure)) {
        return false;
      }
      add_turn("user", blocks, messages, allocator);
    } else if (kind == "assistant") {
      if (!content_blocks(*content, path.member("content"), false, &blocks, allocator, failure)) {
        return false;
      }
      if (const Value* calls = member(message, "tool_calls");
          calls != nullptr &&
          !tool_use_blocks(*calls, path.member("tool_calls"), &blocks, allocator, failure)) {
        return false;
      }
      add_turn("assistant", blocks, messages, allocator);
    } else if (kind == "tool") {
      const Value* id = member(message, "tool_call_id");
      if (id == nullptr || !id->IsString()) {
        return fail(failure, path + ".tool_call_id", "must be a string");
      }
      if (!content_text(*content, path.member("content"), &text, failure)) return false;
      Value result_content(kArrayType);
      result_content.PushBack(text_block(text, allocator), allocator);
      Value result(kObjectType);
      result.AddMember("toolUseId", Value(*id, allocator), allocator);
      result.AddMember("content", result_content, allocator);
      Value block(kObjectType);
      block.AddMember("toolResult", result, allocator);
      blocks.PushBack(block, allocator);
      add_turn("user", blocks, messages, allocator);
    } else {
      return fail(failure, path + ".role",
                  "role '" + std::string(kind) + "' is not supported by Bedrock");
    }
  }
  if (messages->Empty()) {
    return fail(failure, "messages", "must hold at least one user or assistant message");
  }
  return true;
}

bool translate_inference(const Value& request, Value* config, Allocator& allocator,
                         Failure* failure) {
  const Value* max_tokens = member(request, "max_completion_tokens");
  const char* max_name = "max_completion_tokens";
  if (max_tokens == nullptr || max_tokens->IsNull()) {
    max_tokens = member(request, "max_tokens");
    max_name = "max_tokens";
  }
  if (max_tokens != nullptr && !max_tokens->IsNull()) {
    if (!max_tokens->IsInt64() || max_tokens->GetInt64() < 1 ||
        max_tokens->GetInt64() > 2147483647) {
      return fail(failure, max_name, "must be a positive integer");
    }
    config->AddMember("maxTokens", Value(max_tokens->GetInt64()), allocator);
  }
  const std::pair<const char*, const char*> numbers[] = {{"temperature", "temperature"},
                                                         {"top_p", "topP"}};
  for (const auto& [name, converse_name] : numbers) {
    const Value* value = member(request, name);
    if (value == nullptr || value->IsNull()) continue;
    if (!value->IsNumber()) return fail(failure, name, "must be a number");
    config->AddMember(rapidjson::StringRef(converse_name), Value(value->GetDouble()), allocator);
  }
  if (const Value* stop = member(request, "stop"); stop != nullptr && !stop->IsNull()) {
    Value sequences(kArrayType);
    if (stop->IsString()) {
      sequences.PushBack(Value(*stop, allocator), allocator);
    } else if (stop->IsArray()) {
      for (rapidjson::SizeType i = 0; i < stop->Size(); ++i) {
        if (!(*stop)[i].IsString()) {
          return fail(failure, JsonPath("stop").index(i).text(), "must be a string");
        }
        sequences.PushBack(Value((*stop)[i], allocator), allocator);
      }
    } else {
      return fail(failure, "stop", "must be a string or an array of strings");
    }
    if (!sequences.Empty()) config->AddMember("stopSequences", sequences, allocator);
  }
  return true;
}

bool translate_tools(const Value& request, Value* config, Allocator& allocator, Failure* failure) {
  const Value* tools = member(request, "tools");
  if (tools == nullptr || tools->IsNull()) return true;
  if (!tools->IsArray()) return fail(failure, "tools", "must be an array");
  if (tools->Empty()) return true;
  Value specs(kArrayType);
  const JsonPath tools_path("tools");
  for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
    const Value& tool = (*tools)[i];
    const JsonPath path = tools_path.index(i);
    const Value* type = member(tool, "type");
    if (type == nullptr || !type->IsString() || view(*type) != "function") {
      return fail(failure, path + ".type", "only function tools are supported by Bedrock");
    }
    const Value* function = member(tool, "function");
    const Value* name = function == nullptr ? nullptr : member(*function, "name");
    if (name == nullptr || !name->IsString()) {
      return fail(failure, path + ".function.name", "must be a string");
    }
    Value spec(kObjectType);
    spec.AddMember("name", Value(*name, allocator), allocator);
    if (const Value* description = member(*function, "description");
        description != nullptr && description->IsString()) {
      spec.AddMember("description", Value(*description, allocator), allocator);
    }
    Value schema(kObjectType);
    const Value* parameters = member(*function, "parameters");
    if (parameters != nullptr && !parameters->IsNull()) {
      if (!parameters->IsObject()) {
        return fail(failure, path + ".function.parameters", "must be an object");
      }
      schema.AddMember("json", Value(*parameters, allocator), allocator);
    } else {
      Value empty(kObjectType);
      empty.AddMember("type", "object", allocator);
      empty.AddMember("properties", Value(kObjectType), allocator);
      schema.AddMember("json", empty, allocator);
    }
    spec.AddMember("inputSchema", schema, allocator);
    Value entry(kObjectType);
    entry.AddMember("toolSpec", spec, allocator);
    specs.PushBack(entry, allocator);
  }
  config->AddMember("tools", specs, allocator);

  const Value* choice = member(request, "tool_choice");
  if (choice == nullptr || choice->IsNull()) return true;
  Value converse_choice(kObjectType);
  if (choice->IsString() && view(*choice) == "auto") {
    converse_choice.AddMember("auto", Value(kObjectType), allocator);
  } else if (choice->IsString() && view(*choice) == "required") {
    converse_choice.AddMember("any", Value(kObjectType), allocator);
  } else if (choice->IsString() && view(*choice) == "none") {
    return true;  // Converse has no "none": the tools stay declared, no choice is forced
  } else if (choice->IsObject()) {
    const Value* function = member(*choice, "function");
    const Value* name = function == nullptr ? nullptr : member(*function, "name");
    if (name == nullptr || !name->IsString()) {
      return fail(failure, "tool_choice.function.name", "must be a string");
    }
    Value tool(kObjectType);
    tool.AddMember("name", Value(*name, allocator), allocator);
    converse_choice.AddMember("tool", tool, allocator);
  } else {
    return fail(failure, "tool_choice", "must be \"auto\", \"required\", \"none\" or a function");
  }
  config->AddMember("toolChoice", converse_choice, allocator);
  return true;
}

}  // namespace

std::string check_deployment(const Deployment& deployment) {
  for (const auto& [name, value] : deployment.settings) {
    bool known = false;
    for (const std::string_view candidate : kKnownSettings) known = known || candidate == name;
    if (!known) {
      return "setting '" + name +
             "' is not known to provider bedrock (known: aws_region_name, aws_access_key_id, "
             "aws_secret_access_key, aws_session_token)";
    }
  }
  const std::string_view region = setting(deployment, "aws_region_name");
  if (region.empty() && deployment.base_url.empty()) {
    return "aws_region_name is required when api_base is not set";
  }
  if (!region.empty() && !is_region_name(region)) {
    return "aws_region_name must be a region name such as us-east-1";
  }
  if (!deployment.base_url.empty() && !deployment.base_url.starts_with("https://") &&
      !deployment.base_url.starts_with("http://")) {
    return "api_base must start with http:// or https://";
  }
  if (setting(deployment, "aws_access_key_id").empty() !=
      setting(deployment, "aws_secret_access_key").empty()) {
    return "aws_access_key_id and aws_secret_access_key must be set together";
  }
  if (!setting(deployment, "aws_session_token").empty() &&
      setting(deployment, "aws_access_key_id").empty()) {
    return "aws_session_token needs aws_access_key_id and aws_secret_access_key";
  }
  if (deployment.model.empty()) return "the model id is empty";
  return "";
}

std::string endpoint_base(const Deployment& deployment) {
  if (!deployment.base_url.empty()) return deployment.base_url;
  return "https://bedrock-runtime." + std::string(setting(deployment, "aws_region_name")) +
         ".amazonaws.com";
}

std::string signing_region(const Deployment& deployment) {
  const std::string_view region = setting(deployment, "aws_region_name");
  if (!region.empty()) return std::string(region);
  // An api_base of the usual shape names its region: https://bedrock-runtime.<region>.amazonaws.com
  constexpr std::string_view kHostPrefix = "bedrock-runtime.";
  const std::string_view base = deployment.base_url;
  const size_t start = base.find(kHostPrefix);
  if (start != std::string_view::npos) {
    const size_t from = start + kHostPrefix.size();
    const size_t end = base.find('.', from);
    const std::string_view candidate = base.substr(from, end - from);
    if (end != std::string_view::npos && is_region_name(candidate)) return std::string(candidate);
  }
  return "us-east-1";
}

std::string model_url(const Deployment& deployment, std::string_view operation) {
  std::string url = endpoint_base(deployment);
  url.append("/model/");
  url_encode_segment(deployment.model, &url);
  url.push_back('/');
  url.append(operation);
  return url;
}

void fill_request(const Deployment& deployment, std::string url, std::string body, bool stream,
                  UpstreamRequest* out) {
  out->method = "POST";
  out->url = std::move(url);
  out->headers.clear();
  out->headers.push_back({"content-type", "application/json"});
  out->body = std::move(body);
  out->stream = stream;
  if (!deployment.api_key.empty()) {
    // A Bedrock API key is a bearer token and replaces SigV4.
    out->headers.push_back({"authorization", "Bearer " + deployment.api_key});
    out->auth = providers::Auth::ready;
    out->signing_region.clear();
    out->signing_service.clear();
  } else {
    out->auth = providers::Auth::aws_sigv4;
    out->signing_region = signing_region(deployment);
    out->signing_service = "bedrock";
  }
}

bool build_chat_request(std::string_view openai_body, const Deployment& deployment,
                        UpstreamRequest* out, Failure* failure) {
  support::RequestDocument request;
  if (!parse_json(openai_body, &request) || !request.IsObject()) {
    *failure = make_failure(400, "the request body is not a JSON object");
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

  support::RequestDocument converse(kObjectType);
  Allocator& allocator = converse.GetAllocator();
  Value messages(kArrayType);
  Value system(kArrayType);
  const Value* input_messages = member(request, "messages");
  if (input_messages == nullptr) return fail(failure, "messages", "is required");
  if (!translate_messages(*input_messages, &messages, &system, allocator, failure)) return false;
  Value inference(kObjectType);
  if (!translate_inference(request, &inference, allocator, failure)) return false;
  Value tool_config(kObjectType);
  if (!translate_tools(request, &tool_config, allocator, failure)) return false;

  converse.AddMember("messages", messages, allocator);
  if (!system.Empty()) converse.AddMember("system", system, allocator);
  if (inference.MemberCount() > 0) converse.AddMember("inferenceConfig", inference, allocator);
  if (tool_config.MemberCount() > 0) converse.AddMember("toolConfig", tool_config, allocator);
  for (const char* passed : {"guardrailConfig", "additionalModelRequestFields"}) {
    if (const Value* value = member(request, passed); value != nullptr && !value->IsNull()) {
      converse.AddMember(rapidjson::StringRef(passed), Value(*value, allocator), allocator);
    }
  }

  fill_request(deployment, model_url(deployment, stream ? "converse-stream" : "converse"),
               to_json(converse, support::translated_capacity(openai_body.size())), stream, out);
  return true;
}

}  // namespace sluice::bedrock
