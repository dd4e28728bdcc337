#pragma once
// Helpers over rapidjson for reading request bodies: strict parsing (iterative, so deep nesting
// cannot exhaust the stack; UTF-8 validated) and type names for error messages.

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace fake_llm {

// Parses `body` into *doc; false when it is not valid JSON.
bool parse_json(std::string_view body, rapidjson::Document* doc);

// "string", "number", "object", … as OpenAI's messages name JSON types.
std::string_view json_type_name(const rapidjson::Value& value);

inline std::string_view view(const rapidjson::Value& string_value) {
  return {string_value.GetString(), string_value.GetStringLength()};
}

// The member `name` of an object, or nullptr.
const rapidjson::Value* member(const rapidjson::Value& object, const char* name);

// `json` re-serialised when it is a JSON object, else "{}" (tool inputs must be objects).
std::string json_object_or_empty(std::string_view json);

// Re-serialises a value as compact JSON.
std::string to_json(const rapidjson::Value& value);

}  // namespace fake_llm
