// Compact serialization and small helpers for detail::JsonNode.

#include "core/config/json_tree.h"

#include "core/observability/log.h"

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
  out.push_back('"');
  log::append_json_escaped(out, text);  // the host's one JSON escaper
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
