#pragma once
// The shared JSON and text helpers (providers/support) under the names the Anthropic translators
// use, with the nesting limit this adapter parses under.

#include <cstddef>
#include <string_view>

#include "providers/support/json.h"
#include "providers/support/local_document.h"
#include "providers/support/text.h"

namespace sluice::providers::anthropic {

using support::bounded;
using support::buffer_view;
using support::JsonValue;
using support::JsonWriter;
using support::member;
using support::redact;
using support::string_member;
using support::trim;
using support::view;
using support::write_string;

// Deepest nesting of arrays and objects accepted anywhere (tool schemas included): values are
// written back recursively, so depth must be bounded.
inline constexpr size_t kMaxJsonDepth = 128;

// Longest provider text copied into an error message.
inline constexpr size_t kMaxErrorText = 2048;

// Parses `text` into *document: false when it is not JSON, not valid UTF-8, or nested deeper
// than kMaxJsonDepth.
inline bool parse_json(std::string_view text, rapidjson::Document* document) {
  return support::parse_json(text, document, kMaxJsonDepth);
}

}  // namespace sluice::providers::anthropic
