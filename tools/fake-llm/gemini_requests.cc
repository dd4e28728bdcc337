// Validation and extraction of GenerateContentRequest bodies. Field names match in either JSON
// spelling (generationConfig / generation_config), as the proto-JSON parser accepts both;
// messages name fields in snake_case, as Google's do.

#include "tools/fake-llm/gemini_requests.h"

#include <rapidjson/document.h>

#include <initializer_list>

#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/routes.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

using rapidjson::Value;
using Names = std::initializer_list<std::string_view>;

bool fail(ApiError* error, std::string message) {
  error->status = 400;
  error->message = std::move(message);
  return false;
}

// "* GenerateContentRequest.<path>: <problem>\n", the shape of Google's field violations.
bool violation(ApiError* error, const std::string& path, std::string_view problem) {
  return fail(error, "* GenerateContentRequest." + path + ": " + std::string(problem) + "\n");
}

// snake_case → camelCase, so both spellings compare equal.
std::string camel(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool upper = false;
  for (const char c : name) {
    if (c == '_') {
      upper = true;
    } else if (upper && c >= 'a' && c <= 'z') {
      out.push_back(static_cast<char>(c - 32));
      upper = false;
    } else {
      out.push_back(c);
      upper = false;
    }
  }
  return out;
}

// The member spelled `camel_name` in either spelling, or nullptr.
const Value* field(const Value& object, std::string_view camel_name) {
  if (!object.IsObject()) return nullptr;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (camel(view(it->name)) == camel_name) return &it->value;
  }
  return nullptr;
}

// Refuses members outside `known` (camelCase names), as the proto-JSON parser does.
bool known_fields(const Value& object, const std::string& path, Names known, ApiError* error) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    const std::string name = camel(view(it->name));
    bool found = false;
    for (const std::string_view candidate : known) found = found || candidate == name;
    if (found) continue;
    std::string message =
        "Invalid JSON payload received. Unknown name \"" + std::string(view(it->name)) + "\"";
    if (!path.empty()) message += " at '" + path + "'";
    return fail(error, message + ": Cannot find field.");
  }
  return true;
}

bool invalid_value(ApiError* error, const std::string& path, std::string_view type,
                   const Value& value) {
  return fail(error,
              "Invalid value at '" + path + "' (" + std::string(type) + "), " + to_json(value));
}

bool expect_object(const Value& value, const std::string& path, ApiError* error) {
  if (value.IsObject()) return true;
  return fail(error, "Invalid JSON payload received. Expected an object at '" + path + "', got " +
                         std::string(json_type_name(value)) + ".");
}

bool expect_array(const Value& value, const std::string& path, ApiError* error) {
  if (value.IsArray()) return true;
  return fail(error, "Invalid JSON payload received. Expected a list at '" + path + "', got " +
                         std::string(json_type_name(value)) + ".");
}

// A named call or response inside a part (functionCall, functionResponse).
bool check_named(const Value& value, const std::string& path, Names known, ApiError* error) {
  if (!expect_object(value, path, error) || !known_fields(value, path, known, error)) return false;
  const Value* name = field(value, "name");
  if (name != nullptr && !name->IsString())
    return invalid_value(error, path + ".name", "TYPE_STRING", *name);
  if (name == nullptr || name->GetStringLength() == 0) {
    return violation(error, path + ".name", "Name cannot be empty.");
  }
  return true;
}

// The text a Content holds: its text parts, and the responses of its functionResponse parts.
struct ContentText {
  std::string text;
  std::string tool_text;  // functionResponse.response objects as JSON
};

bool read_part(const Value& part, const std::string& path, ContentText* text, ApiError* error) {
  if (!expect_object(part, path, error)) return false;
  if (!known_fields(part, path,
                    {"text", "inlineData", "fileData", "functionCall", "functionResponse",
                     "executableCode", "codeExecutionResult", "thought", "thoughtSignature",
                     "videoMetadata", "mediaResolution", "partMetadata"},
                    error)) {
    return false;
  }
  int kinds = 0;
  if (const Value* value = field(part, "text")) {
    if (!value->IsString()) return invalid_value(error, path + ".text", "TYPE_STRING", *value);
    text->text.append(view(*value));
    ++kinds;
  }
  if (const Value* data = field(part, "inlineData")) {
    const std::string where = path + ".inline_data";
    if (!expect_object(*data, where, error) ||
        !known_fields(*data, where, {"mimeType", "data", "displayName"}, error)) {
      return false;
    }
    const Value* mime = field(*data, "mimeType");
    if (mime == nullptr || !mime->IsString() || mime->GetStringLength() == 0) {
      return violation(error, where + ".mime_type", "mime_type must be specified.");
    }
    const Value* bytes = field(*data, "data");
    if (bytes == nullptr || !bytes->IsString()) {
      return violation(error, where + ".data", "data must be specified.");
    }
    ++kinds;
  }
  if (const Value* data = field(part, "fileData")) {
    const std::string where = path + ".file_data";
    if (!expect_object(*data, where, error) ||
        !known_fields(*data, where, {"mimeType", "fileUri", "displayName"}, error)) {
      return false;
    }
    const Value* uri = field(*data, "fileUri");
    if (uri == nullptr || !uri->IsString() || uri->GetStringLength() == 0) {
      return violation(error, where + ".file_uri", "file_uri must be specified.");
    }
    ++kinds;
  }
  if (const Value* call = field(part, "functionCall")) {
    if (!check_named(*call, path + ".function_call", {"id", "name", "args"}, error)) return false;
    if (const Value* args = field(*call, "args"); args != nullptr && !args->IsObject()) {
      return expect_object(*args, path + ".function_call.args", error);
    }
    ++kinds;
  }
  if (const Value* response = field(part, "functionResponse")) {
    if (!check_named(*response, path + ".function_response",
                     {"id", "name", "response", "parts", "willContinue", "scheduling"}, error)) {
      return false;
    }
    const Value* body = field(*response, "response");
    if (body != nullptr && !body->IsObject()) {
      return expect_object(*body, path + ".function_response.response", error);
    }
    if (body != nullptr) text->tool_text += to_json(*body);
    ++kinds;
  }
  if (field(part, "executableCode") != nullptr) ++kinds;
  if (field(part, "codeExecutionResult") != nullptr) ++kinds;
  if (kinds == 0) {
    return violation(error, path + ".data",
                     "required oneof field 'data' must have one initialized field");
  }
  if (kinds > 1) {
    return violation(error, path + ".data", "oneof field 'data' is already set. Cannot set 'data'");
  }
  return true;
}

// One Content ({role, parts}); *user tells whether it speaks for the user.
bool read_content(const Value& content, const std::string& path, ContentText* text, bool* user,
                  ApiError* error) {
  if (!expect_object(content, path, error) ||
      !known_fields(content, path, {"role", "parts"}, error)) {
    return false;
  }
  *user = true;  // the role may be left out for single-turn requests
  if (const Value* role = field(content, "role"); role != nullptr) {
    if (!role->IsString()) return invalid_value(error, path + ".role", "TYPE_STRING", *role);
    const std::string_view name = view(*role);
    const bool system = path == "system_instruction";  // its role is ignored
    if (!system && !name.empty() && name != "user" && name != "model") {
      return fail(error, "Please use a valid role: user, model.");
    }
    *user = name != "model";
  }
  const Value* parts = field(content, "parts");
  if (parts == nullptr)
    return violation(error, path + ".parts", "contents.parts must not be empty.");
  if (!expect_array(*parts, path + ".parts", error)) return false;
  if (parts->Empty()) return violation(error, path + ".parts", "contents.parts must not be empty.");
  for (rapidjson::SizeType i = 0; i < parts->Size(); ++i) {
    if (!read_part((*parts)[i], path + ".parts[" + std::to_string(i) + "]", text, error)) {
      return false;
    }
  }
  return true;
}

bool read_generation_config(const Value& config, GeminiRequest* out, ApiError* error) {
  const std::string path = "generation_config";
  if (!expect_object(config, path, error) || !known_fields(config, path,
                                                           {"stopSequences",
                                                            "responseMimeType",
                                                            "responseSchema",
                                                            "responseJsonSchema",
                                                            "responseModalities",
                                                            "candidateCount",
                                                            "maxOutputTokens",
                                                            "temperature",
                                                            "topP",
                                                            "topK",
                                                            "seed",
                                                            "presencePenalty",
                                                            "frequencyPenalty",
                                                            "responseLogprobs",
                                                            "logprobs",
                                                            "enableEnhancedCivicAnswers",
                                                            "speechConfig",
                                                            "thinkingConfig",
                                                            "mediaResolution",
                                                            "audioTimestamp",
                                                            "routingConfig",
                                                            "modelSelectionConfig",
                                                            "imageConfig"},
                                                           error)) {
    return false;
  }
  if (const Value* max = field(config, "maxOutputTokens")) {
    if (!max->IsInt64())
      return invalid_value(error, path + ".max_output_tokens", "TYPE_INT32", *max);
    if (max->GetInt64() < 1) {
      return violation(error, path + ".max_output_tokens", "max_output_tokens must be positive.");
    }
    out->max_output_tokens = max->GetInt64();
  }
  if (const Value* temperature = field(config, "temperature")) {
    if (!temperature->IsNumber()) {
      return invalid_value(error, path + ".temperature", "TYPE_FLOAT", *temperature);
    }
    if (temperature->GetDouble() < 0 || temperature->GetDouble() > 2) {
      return violation(error, path + ".temperature",
                       "temperature must be in the range [0.0, 2.0].");
    }
  }
  if (const Value* count = field(config, "candidateCount")) {
    if (!count->IsInt64())
      return invalid_value(error, path + ".candidate_count", "TYPE_INT32", *count);
  }
  if (const Value* stops = field(config, "stopSequences")) {
    if (!expect_array(*stops, path + ".stop_sequences", error)) return false;
    for (rapidjson::SizeType i = 0; i < stops->Size(); ++i) {
      const Value& stop = (*stops)[i];
      const std::string where = path + ".stop_sequences[" + std::to_string(i) + "]";
      if (!stop.IsString()) return invalid_value(error, where, "TYPE_STRING", stop);
      out->stop_sequences.emplace_back(view(stop));
    }
  }
  return true;
}

// tools[].functionDeclarations and toolConfig; sets the function a tool_call directive calls.
bool read_tools(const Value& doc, GeminiRequest* out, ApiError* error) {
  std::vector<std::string> names;
  if (const Value* tools = field(doc, "tools")) {
    if (!expect_array(*tools, "tools", error)) return false;
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      const std::string path = "tools[" + std::to_string(i) + "]";
      const Value& tool = (*tools)[i];
      if (!expect_object(tool, path, error) ||
          !known_fields(tool, path,
                        {"functionDeclarations", "googleSearch", "googleSearchRetrieval",
                         "codeExecution", "urlContext", "retrieval", "computerUse", "fileSearch",
                         "googleMaps", "enterpriseWebSearch"},
                        error)) {
        return false;
      }
      const Value* declarations = field(tool, "functionDeclarations");
      if (declarations == nullptr) continue;
      if (!expect_array(*declarations, path + ".function_declarations", error)) return false;
      for (rapidjson::SizeType k = 0; k < declarations->Size(); ++k) {
        const std::string where = path + ".function_declarations[" + std::to_string(k) + "]";
        if (!check_named((*declarations)[k], where,
                         {"name", "description", "parameters", "parametersJsonSchema", "response",
                          "responseJsonSchema", "behavior"},
                         error)) {
          return false;
        }
        names.emplace_back(view(*field((*declarations)[k], "name")));
      }
    }
  }
  if (!names.empty()) out->tool_name = names.front();
  const Value* config = field(doc, "toolConfig");
  if (config == nullptr) return true;
  if (!expect_object(*config, "tool_config", error) ||
      !known_fields(*config, "tool_config", {"functionCallingConfig", "retrievalConfig"}, error)) {
    return false;
  }
  const Value* calling = field(*config, "functionCallingConfig");
  if (calling == nullptr) return true;
  const std::string path = "tool_config.function_calling_config";
  if (!expect_object(*calling, path, error) ||
      !known_fields(*calling, path, {"mode", "allowedFunctionNames"}, error)) {
    return false;
  }
  if (const Value* mode = field(*calling, "mode")) {
    const std::string_view name = mode->IsString() ? view(*mode) : std::string_view();
    if (name != "AUTO" && name != "ANY" && name != "NONE" && name != "VALIDATED" &&
        name != "MODE_UNSPECIFIED") {
      return invalid_value(error, path + ".mode", "TYPE_ENUM", *mode);
    }
    if (name == "NONE") out->tool_name.clear();
  }
  if (const Value* allowed = field(*calling, "allowedFunctionNames")) {
    if (!expect_array(*allowed, path + ".allowed_function_names", error)) return false;
    if (!allowed->Empty() && (*allowed)[0].IsString() && !out->tool_name.empty()) {
      out->tool_name.assign(view((*allowed)[0]));
    }
  }
  return true;
}

}  // namespace

bool parse_gemini_request(std::string_view body, GeminiRequest* out, ApiError* error) {
  rapidjson::Document doc;
  if (!parse_json(body, &doc)) {
    return fail(error, "Invalid JSON payload received. Unexpected token.");
  }
  if (!expect_object(doc, "", error) ||
      !known_fields(doc, "",
                    {"model", "contents", "systemInstruction", "generationConfig", "tools",
                     "toolConfig", "safetySettings", "cachedContent", "labels"},
                    error)) {
    return false;
  }
  const Value* contents = field(doc, "contents");
  if (contents == nullptr || (contents->IsArray() && contents->Empty())) {
    return violation(error, "contents", "contents is not specified");
  }
  if (!expect_array(*contents, "contents", error)) return false;
  std::vector<ContentText> texts(contents->Size());
  int last_user = -1;
  for (rapidjson::SizeType i = 0; i < contents->Size(); ++i) {
    bool user = true;
    if (!read_content((*contents)[i], "contents[" + std::to_string(i) + "]", &texts[i], &user,
                      error)) {
      return false;
    }
    if (user) last_user = static_cast<int>(i);
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    // A user turn that only returns function results is echoed through their JSON.
    const bool only_results = texts[i].text.empty();
    if (static_cast<int>(i) == last_user) {
      out->last_user_text = std::move(only_results ? texts[i].tool_text : texts[i].text);
      if (!only_results) out->other_words += count_words(texts[i].tool_text);
    } else {
      out->other_words += count_words(texts[i].text) + count_words(texts[i].tool_text);
    }
  }
  if (const Value* system = field(doc, "systemInstruction")) {
    ContentText text;
    bool user = true;
    if (!read_content(*system, "system_instruction", &text, &user, error)) return false;
    out->other_words += count_words(text.text);
  }
  if (const Value* config = field(doc, "generationConfig")) {
    if (!read_generation_config(*config, out, error)) return false;
  }
  if (const Value* settings = field(doc, "safetySettings")) {
    if (!expect_array(*settings, "safety_settings", error)) return false;
  }
  return read_tools(doc, out, error);
}

bool check_gemini_key(const sluice::http::Request& request, std::string_view expected_key,
                      ApiError* error) {
  std::string key;
  if (const std::string* header = sluice::http::find_header(request.headers, "x-goog-api-key")) {
    key = *header;
  } else if (!query_param(request.query, "key", &key)) {
    key.clear();
  }
  if (key.empty()) {
    error->status = 403;
    error->message =
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.";
    return false;
  }
  if (!expected_key.empty() && key != expected_key) {
    error->status = 400;
    error->message = "API key not valid. Please pass a valid API key.";
    error->code = "API_KEY_INVALID";
    return false;
  }
  return true;
}

}  // namespace fake_llm
