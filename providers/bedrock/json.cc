// Bounded JSON parsing and small rapidjson conveniences.

#include "providers/bedrock/json.h"

#include <algorithm>

namespace sluice::bedrock {
namespace {

// The deepest nesting of objects and arrays in `text`, counted outside strings.
int nesting_depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

bool parse_json(std::string_view text, rapidjson::Document* doc) {
  if (nesting_depth(text) > kMaxJsonDepth) return false;
  // The depth is bounded above (the scan tokenises strings as the parser does, so it sees every
  // bracket the parser would recurse on), so rapidjson's recursive parser, faster than its
  // iterative one, cannot exhaust the stack.
  doc->Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  return !doc->HasParseError();
}

const Value* member(const Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  const auto found = object.FindMember(
      Value(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  return found == object.MemberEnd() ? nullptr : &found->value;
}

std::string_view view(const Value& string) {
  return {string.GetString(), string.GetStringLength()};
}

void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_key(JsonWriter& writer, std::string_view key) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

std::string to_json(const Value& value) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::string_view error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

providers::Failure make_failure(int status, std::string message, std::string code,
                                std::string param) {
  providers::Failure failure;
  failure.status = status;
  failure.message = std::move(message);
  failure.type = std::string(error_type(status));
  failure.code = std::move(code);
  failure.param = std::move(param);
  return failure;
}

}  // namespace sluice::bedrock
