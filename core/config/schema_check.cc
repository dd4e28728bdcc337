// The descriptor-driven walk of the JSON tree: unknown fields (with "did you mean"), wrong types,
// integer ranges, enum names, oneof conflicts; scalar coercion; canonical path -> line records.

#include "core/config/schema_check.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <map>

#include "core/config/yaml_to_json.h"
#include "sluice/config/v1/options.pb.h"

namespace sluice::config::detail {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::OneofDescriptor;
using Kind = JsonNode::Kind;

// A short, safe rendering of a scalar for messages. Values that came from the environment are
// never echoed: they may be credentials put in the wrong place.
std::string show(const JsonNode& node) {
  if (node.expanded) return "a value from an environment variable";
  switch (node.kind) {
    case Kind::kString: {
      std::string text = node.text.size() > 40 ? node.text.substr(0, 40) + "..." : node.text;
      return "'" + text + "'";
    }
    case Kind::kNumber:
    case Kind::kBool:
      return node.source.empty() ? node.text : node.source;
    default:
      return std::string(kind_name(node.kind));
  }
}

struct IntRange {
  const char* name;
  bool is_signed;
  int64_t min;
  uint64_t max;
};

IntRange range_of(FieldDescriptor::CppType type) {
  switch (type) {
    case FieldDescriptor::CPPTYPE_INT32:
      return {"int32", true, std::numeric_limits<int32_t>::min(),
              uint64_t{std::numeric_limits<int32_t>::max()}};
    case FieldDescriptor::CPPTYPE_INT64:
      return {"int64", true, std::numeric_limits<int64_t>::min(),
              uint64_t{std::numeric_limits<int64_t>::max()}};
    case FieldDescriptor::CPPTYPE_UINT32:
      return {"uint32", false, 0, std::numeric_limits<uint32_t>::max()};
    default:
      return {"uint64", false, 0, std::numeric_limits<uint64_t>::max()};
  }
}

// Parses [-+]?[0-9]+ into sign + magnitude; false when not of that form or beyond 64 bits
// (`overflow` set then).
bool parse_integer(std::string_view text, bool* negative, uint64_t* magnitude, bool* overflow) {
  *overflow = false;
  *negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    *negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *magnitude);
  if (ec == std::errc::result_out_of_range) {
    *overflow = true;
    return false;
  }
  return ec == std::errc() && end == text.data() + text.size();
}

class Walker {
 public:
  Walker(const std::string& file, SchemaReport* report) : file_(file), report_(report) {}

  void message(JsonNode& node, const Descriptor& type, const std::string& path) {
    std::map<const FieldDescriptor*, std::string> seen;       // field -> key as written
    std::map<const OneofDescriptor*, std::string> oneof_set;  // oneof -> key as written
    for (auto& [key, value] : node.members) {
      const std::string written_path = join(path, key);
      const FieldDescriptor* field = type.FindFieldByName(key);
      for (int i = 0; field == nullptr && i < type.field_count(); ++i) {
        if (type.field(i)->json_name() == key) field = type.field(i);
      }
      if (field == nullptr) {
        error(value.line, written_path, unknown_field_message(key, type));
        opaque(value, written_path);
        continue;
      }
      const std::string child = join(path, field->name());
      record(child, value);
      if (child != written_path) record(written_path, value);
      if (auto it = seen.find(field); it != seen.end()) {
        error(value.line, child,
              "field '" + field->name() + "' is given twice (as '" + it->second + "' and '" + key +
                  "')");
        continue;
      }
      seen.emplace(field, key);
      if (value.is_null()) continue;  // the parser treats null as "not set"
      report_->present.insert(child);
      if (const OneofDescriptor* oneof = field->real_containing_oneof()) {
        if (auto it = oneof_set.find(oneof); it != oneof_set.end()) {
          error(value.line, child,
                "'" + it->second + "' and '" + key + "' are both set; only one of " +
                    oneof_fields(*oneof) + " may be given");
          continue;
        }
        oneof_set.emplace(oneof, key);
      }
      field_value(value, *field, child);
    }
  }

  void error(int line, const std::string& path, std::string message) {
    report_->errors.push_back(Diagnostic{file_, line, display_path(path), std::move(message)});
  }

  void record(const std::string& path, const JsonNode& node) {
    report_->lines.emplace_back(display_path(path), node.line);
  }

 private:
  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  static std::string oneof_fields(const OneofDescriptor& oneof) {
    std::string out;
    for (int i = 0; i < oneof.field_count(); ++i) {
      if (i > 0) out += i + 1 == oneof.field_count() ? " or " : ", ";
      out += "'" + oneof.field(i)->name() + "'";
    }
    return out;
  }

  static std::string unknown_field_message(const std::string& key, const Descriptor& type) {
    std::string message = "unknown field '" + key + "'";
    const FieldDescriptor* best = nullptr;
    size_t best_distance = 3;
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor* field = type.field(i);
      const size_t distance =
          std::min(edit_distance(key, field->name()), edit_distance(key, field->json_name()));
      if (distance < best_distance) {
        best_distance = distance;
        best = field;
      }
    }
    if (best != nullptr) return message + "; did you mean '" + best->name() + "'?";
    if (type.field_count() == 0) return message + "; " + type.name() + " takes no fields";
    message += "; allowed fields: ";
    for (int i = 0; i < type.field_count(); ++i) {
      if (i > 0) message += ", ";
      message += type.field(i)->name();
    }
    return message;
  }

  // Records the lines of an opaque (Struct / Value / unknown) subtree.
  void opaque(const JsonNode& node, const std::string& path) {
    record(path, node);
    for (size_t i = 0; i < node.items.size(); ++i) {
      opaque(node.items[i], path + "[" + std::to_string(i) + "]");
    }
    for (const auto& [key, value] : node.members) opaque(value, join(path, key));
  }

  void field_value(JsonNode& node, const FieldDescriptor& field, const std::string& path) {
    if (field.is_map()) {
      if (node.kind != Kind::kObject) {
        error(node.line, path, "expected a mapping, got " + std::string(kind_name(node.kind)));
        return;
      }
      const FieldDescriptor& key_field = *field.message_type()->map_key();
      const FieldDescriptor& value_field = *field.message_type()->map_value();
      for (auto& [key, value] : node.members) {
        const std::string child = join(path, key);
        record(child, value);
        if (key_field.cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
          JsonNode key_node = resolve_plain_scalar(key);
          key_node.line = value.line;
          singular(key_node, key_field, child);
        }
        if (value.is_null()) {
          error(value.line, child, "a map value cannot be empty");
          continue;
        }
        singular(value, value_field, child);
      }
      return;
    }
    if (field.is_repeated()) {
      if (node.kind != Kind::kArray) {
        error(node.line, path,
              "expected a list, got " + std::string(kind_name(node.kind)) +
                  " (write it as a YAML list: '- item')");
        return;
      }
      for (size_t i = 0; i < node.items.size(); ++i) {
        JsonNode& item = node.items[i];
        const std::string child = path + "[" + std::to_string(i) + "]";
        record(child, item);
        if (item.is_null()) {
          error(item.line, child, "a list item cannot be empty");
          continue;
        }
        singular(item, field, child);
      }
      return;
    }
    singular(node, field, path);
  }

  void singular(JsonNode& node, const FieldDescriptor& field, const std::string& path) {
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return message_value(node, *field.message_type(), path);
      case FieldDescriptor::CPPTYPE_STRING:
        return string_value(node, field, path);
      case FieldDescriptor::CPPTYPE_BOOL:
        return bool_value(node, path);
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64:
        return integer_value(node, field.cpp_type(), path);
      case FieldDescriptor::CPPTYPE_FLOAT:
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return float_value(node, path);
      case FieldDescriptor::CPPTYPE_ENUM:
        return enum_value(node, *field.enum_type(), path);
    }
  }

  void message_value(JsonNode& node, const Descriptor& type, const std::string& path) {
    const std::string& name = type.full_name();
    if (name == "google.protobuf.Value") return opaque_children(node, path);
    if (name == "google.protobuf.Struct" || name == "google.protobuf.ListValue") {
      const Kind want = name == "google.protobuf.Struct" ? Kind::kObject : Kind::kArray;
      if (node.kind != want) {
        error(node.line, path,
              "expected " + std::string(kind_name(want)) + ", got " +
                  std::string(kind_name(node.kind)));
        return;
      }
      return opaque_children(node, path);
    }
    if (name.rfind("google.protobuf.", 0) == 0) return opaque_children(node, path);
    if (node.kind != Kind::kObject) {
      error(node.line, path,
            "expected a mapping (" + type.name() + "), got " + std::string(kind_name(node.kind)));
      return;
    }
    message(node, type, path);
  }

  void opaque_children(const JsonNode& node, const std::string& path) {
    for (size_t i = 0; i < node.items.size(); ++i) {
      opaque(node.items[i], path + "[" + std::to_string(i) + "]");
    }
    for (const auto& [key, value] : node.members) opaque(value, join(path, key));
  }

  void string_value(JsonNode& node, const FieldDescriptor& field, const std::string& path) {
    const bool bytes = field.type() == FieldDescriptor::TYPE_BYTES;
    if (!bytes && (node.kind == Kind::kNumber || node.kind == Kind::kBool)) {
      node.kind = Kind::kString;  // `min_version: 1.3` means the string "1.3"
      node.text = node.source;
    }
    if (node.kind != Kind::kString) {
      error(node.line, path, "expected a string, got " + std::string(kind_name(node.kind)));
      return;
    }
    if (is_secret_field(field) && !node.text.empty()) report_->secret_values.push_back(node.text);
  }

  void bool_value(JsonNode& node, const std::string& path) {
    if (node.kind == Kind::kString && (node.text == "true" || node.text == "false")) {
      node.kind = Kind::kBool;
    }
    if (node.kind != Kind::kBool)
      error(node.line, path, "expected true or false, got " + show(node));
  }

  void integer_value(JsonNode& node, FieldDescriptor::CppType type, const std::string& path) {
    const IntRange range = range_of(type);
    if (node.kind != Kind::kNumber && node.kind != Kind::kString) {
      error(node.line, path,
            "expected an integer (" + std::string(range.name) + "), got " +
                std::string(kind_name(node.kind)));
      return;
    }
    bool negative = false;
    bool overflow = false;
    uint64_t magnitude = 0;
    const bool ok = parse_integer(node.text, &negative, &magnitude, &overflow);
    const std::string range_text =
        "(" + std::to_string(range.min) + ".." + std::to_string(range.max) + ")";
    if (!ok && !overflow) {
      error(node.line, path,
            "expected an integer (" + std::string(range.name) + "), got " + show(node));
      return;
    }
    // Largest magnitude a negative value may have: 0 for unsigned types, -min for signed ones.
    const uint64_t negative_limit =
        range.is_signed ? static_cast<uint64_t>(-(range.min + 1)) + 1 : 0;
    const bool in_range = !overflow && magnitude <= (negative ? negative_limit : range.max);
    if (!in_range) {
      error(node.line, path,
            (node.expanded ? std::string("the value") : show(node)) + " is out of range for " +
                range.name + " " + range_text);
      return;
    }
    const std::string canonical =
        (negative && magnitude != 0 ? "-" : "") + std::to_string(magnitude);
    const bool wide =
        type == FieldDescriptor::CPPTYPE_INT64 || type == FieldDescriptor::CPPTYPE_UINT64;
    node.kind = wide ? Kind::kString : Kind::kNumber;  // proto JSON writes 64-bit ints as strings
    node.text = canonical;
  }

  void float_value(JsonNode& node, const std::string& path) {
    if (node.kind == Kind::kNumber) return;
    if (node.kind == Kind::kString) {
      if (node.text == "Infinity" || node.text == "-Infinity" || node.text == "NaN") return;
      JsonNode number = resolve_plain_scalar(node.text);
      if (number.kind == Kind::kNumber) {
        node.kind = Kind::kNumber;
        node.text = number.text;
        return;
      }
    }
    error(node.line, path, "expected a number, got " + show(node));
  }

  void enum_value(JsonNode& node, const EnumDescriptor& type, const std::string& path) {
    if (node.kind == Kind::kString) {
      if (type.FindValueByName(node.text) != nullptr) return;
      bool negative = false;
      bool overflow = false;
      uint64_t magnitude = 0;
      if (parse_integer(node.text, &negative, &magnitude, &overflow)) node.kind = Kind::kNumber;
    }
    if (node.kind == Kind::kNumber) {
      int number = 0;
      const auto [end, ec] =
          std::from_chars(node.text.data(), node.text.data() + node.text.size(), number);
      if (ec == std::errc() && end == node.text.data() + node.text.size() &&
          type.FindValueByNumber(number) != nullptr) {
        node.text = std::to_string(number);
        return;
      }
    }
    std::string message = "unknown " + type.name() + " value " + show(node);
    const google::protobuf::EnumValueDescriptor* best = nullptr;
    size_t best_distance = 3;
    std::string allowed;
    for (int i = 0; i < type.value_count(); ++i) {
      const auto* value = type.value(i);
      if (i > 0) allowed += ", ";
      allowed += value->name();
      if (node.kind != Kind::kString) continue;
      const size_t distance = edit_distance(node.text, value->name());
      if (distance < best_distance) {
        best_distance = distance;
        best = value;
      }
    }
    if (best != nullptr) {
      message += "; did you mean '" + best->name() + "'?";
    } else {
      message += "; allowed: " + allowed;
    }
    error(node.line, path, message);
  }

  const std::string& file_;
  SchemaReport* report_;
};

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_secret_field(const google::protobuf::FieldDescriptor& field) {
  return field.options().GetExtension(sluice::config::v1::secret);
}

SchemaReport check_schema(JsonNode& root, const Descriptor& type, const std::string& file) {
  SchemaReport report;
  Walker walker(file, &report);
  walker.record("", root);
  if (root.kind != Kind::kObject) {
    walker.error(root.line, "",
                 "the config must be a mapping of fields (listeners, chains, ...), got " +
                     std::string(kind_name(root.kind)));
    return report;
  }
  walker.message(root, type, "");
  return report;
}

}  // namespace sluice::config::detail
