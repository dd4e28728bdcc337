#pragma once
// JSON reading and writing helpers of the Anthropic adapter: a parse that refuses what could hurt
// (nesting deep enough to exhaust the stack when written back, invalid UTF-8, NUL), member lookups
// that tolerate any shape, and the text handling errors need (trimming, bounding, removing a
// secret). Pure functions, safe from any thread.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::providers::anthropic {

using JsonValue = rapidjson::Value;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Deepest nesting of arrays and objects accepted anywhere (tool schemas included): values are
// written back recursively, so depth must be bounded.
inline constexpr size_t kMaxJsonDepth = 128;

// Longest provider text copied into an error message.
inline constexpr size_t kMaxErrorText = 2048;

// Parses `text` into *document: false when it is not JSON, not valid UTF-8, or nested deeper
// than kMaxJsonDepth.
bool parse_json(std::string_view text, rapidjson::Document* document);

// The member `name` of `value` when `value` is an object that has it, else nullptr.
const JsonValue* member(const JsonValue& value, const char* name);
// The member's text when it is a string, else empty (absent, null or another type).
std::string_view string_member(const JsonValue& value, const char* name);

inline std::string_view view(const JsonValue& string) {
  return {string.GetString(), string.GetStringLength()};
}
inline void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}
inline std::string_view buffer_view(const rapidjson::StringBuffer& buffer) {
  return {buffer.GetString(), buffer.GetSize()};
}

std::string_view trim(std::string_view text);
// At most `limit` bytes of `text`, cut before a UTF-8 sequence rather than inside one.
std::string_view bounded(std::string_view text, size_t limit);
// Replaces every occurrence of `secret` (when long enough to tell from ordinary text).
void redact(std::string& text, std::string_view secret);

}  // namespace sluice::providers::anthropic
