#pragma once
// Checks a JsonNode tree against a protobuf message type before protobuf's JSON parser sees it,
// so that every error is reported with its line (the parser stops at the first, without one).
// Also coerces the scalars YAML users write naturally but the parser refuses: numbers for string
// fields (`min_version: 1.3`), numeric strings for integer fields (`port: ${PORT}`), "true" /
// "false" strings for bool fields. Records the line of every value under its canonical path
// (proto field names, e.g. "providers[0].api_key" even when written as apiKey).
// Internal to core/config.

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "core/config/json_tree.h"
#include "core/config/loader.h"

namespace sluice::config::detail {

struct SchemaReport {
  std::vector<Diagnostic> errors;                  // in walk (= file) order
  std::vector<std::pair<std::string, int>> lines;  // canonical path -> 1-based line
  std::set<std::string> present;                   // canonical paths given a non-null value
  std::vector<std::string> secret_values;          // values of (secret) fields, for scrubbing
};

SchemaReport check_schema(JsonNode& root, const google::protobuf::Descriptor& type,
                          const std::string& file);

// Levenshtein distance, for "did you mean".
size_t edit_distance(std::string_view a, std::string_view b);

// True when the field carries the (sluice.config.v1.secret) option.
bool is_secret_field(const google::protobuf::FieldDescriptor& field);

}  // namespace sluice::config::detail
