#pragma once
// The shared JSON and text helpers (providers/support) under the names the Mistral translators
// use, with the nesting limit this adapter parses under.

#include <cstddef>
#include <string_view>

#include "providers/support/json.h"
#include "providers/support/text.h"

namespace sluice::providers::mistral {

using support::JsonValue;
using support::JsonWriter;
using support::member;
using support::string_member;
using support::trim;
using support::view;
using support::write_key;
using support::write_string;

// Deepest nesting of arrays and objects accepted anywhere (tool schemas included): values are
// written back recursively by support::write_value, which copies at most kMaxCopyDepth levels, so
// nothing parsed may nest deeper (a deeper value would be cut off halfway through).
inline constexpr size_t kMaxJsonDepth = support::kMaxCopyDepth;

// Longest provider text copied into an error message.
inline constexpr size_t kMaxErrorText = 2048;

// Parses `text` into *document: false when it is not JSON, not valid UTF-8, or nested deeper
// than kMaxJsonDepth.
inline bool parse_json(std::string_view text, rapidjson::Document* document) {
  return support::parse_json(text, document, kMaxJsonDepth);
}

}  // namespace sluice::providers::mistral
