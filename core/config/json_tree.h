#pragma once
// The in-memory JSON document the loader works on between YAML and protobuf: typed values with
// the YAML line each came from, plus compact serialization. Internal to core/config.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::config::detail {

struct JsonNode {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  // kString: the value; kNumber: JSON number text; kBool: "true" or "false".
  std::string text;
  // The scalar as written in YAML (after variable expansion); used to read a number or bool
  // back as a string where the schema wants a string (`min_version: 1.3`).
  std::string source;
  // True when the value came from ${VAR} / os.environ/VAR expansion.
  bool expanded = false;
  // 1-based line; for a mapping value, the line of its key.
  int line = 0;
  std::vector<JsonNode> items;                            // kArray
  std::vector<std::pair<std::string, JsonNode>> members;  // kObject, in file order

  bool is_null() const { return kind == Kind::kNull; }
  // The first member named `name` (or `alt` when not empty); nullptr when absent.
  const JsonNode* find(std::string_view name, std::string_view alt = {}) const;
};

// "a mapping", "a list", "a string", ... for messages.
std::string_view kind_name(JsonNode::Kind kind);

// Appends `text` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

// Compact JSON text of `node`.
std::string to_json(const JsonNode& node);

}  // namespace sluice::config::detail
