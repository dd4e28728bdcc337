// JSON schema (OpenAI tool parameters, response_format) to Gemini's Schema, a subset of
// OpenAPI 3.0's schema object that the API refuses to extend: an unknown keyword such as
// additionalProperties fails the whole request, so only the keywords Gemini documents are kept.
// Local references (#/$defs/<name>, #/definitions/<name>) are inlined because Gemini has no
// $ref; a recursive reference ends at the depth limit with a 400.

#include <array>

#include "providers/gemini/literal.h"
#include "providers/gemini/members.h"
#include "providers/gemini/translate.h"
#include "providers/support/json_path.h"

namespace sluice::providers::gemini {
namespace {

using support::JsonPath;

// Deepest schema nesting (after inlining references) accepted.
constexpr int kMaxSchemaDepth = 32;

// Every keyword kept: the first seven are rewritten (enum Keyword names them), the rest copied as
// they are. One table, so that a schema's member is told apart by one scan (a schema writer walks
// every member of every schema in the request).
constexpr std::array<std::string_view, 24> kKeywords = {
    "type",      "properties",       "items",         "anyOf",    "oneOf",
    "const",     "format",           "description",   "title",    "nullable",
    "enum",      "required",         "minItems",      "maxItems", "minLength",
    "maxLength", "minProperties",    "maxProperties", "pattern",  "example",
    "default",   "propertyOrdering", "minimum",       "maximum"};
enum Keyword : size_t { kType, kProperties, kItems, kAnyOf, kOneOf, kConst, kFormat, kFirstCopied };

// The members whose presence changes how others are written, found in one pass.
constexpr std::array<std::string_view, 4> kModifiers = {"$ref", "nullable", "enum", "anyOf"};

// String formats Gemini accepts; others (uri, email, ...) are dropped.
constexpr std::array<std::string_view, 6> kKeptFormats = {"enum",  "date-time", "int32",
                                                          "int64", "float",     "double"};

bool kept_format(std::string_view format) {
  return name_index(kKeptFormats, format) < kKeptFormats.size();
}

class SchemaWriter {
 public:
  SchemaWriter(const rapidjson::Value& root, JsonWriter& writer, Failure* failure)
      : root_(root), writer_(writer), failure_(failure) {}

  bool write(const rapidjson::Value& schema, const JsonPath& path, int depth) {
    if (depth > kMaxSchemaDepth) {
      return fail(path + " nests deeper than " + std::to_string(kMaxSchemaDepth) +
                      " levels (or refers to itself)",
                  path);
    }
    if (!schema.IsObject()) return fail(path + " must be a JSON schema object", path);
    std::array<const rapidjson::Value*, kModifiers.size()> modifiers;
    find_members(schema, kModifiers, &modifiers);
    if (const rapidjson::Value* ref = modifiers[0]) {
      const rapidjson::Value* target = resolve(*ref);
      if (target == nullptr) {
        return fail(path + ".$ref must name a schema under #/$defs or #/definitions", path);
      }
      return write(*target, path, depth + 1);
    }
    const bool has_nullable = modifiers[1] != nullptr;
    const bool has_enum = modifiers[2] != nullptr;
    const bool has_any_of = modifiers[3] != nullptr;
    writer_.StartObject();
    for (const auto& member : schema.GetObject()) {
      const std::string_view key = view(member.name);
      const rapidjson::Value& value = member.value;
      const size_t keyword = name_index(kKeywords, key);
      // The field's path, as text only when a message needs it.
      const JsonPath member_path = path.member(key);
      if (keyword == kType) {
        if (!write_type(value, has_nullable, member_path)) return false;
      } else if (keyword == kProperties) {
        if (!value.IsObject()) return fail(member_path + " must be an object", member_path);
        write_key(writer_, key);
        writer_.StartObject();
        for (const auto& property : value.GetObject()) {
          write_key(writer_, view(property.name));
          if (!write(property.value, member_path.member(view(property.name)), depth + 1)) {
            return false;
          }
        }
        writer_.EndObject();
      } else if (keyword == kItems) {
        write_key(writer_, key);
        if (!write(value, member_path, depth + 1)) return false;
      } else if (keyword == kAnyOf || (keyword == kOneOf && !has_any_of)) {
        // oneOf has no Gemini form; anyOf is the nearest, and what a model needs to choose.
        if (!value.IsArray()) return fail(member_path + " must be an array", member_path);
        write_literal_key<"anyOf">(writer_);
        writer_.StartArray();
        for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
          if (!write(value[i], member_path.index(i), depth + 1)) {
            return false;
          }
        }
        writer_.EndArray();
      } else if (keyword == kConst) {
        // A one-value enum says the same, for the string constants Gemini's enum takes.
        if (!has_enum && value.IsString()) {
          write_literal_key<"enum">(writer_);
          writer_.StartArray();
          write_string(writer_, view(value));
          writer_.EndArray();
        }
      } else if (keyword == kFormat) {
        if (value.IsString() && kept_format(view(value))) {
          write_key(writer_, key);
          write_string(writer_, view(value));
        }
      } else if (keyword >= kFirstCopied && keyword < kKeywords.size()) {
        write_key(writer_, key);
        if (!write_value(value, writer_)) return fail(member_path + " nests too deep", member_path);
      }
      // Any other keyword ($schema, additionalProperties, $defs, strict, ...) is dropped.
    }
    writer_.EndObject();
    return true;
  }

 private:
  // "type": a name as it is; ["<name>", "null"] as the name plus nullable. `path` is the field's.
  bool write_type(const rapidjson::Value& type, bool has_nullable, const JsonPath& path) {
    if (type.IsString()) {
      write_literal_key<"type">(writer_);
      write_string(writer_, view(type));
      return true;
    }
    if (!type.IsArray()) return fail(path + " must be a string or an array", path);
    std::string_view name;
    bool nullable = false;
    for (const auto& entry : type.GetArray()) {
      if (!entry.IsString()) return fail(path + " must list type names", path);
      if (view(entry) == "null") {
        nullable = true;
      } else if (name.empty()) {
        name = view(entry);
      } else {
        return fail(path + " lists more than one type besides null, which Gemini cannot express",
                    path);
      }
    }
    if (name.empty()) return fail(path + " must name a type besides null", path);
    write_literal_key<"type">(writer_);
    write_string(writer_, name);
    if (nullable && !has_nullable) {
      write_literal_key<"nullable">(writer_);
      writer_.Bool(true);
    }
    return true;
  }

  const rapidjson::Value* resolve(const rapidjson::Value& ref) const {
    if (!ref.IsString()) return nullptr;
    std::string_view pointer = view(ref);
    for (std::string_view section : {"$defs", "definitions"}) {
      const std::string prefix = "#/" + std::string(section) + "/";
      if (pointer.starts_with(prefix)) {
        const rapidjson::Value* definitions = find(root_, section);
        if (definitions == nullptr) return nullptr;
        return find(*definitions, pointer.substr(prefix.size()));
      }
    }
    return nullptr;
  }

  bool fail(std::string message, const JsonPath& path) {
    *failure_ = invalid_request(std::move(message), path.text());
    return false;
  }

  const rapidjson::Value& root_;
  JsonWriter& writer_;
  Failure* failure_;
};

}  // namespace

bool write_gemini_schema(const rapidjson::Value& schema, JsonWriter& writer, const JsonPath& path,
                         Failure* failure) {
  SchemaWriter schema_writer(schema, writer, failure);
  return schema_writer.write(schema, path, 0);
}

}  // namespace sluice::providers::gemini
