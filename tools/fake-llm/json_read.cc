// Strict JSON parsing and small accessors over rapidjson.

#include "tools/fake-llm/json_read.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "providers/support/json_writer.h"

namespace fake_llm {

bool parse_json(std::string_view body, rapidjson::Document* doc) {
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  doc->Parse<kFlags>(body.data(), body.size());
  return !doc->HasParseError();
}

std::string_view json_type_name(const rapidjson::Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return value.IsInt64() || value.IsUint64() ? "integer" : "number";
  }
  return "value";
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string json_object_or_empty(std::string_view json) {
  rapidjson::Document doc;
  if (!parse_json(json, &doc) || !doc.IsObject()) return "{}";
  return to_json(doc);
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  // Not rapidjson's Writer, which writes bytes 0x1A-0x1F raw in long strings (json_writer.h).
  sluice::providers::support::JsonWriter writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace fake_llm
