#pragma once
// The shared JSON helpers (providers/support/json.h) under the names the Bedrock adapter's files
// use, with the nesting limit this adapter parses under, and its failure constructor.

#include <string>
#include <string_view>

#include "providers/common/adapter.h"
#include "providers/support/json.h"
#include "providers/support/local_document.h"

namespace sluice::bedrock {

namespace support = providers::support;
using rapidjson::Value;
using support::JsonWriter;
using support::member;
using support::status_failure;
using support::view;
using support::write_key;
using support::write_string;

// Deeper documents are refused: tool schemas and arguments never need more, and parsed values
// are written back out recursively.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` into *doc. False when it is not JSON (or not valid UTF-8) or nests deeper than
// kMaxJsonDepth.
inline bool parse_json(std::string_view text, rapidjson::Document* doc) {
  return support::parse_json(text, doc, kMaxJsonDepth);
}

// A parsed value as compact JSON text (bounded in depth by the parse), written with `capacity`
// bytes reserved.
inline std::string to_json(const Value& value,
                           size_t capacity = rapidjson::StringBuffer::kDefaultCapacity) {
  rapidjson::StringBuffer buffer(nullptr, capacity);
  JsonWriter writer(buffer);
  value.Accept(writer);
  return support::take(buffer);
}

// Writes `quoted`, a constant key or string that needs no escape given with its quotes
// (R"("role")"), as it is: the writer would otherwise scan it for escapes byte by byte, and a
// translation writes dozens of them.
inline void write_literal(JsonWriter& writer, std::string_view quoted) {
  writer.RawValue(quoted.data(), quoted.size(), rapidjson::kStringType);
}

}  // namespace sluice::bedrock
