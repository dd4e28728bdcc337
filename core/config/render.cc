// render_json / render_yaml: the effective configuration, secrets masked.

#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/json_tree.h"
#include "core/config/loader.h"
#include "core/config/masking.h"
#include "core/config/yaml_to_json.h"

namespace sluice::config {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Strings that YAML would read back as something else (a number, bool or null), or that the
// loader would expand, are double-quoted.
void emit_string(YAML::Emitter& out, const std::string& text) {
  const bool ambiguous =
      detail::resolve_plain_scalar(text).kind != detail::JsonNode::Kind::kString ||
      text == "Infinity" || text == "-Infinity" || text == "NaN" ||
      text.find("${") != std::string::npos || text.rfind("os.environ/", 0) == 0;
  if (ambiguous) out << YAML::DoubleQuoted;
  out << text;
}

void emit_double(YAML::Emitter& out, double value) {
  if (std::isnan(value)) {
    out << ".nan";
  } else if (std::isinf(value)) {
    out << (value > 0 ? ".inf" : "-.inf");
  } else {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out << std::string(buffer, result.ptr);
  }
}

void emit_value(YAML::Emitter& out, const google::protobuf::Value& value);

void emit_struct(YAML::Emitter& out, const google::protobuf::Struct& object) {
  // Struct is a map: print keys in sorted order so the output is stable.
  std::vector<const std::string*> keys;
  for (const auto& [key, unused] : object.fields()) keys.push_back(&key);
  std::sort(keys.begin(), keys.end(), [](const auto* a, const auto* b) { return *a < *b; });
  if (keys.empty()) out << YAML::Flow;
  out << YAML::BeginMap;
  for (const std::string* key : keys) {
    out << YAML::Key;
    emit_string(out, *key);
    out << YAML::Value;
    emit_value(out, object.fields().at(*key));
  }
  out << YAML::EndMap;
}

void emit_value(YAML::Emitter& out, const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNumberValue:
      return emit_double(out, value.number_value());
    case google::protobuf::Value::kStringValue:
      return emit_string(out, value.string_value());
    case google::protobuf::Value::kBoolValue:
      out << value.bool_value();
      return;
    case google::protobuf::Value::kStructValue:
      return emit_struct(out, value.struct_value());
    case google::protobuf::Value::kListValue:
      out << YAML::BeginSeq;
      for (const auto& item : value.list_value().values()) emit_value(out, item);
      out << YAML::EndSeq;
      return;
    default:
      out << YAML::Null;
  }
}

void emit_message(YAML::Emitter& out, const Message& message);

void emit_field_value(YAML::Emitter& out, const Message& message, const FieldDescriptor& field,
                      int index) {
  const Reflection& r = *message.GetReflection();
  const bool repeated = index >= 0;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return emit_message(out, repeated ? r.GetRepeatedMessage(message, &field, index)
                                        : r.GetMessage(message, &field));
    case FieldDescriptor::CPPTYPE_STRING:
      return emit_string(out, repeated ? r.GetRepeatedString(message, &field, index)
                                       : r.GetString(message, &field));
    case FieldDescriptor::CPPTYPE_BOOL:
      out << (repeated ? r.GetRepeatedBool(message, &field, index) : r.GetBool(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_INT32:
      out << (repeated ? r.GetRepeatedInt32(message, &field, index) : r.GetInt32(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      out << (repeated ? r.GetRepeatedInt64(message, &field, index) : r.GetInt64(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      out << (repeated ? r.GetRepeatedUInt32(message, &field, index)
                       : r.GetUInt32(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      out << (repeated ? r.GetRepeatedUInt64(message, &field, index)
                       : r.GetUInt64(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_FLOAT:
      return emit_double(
          out, repeated ? r.GetRepeatedFloat(message, &field, index) : r.GetFloat(message, &field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return emit_double(out, repeated ? r.GetRepeatedDouble(message, &field, index)
                                       : r.GetDouble(message, &field));
    case FieldDescriptor::CPPTYPE_ENUM:
      out << (repeated ? r.GetRepeatedEnum(message, &field, index) : r.GetEnum(message, &field))
                 ->name();
      return;
  }
}

// Fields in declaration order, as MessageToJsonString with always_print_primitive_fields prints
// them: every scalar and list, messages and oneof members only when set.
void emit_message(YAML::Emitter& out, const Message& message) {
  if (const auto* value = dynamic_cast<const google::protobuf::Value*>(&message)) {
    return emit_value(out, *value);
  }
  if (const auto* object = dynamic_cast<const google::protobuf::Struct*>(&message)) {
    return emit_struct(out, *object);
  }
  const Reflection& r = *message.GetReflection();
  const auto* descriptor = message.GetDescriptor();
  if (descriptor->field_count() == 0) out << YAML::Flow;  // `memory: {}`
  out << YAML::BeginMap;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor& field = *descriptor->field(i);
    if (field.is_repeated()) {
      out << YAML::Key << field.name() << YAML::Value;
      const int size = r.FieldSize(message, &field);
      if (size == 0) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (int j = 0; j < size; ++j) emit_field_value(out, message, field, j);
      out << YAML::EndSeq;
      continue;
    }
    const bool optional_kind = field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ||
                               field.real_containing_oneof() != nullptr;
    if (optional_kind && !r.HasField(message, &field)) continue;
    out << YAML::Key << field.name() << YAML::Value;
    emit_field_value(out, message, field, -1);
  }
  out << YAML::EndMap;
}

}  // namespace

std::string render_json(const LoadedConfig& config) {
  sluice::config::v1::Bootstrap masked = config.bootstrap;
  detail::mask_secrets(&masked);
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(masked, &out, options);
  if (!status.ok()) return "{}\n";  // cannot happen for a message the parser produced
  // The printer escapes '<' and '>' (as \u003c, \u003e); show the mask as people expect it.
  static constexpr std::string_view kEscapedMask = "\\u003credacted\\u003e";
  for (size_t at = out.find(kEscapedMask); at != std::string::npos;
       at = out.find(kEscapedMask, at)) {
    out.replace(at, kEscapedMask.size(), detail::kRedacted);
  }
  out.push_back('\n');
  return out;
}

std::string render_yaml(const LoadedConfig& config) {
  sluice::config::v1::Bootstrap masked = config.bootstrap;
  detail::mask_secrets(&masked);
  YAML::Emitter out;
  out.SetIndent(2);
  emit_message(out, masked);
  std::string text = out.c_str();
  text.push_back('\n');
  if (config.litellm.translated) {
    // What the Bootstrap cannot hold goes in comments, so the output still loads as a sluice file.
    std::string header = "# Translated from the LiteLLM config " + config.file + "\n";
    if (!config.litellm.master_key.empty()) {
      header += "# general_settings.master_key: " + std::string(detail::kRedacted) +
                " (kept for an auth filter; not enforced yet)\n";
    }
    text.insert(0, header);
  }
  return text;
}

}  // namespace sluice::config
