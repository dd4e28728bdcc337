// Compact serialization and small helpers for detail::JsonNode.

#include "core/config/json_tree.h"

namespace sluice::config::detail {

const JsonNode* JsonNode::find(std::string_view name, std::string_view alt) const {
  if (kind != Kind::kObject) return nullptr;
  for (const auto& [key, value] : members) {
    if (key == name || (!alt.empty() && key == alt)) return &value;
  }
  return nullptr;
}

std::string_view kind_name(JsonNode::Kind kind) {
  switch (kind) {
    case JsonNode::Kind::kNull:
      return "null";
    case JsonNode::Kind::kBool:
      return "a boolean";
    case JsonNode::Kind::kNumber:
      return "a number";
    case JsonNode::Kind::kString:
      return "a string";
    case JsonNode::Kind::kArray:
      return "a list";
    case JsonNode::Kind::kObject:
      return "a mapping";
  }
  return "a value";
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

namespace {

void append_json(std::string& out, const JsonNode& node) {
  switch (node.kind) {
    case JsonNode::Kind::kNull:
      out += "null";
      return;
    case JsonNode::Kind::kBool:
    case JsonNode::Kind::kNumber:
      out += node.text;
      return;
    case JsonNode::Kind::kString:
      append_json_string(out, node.text);
      return;
    case JsonNode::Kind::kArray: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : node.items) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, item);
      }
      out.push_back(']');
      return;
    }
    case JsonNode::Kind::kObject: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : node.members) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, key);
        out.push_back(':');
        append_json(out, value);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string to_json(const JsonNode& node) {
  std::string out;
  append_json(out, node);
  return out;
}

}  // namespace sluice::config::detail
