// Validation and extraction of OpenAI request bodies. Messages follow OpenAI's wording closely
// enough for clients and gateways to treat them like the real ones; checks cover what a gateway
// can get wrong (types, required members, stream_options without stream), not every API rule.

#include "tools/fake-llm/openai_requests.h"

#include <rapidjson/document.h>

#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

using rapidjson::Value;

bool fail(ApiError* error, std::string message, std::string param = {}, std::string code = {}) {
  error->status = 400;
  error->message = std::move(message);
  error->param = std::move(param);
  error->code = std::move(code);
  return false;
}

bool invalid_json(ApiError* error) {
  return fail(error,
              "We could not parse the JSON body of your request. The OpenAI API expects a JSON "
              "payload (fake-llm).");
}

bool wrong_type(ApiError* error, const std::string& param, std::string_view expected,
                const Value& got) {
  return fail(error,
              "Invalid type for '" + param + "': expected " + std::string(expected) + ", but got " +
                  std::string(json_type_name(got)) + " instead.",
              param, "invalid_type");
}

bool missing(ApiError* error, const std::string& param) {
  return fail(error, "Missing required parameter: '" + param + "'.", param,
              "missing_required_parameter");
}

// The object body, `model` and the stream flags shared by chat and completions.
bool read_common(const rapidjson::Document& doc, std::string* model, bool* stream,
                 bool* include_usage, ApiError* error) {
  if (!doc.IsObject()) return invalid_json(error);
  const Value* model_value = member(doc, "model");
  if (model_value == nullptr || model_value->IsNull()) {
    return fail(error, "you must provide a model parameter");
  }
  if (!model_value->IsString()) return wrong_type(error, "model", "a string", *model_value);
  model->assign(view(*model_value));
  if (const Value* value = member(doc, "stream"); value != nullptr && !value->IsNull()) {
    if (!value->IsBool()) return wrong_type(error, "stream", "a boolean", *value);
    *stream = value->GetBool();
  }
  if (const Value* options = member(doc, "stream_options");
      options != nullptr && !options->IsNull()) {
    if (!*stream) {
      return fail(error, "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                  "stream_options");
    }
    if (!options->IsObject()) return wrong_type(error, "stream_options", "an object", *options);
    if (const Value* usage = member(*options, "include_usage");
        usage != nullptr && !usage->IsNull()) {
      if (!usage->IsBool()) {
        return wrong_type(error, "stream_options.include_usage", "a boolean", *usage);
      }
      *include_usage = usage->GetBool();
    }
  }
  return true;
}

bool known_role(std::string_view role) {
  return role == "system" || role == "developer" || role == "user" || role == "assistant" ||
         role == "tool" || role == "function";
}

// The text of a message's content: a string, or the "text" parts of an array, concatenated.
bool message_text(const Value& content, const std::string& param, std::string* out,
                  ApiError* error) {
  out->clear();
  if (content.IsNull()) return true;
  if (content.IsString()) {
    out->assign(view(content));
    return true;
  }
  if (!content.IsArray()) return wrong_type(error, param, "one of a string or array", content);
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    const Value& part = content[i];
    const std::string part_param = param + "[" + std::to_string(i) + "]";
    if (!part.IsObject()) return wrong_type(error, part_param, "an object", part);
    const Value* type = member(part, "type");
    if (type == nullptr) return missing(error, part_param + ".type");
    if (!type->IsString()) return wrong_type(error, part_param + ".type", "a string", *type);
    if (view(*type) != "text") continue;  // images, audio, files: no text to echo
    const Value* text = member(part, "text");
    if (text == nullptr) return missing(error, part_param + ".text");
    if (!text->IsString()) return wrong_type(error, part_param + ".text", "a string", *text);
    out->append(view(*text));
  }
  return true;
}

}  // namespace

bool parse_chat_request(std::string_view body, ChatRequest* out, ApiError* error) {
  rapidjson::Document doc;
  if (!parse_json(body, &doc)) return invalid_json(error);
  if (!read_common(doc, &out->model, &out->stream, &out->include_usage, error)) return false;
  const Value* messages = member(doc, "messages");
  if (messages == nullptr) return missing(error, "messages");
  if (!messages->IsArray()) return wrong_type(error, "messages", "an array", *messages);
  if (messages->Empty()) {
    return fail(error,
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but "
                "got an empty array instead.",
                "messages", "empty_array");
  }
  // The last user message is echoed; every other message only counts towards prompt tokens.
  int last_user = -1;
  for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
    const Value& message = (*messages)[i];
    const std::string param = "messages[" + std::to_string(i) + "]";
    if (!message.IsObject()) return wrong_type(error, param, "an object", message);
    const Value* role = member(message, "role");
    if (role == nullptr) return missing(error, param + ".role");
    if (!role->IsString()) return wrong_type(error, param + ".role", "a string", *role);
    if (!known_role(view(*role))) {
      return fail(error,
                  "Invalid value: '" + std::string(view(*role)) +
                      "'. Supported values are: 'system', 'developer', 'user', 'assistant', "
                      "'tool', and 'function'.",
                  param + ".role", "invalid_value");
    }
    if (view(*role) == "user") last_user = static_cast<int>(i);
  }
  std::string text;
  for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
    const Value& message = (*messages)[i];
    const Value* content = member(message, "content");
    const std::string param = "messages[" + std::to_string(i) + "].content";
    if (content == nullptr) {
      if (view(*member(message, "role")) == "user") return missing(error, param);
      continue;
    }
    if (!message_text(*content, param, &text, error)) return false;
    if (static_cast<int>(i) == last_user) {
      out->last_user_text = text;
    } else {
      out->other_words += count_words(text);
    }
  }
  if (const Value* tools = member(doc, "tools"); tools != nullptr && !tools->IsNull()) {
    if (!tools->IsArray()) return wrong_type(error, "tools", "an array", *tools);
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      const Value& tool = (*tools)[i];
      const std::string param = "tools[" + std::to_string(i) + "]";
      if (!tool.IsObject()) return wrong_type(error, param, "an object", tool);
      const Value* function = member(tool, "function");
      if (function == nullptr) return missing(error, param + ".function");
      const Value* name = member(*function, "name");
      if (name == nullptr) return missing(error, param + ".function.name");
      if (!name->IsString()) return wrong_type(error, param + ".function.name", "a string", *name);
      if (i == 0) out->first_tool_name.assign(view(*name));
    }
  }
  return true;
}

bool parse_completion_request(std::string_view body, CompletionRequest* out, ApiError* error) {
  rapidjson::Document doc;
  if (!parse_json(body, &doc)) return invalid_json(error);
  if (!read_common(doc, &out->model, &out->stream, &out->include_usage, error)) return false;
  const Value* prompt = member(doc, "prompt");
  if (prompt == nullptr || prompt->IsNull()) return missing(error, "prompt");
  if (prompt->IsString()) {
    out->prompt_text.assign(view(*prompt));
    return true;
  }
  if (!prompt->IsArray()) {
    return wrong_type(error, "prompt", "one of a string or array", *prompt);
  }
  // An array of strings, of token ids, or of token-id arrays. The last string is the prompt.
  int last_string = -1;
  for (rapidjson::SizeType i = 0; i < prompt->Size(); ++i) {
    if ((*prompt)[i].IsString()) last_string = static_cast<int>(i);
  }
  for (rapidjson::SizeType i = 0; i < prompt->Size(); ++i) {
    const Value& item = (*prompt)[i];
    if (item.IsString()) {
      if (static_cast<int>(i) == last_string) {
        out->prompt_text.assign(view(item));
      } else {
        out->other_words += count_words(view(item));
      }
    } else if (item.IsNumber()) {
      ++out->other_words;
    } else if (item.IsArray()) {
      out->other_words += item.Size();
    } else {
      return wrong_type(error, "prompt[" + std::to_string(i) + "]", "a string", item);
    }
  }
  return true;
}

bool parse_embedding_request(std::string_view body, EmbeddingRequest* out, ApiError* error) {
  rapidjson::Document doc;
  if (!parse_json(body, &doc)) return invalid_json(error);
  if (!doc.IsObject()) return invalid_json(error);
  const Value* model = member(doc, "model");
  if (model == nullptr || model->IsNull()) return fail(error, "you must provide a model parameter");
  if (!model->IsString()) return wrong_type(error, "model", "a string", *model);
  out->model.assign(view(*model));

  const Value* input = member(doc, "input");
  if (input == nullptr || input->IsNull()) return missing(error, "input");
  const auto invalid_input = [&] { return fail(error, "'$.input' is invalid.", "input"); };
  const auto token_text = [](const Value& tokens) {
    std::string text = "tokens:";
    for (rapidjson::SizeType k = 0; k < tokens.Size(); ++k) {
      if (k > 0) text.push_back(',');
      text += std::to_string(tokens[k].IsInt64() ? tokens[k].GetInt64() : 0);
    }
    return text;
  };
  const auto all_ints = [](const Value& array) {
    for (rapidjson::SizeType k = 0; k < array.Size(); ++k) {
      if (!array[k].IsInt64()) return false;
    }
    return true;
  };
  if (input->IsString()) {
    if (input->GetStringLength() == 0) return invalid_input();
    out->inputs.push_back({std::string(view(*input)), std::nullopt});
  } else if (input->IsArray()) {
    if (input->Empty() || input->Size() > kMaxEmbeddingInputs) return invalid_input();
    if (all_ints(*input)) {  // one input given as token ids
      out->inputs.push_back({token_text(*input), input->Size()});
    } else {
      for (rapidjson::SizeType i = 0; i < input->Size(); ++i) {
        const Value& item = (*input)[i];
        if (item.IsString()) {
          if (item.GetStringLength() == 0) return invalid_input();
          out->inputs.push_back({std::string(view(item)), std::nullopt});
        } else if (item.IsArray() && !item.Empty() && all_ints(item)) {
          out->inputs.push_back({token_text(item), item.Size()});
        } else {
          return invalid_input();
        }
      }
    }
  } else {
    return invalid_input();
  }

  if (const Value* format = member(doc, "encoding_format");
      format != nullptr && !format->IsNull()) {
    if (!format->IsString()) return wrong_type(error, "encoding_format", "a string", *format);
    if (view(*format) == "base64") {
      out->base64 = true;
    } else if (view(*format) != "float") {
      return fail(error,
                  "Invalid value: '" + std::string(view(*format)) +
                      "'. Supported values are: 'float' and 'base64'.",
                  "encoding_format", "invalid_value");
    }
  }
  if (const Value* dims = member(doc, "dimensions"); dims != nullptr && !dims->IsNull()) {
    if (!dims->IsInt64()) return wrong_type(error, "dimensions", "an integer", *dims);
    if (dims->GetInt64() < 1 || dims->GetInt64() > kMaxEmbeddingDim) {
      return fail(error,
                  "Invalid 'dimensions': expected a value between 1 and " +
                      std::to_string(kMaxEmbeddingDim) + ".",
                  "dimensions", "invalid_value");
    }
    out->dimensions = static_cast<uint32_t>(dims->GetInt64());
  }
  return true;
}

}  // namespace fake_llm
