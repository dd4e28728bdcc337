#pragma once
// JSON helpers for the Cohere adapter's translators (the Gemini adapter has the same few in
// providers/gemini/json.h; they belong in providers/common once more adapters want them).
// Pure functions, safe from any thread.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "providers/common/adapter.h"

namespace sluice::providers::cohere {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Deepest nesting copied from one document into another: rapidjson's own copy recurses.
inline constexpr int kMaxCopyDepth = 64;

// Parses iteratively (no recursion), refusing invalid UTF-8.
inline bool parse_json(std::string_view text, rapidjson::Document* document) {
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  document->Parse<kFlags>(text.data(), text.size());
  return !document->HasParseError();
}

inline std::string_view view(const rapidjson::Value& string_value) {
  return {string_value.GetString(), string_value.GetStringLength()};
}

inline void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

inline void write_key(JsonWriter& writer, std::string_view key) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

inline std::string take(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Writes `value`; false when it nests deeper than kMaxCopyDepth.
inline bool write_value(const rapidjson::Value& value, JsonWriter& writer, int depth = 0) {
  if (depth > kMaxCopyDepth) return false;
  if (value.IsObject()) {
    writer.StartObject();
    for (const auto& member : value.GetObject()) {
      writer.Key(member.name.GetString(), member.name.GetStringLength());
      if (!write_value(member.value, writer, depth + 1)) return false;
    }
    writer.EndObject();
    return true;
  }
  if (value.IsArray()) {
    writer.StartArray();
    for (const auto& element : value.GetArray()) {
      if (!write_value(element, writer, depth + 1)) return false;
    }
    writer.EndArray();
    return true;
  }
  return value.Accept(writer);  // a scalar: no recursion
}

// `value` as compact JSON text; false when it nests too deep.
inline bool to_json_text(const rapidjson::Value& value, std::string* out) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  if (!write_value(value, writer)) return false;
  *out = take(buffer);
  return true;
}

// The member `name`, or nullptr when absent, null, or `object` is not an object.
inline const rapidjson::Value* find(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(
      rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size())));
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

// The string member `name` in *out; false when absent, null or not a string.
inline bool find_string(const rapidjson::Value& object, std::string_view name,
                        std::string_view* out) {
  const rapidjson::Value* value = find(object, name);
  if (value == nullptr || !value->IsString()) return false;
  *out = view(*value);
  return true;
}

inline Failure invalid_request(std::string message, std::string param) {
  Failure failure;
  failure.message = std::move(message);
  failure.param = std::move(param);
  return failure;
}

inline Failure bad_upstream(std::string message) {
  Failure failure;
  failure.status = 502;
  failure.message = std::move(message);
  failure.type = "server_error";
  failure.code = "bad_upstream_response";
  return failure;
}

}  // namespace sluice::providers::cohere
