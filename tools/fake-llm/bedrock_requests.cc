// Validation and extraction of Converse request bodies.

#include "tools/fake-llm/bedrock_requests.h"

#include <rapidjson/document.h>

#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

using rapidjson::Value;

bool fail(ApiError* error, std::string message) {
  error->status = 400;
  error->message = std::move(message);
  return false;
}

bool constraint(ApiError* error, const std::string& where, std::string_view what) {
  return fail(error, "1 validation error detected: Value at '" + where +
                         "' failed to satisfy constraint: " + std::string(what));
}

// Concatenates the "text" blocks of a content array; other block kinds carry no text.
bool blocks_text(const Value& content, const std::string& where, std::string* out,
                 ApiError* error) {
  out->clear();
  if (!content.IsArray()) return constraint(error, where, "Member must be a list");
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    const Value& block = content[i];
    if (!block.IsObject()) {
      return constraint(error, where + "." + std::to_string(i + 1), "Member must be a structure");
    }
    if (const Value* text = member(block, "text")) {
      if (!text->IsString()) {
        return constraint(error, where + "." + std::to_string(i + 1) + ".text",
                          "Member must be a string");
      }
      out->append(view(*text));
    }
  }
  return true;
}

}  // namespace

bool parse_converse_request(std::string_view body, ConverseRequest* out, ApiError* error) {
  rapidjson::Document doc;
  if (!parse_json(body, &doc) || !doc.IsObject()) {
    return fail(error, "Malformed input request, please reformat your input and try again.");
  }
  const Value* messages = member(doc, "messages");
  if (messages == nullptr || messages->IsNull()) {
    return fail(error,
                "1 validation error detected: Value null at 'messages' failed to satisfy "
                "constraint: Member must not be null");
  }
  if (!messages->IsArray()) return constraint(error, "messages", "Member must be a list");
  if (messages->Empty()) {
    return fail(error,
                "A conversation must start with a user message. Try again with a "
                "conversation that starts with a user message.");
  }
  int last_user = -1;
  for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
    const Value& message = (*messages)[i];
    const std::string where = "messages." + std::to_string(i + 1);
    if (!message.IsObject()) return constraint(error, where, "Member must be a structure");
    const Value* role = member(message, "role");
    if (role == nullptr || !role->IsString() ||
        (view(*role) != "user" && view(*role) != "assistant")) {
      return constraint(error, where + ".role",
                        "Member must satisfy enum value set: [user, assistant]");
    }
    if (member(message, "content") == nullptr) {
      return constraint(error, where + ".content", "Member must not be null");
    }
    if (view(*role) == "user") last_user = static_cast<int>(i);
  }
  std::string text;
  for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
    const Value& message = (*messages)[i];
    const std::string where = "messages." + std::to_string(i + 1) + ".content";
    if (!blocks_text(*member(message, "content"), where, &text, error)) return false;
    if (static_cast<int>(i) == last_user) {
      out->last_user_text = text;
    } else {
      out->other_words += count_words(text);
    }
  }
  if (const Value* system = member(doc, "system"); system != nullptr && !system->IsNull()) {
    if (!blocks_text(*system, "system", &text, error)) return false;
    out->other_words += count_words(text);
  }
  if (const Value* config = member(doc, "toolConfig"); config != nullptr && !config->IsNull()) {
    const Value* tools = member(*config, "tools");
    if (tools == nullptr || !tools->IsArray()) {
      return constraint(error, "toolConfig.tools", "Member must be a list");
    }
    if (!tools->Empty()) {
      const Value* spec = member((*tools)[0], "toolSpec");
      const Value* name = spec == nullptr ? nullptr : member(*spec, "name");
      if (name != nullptr && name->IsString()) out->first_tool_name.assign(view(*name));
    }
  }
  return true;
}

}  // namespace fake_llm
