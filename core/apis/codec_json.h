#pragma once
// JSON plumbing shared by the inbound codecs: a bounded parse (iterative, nesting capped, UTF-8
// checked) so hostile text can neither exhaust the stack nor smuggle bad bytes into what the
// codecs write, and the writer they all build their output with. Pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::apis {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using JsonValue = rapidjson::Value;

// Deep enough for any real JSON schema, shallow enough for the writer's recursion.
inline constexpr unsigned kMaxJsonDepth = 64;

// Parses `text` into *doc. "" on success, else why not ("not valid JSON: ... at offset N",
// "nested deeper than 64 levels").
std::string parse_bounded_json(std::string_view text, rapidjson::Document* doc);

inline void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}
inline void write_key(JsonWriter& writer, std::string_view key) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
inline std::string_view view_of(const JsonValue& string_value) {
  return {string_value.GetString(), string_value.GetStringLength()};
}
// The compact JSON text of a value.
std::string json_text(const JsonValue& value);

// The member `name` of an object, or null when absent (or when `object` is no object).
const JsonValue* member(const JsonValue& object, std::string_view name);
// The string member `name`, or "" when absent or not a string.
std::string_view string_member(const JsonValue& object, std::string_view name);
// The integer member `name` (a whole number), or `fallback`.
int64_t integer_member(const JsonValue& object, std::string_view name, int64_t fallback);

}  // namespace sluice::apis
