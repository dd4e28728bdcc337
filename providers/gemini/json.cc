// JSON helpers shared by the Gemini adapter's translators.

#include "providers/gemini/json.h"

namespace sluice::providers::gemini {

bool parse_json(std::string_view text, rapidjson::Document* document) {
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  document->Parse<kFlags>(text.data(), text.size());
  return !document->HasParseError();
}

bool write_value(const rapidjson::Value& value, JsonWriter& writer, int depth) {
  if (depth > kMaxCopyDepth) return false;
  switch (value.GetType()) {
    case rapidjson::kObjectType:
      writer.StartObject();
      for (const auto& member : value.GetObject()) {
        writer.Key(member.name.GetString(), member.name.GetStringLength());
        if (!write_value(member.value, writer, depth + 1)) return false;
      }
      writer.EndObject();
      return true;
    case rapidjson::kArrayType:
      writer.StartArray();
      for (const auto& element : value.GetArray()) {
        if (!write_value(element, writer, depth + 1)) return false;
      }
      writer.EndArray();
      return true;
    default:
      return value.Accept(writer);  // a scalar: no recursion
  }
}

bool to_json_text(const rapidjson::Value& value, std::string* out) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  if (!write_value(value, writer)) return false;
  *out = take(buffer);
  return true;
}

const rapidjson::Value* find(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(
      rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size())));
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

bool find_string(const rapidjson::Value& object, std::string_view name, std::string_view* out) {
  const rapidjson::Value* value = find(object, name);
  if (value == nullptr || !value->IsString()) return false;
  *out = view(*value);
  return true;
}

Failure invalid_request(std::string message, std::string param) {
  Failure failure;
  failure.status = 400;
  failure.message = std::move(message);
  failure.param = std::move(param);
  return failure;
}

Failure bad_upstream(std::string message) {
  Failure failure;
  failure.status = 502;
  failure.message = std::move(message);
  failure.type = "server_error";
  failure.code = "bad_upstream_response";
  return failure;
}

}  // namespace sluice::providers::gemini
