#pragma once
// JSON helpers shared by the outbound adapters' translators: parsing with the checks every
// translator needs (optionally refusing deep nesting), depth-limited copying of a value into a
// writer, and typed member lookup. Pure functions, safe from any thread.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "providers/common/adapter.h"
#include "providers/support/json_writer.h"

namespace sluice::providers::support {

using JsonValue = rapidjson::Value;

// Deepest nesting copied from one document into another (tool arguments, schema defaults):
// rapidjson's own copy recurses, so a hostile document could otherwise exhaust the stack.
inline constexpr int kMaxCopyDepth = 64;

// No nesting limit at parse time: the parse is iterative, so depth alone cannot hurt it.
inline constexpr size_t kAnyDepth = std::numeric_limits<size_t>::max();

// Parses `text` (recursing at most 128 levels; deeper documents are parsed again iteratively),
// refusing invalid UTF-8 and NUL bytes, so every string read out of the document can be written
// back without checks, and arrays and objects nested deeper than `max_depth` (for callers that
// later walk the whole value recursively). Numbers are parsed at full precision so that values
// passed through keep the client's digits. The document's strings point into a copy of `text` kept
// in its own pool (parsed in place), so a value copied into another document must not outlive this
// one. False when it is not JSON or is refused.
bool parse_json(std::string_view text, rapidjson::Document* document, size_t max_depth = kAnyDepth);

// Length of the well-formed UTF-8 sequence starting at text[i] (1 for ASCII), or 0.
size_t utf8_sequence_length(std::string_view text, size_t i);

// The offset of the first byte of `text` that is not part of well-formed UTF-8 (overlongs,
// surrogates and code points past U+10FFFF are not), or npos.
size_t first_invalid_utf8(std::string_view text);

// Whether `text` is well-formed UTF-8.
inline bool valid_utf8(std::string_view text) {
  return first_invalid_utf8(text) == std::string_view::npos;
}

// A rapidjson parse handler: the document's own, refusing to open an array or object deeper
// than `max_depth`, so that neither the parser nor any later recursive walk of the value
// (writing it back) goes deeper.
class DepthLimitedHandler {
 public:
  DepthLimitedHandler(rapidjson::Document& document, size_t max_depth)
      : document_(document), max_depth_(max_depth) {}
  // Whether the parse stopped at the nesting limit.
  bool too_deep() const { return too_deep_; }

  bool Null() { return document_.Null(); }
  bool Bool(bool b) { return document_.Bool(b); }
  bool Int(int i) { return document_.Int(i); }
  bool Uint(unsigned u) { return document_.Uint(u); }
  bool Int64(int64_t i) { return document_.Int64(i); }
  bool Uint64(uint64_t u) { return document_.Uint64(u); }
  bool Double(double d) { return document_.Double(d); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.RawNumber(text, length, copy);
  }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.Key(text, length, copy);
  }
  bool StartObject() { return enter() && document_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return document_.EndObject(members);
  }
  bool StartArray() { return enter() && document_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return document_.EndArray(elements);
  }

 private:
  bool enter() {
    if (++depth_ <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }
  rapidjson::Document& document_;
  size_t max_depth_;
  size_t depth_ = 0;
  bool too_deep_ = false;
};

// Writes `value` to `writer`; false (with the writer left mid-value) when it nests deeper than
// kMaxCopyDepth.
bool write_value(const rapidjson::Value& value, JsonWriter& writer, int depth = 0);

// `value` as compact JSON text; false when it nests too deep.
bool to_json_text(const rapidjson::Value& value, std::string* out);

inline void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}
inline void write_key(JsonWriter& writer, std::string_view key) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

// `text` as a string, or null when it is empty (OpenAI's finish_reason before the last chunk).
inline void write_string_or_null(JsonWriter& writer, std::string_view text) {
  if (text.empty()) {
    writer.Null();
  } else {
    write_string(writer, text);
  }
}

// Opens an OpenAI answer object: {"id","object","created","model" -- the caller writes the rest
// (choices, usage) and closes the object. `object` is "chat.completion" or
// "chat.completion.chunk".
void begin_openai_object(JsonWriter& writer, std::string_view id, std::string_view object,
                         int64_t created, std::string_view model);

inline std::string_view view(const rapidjson::Value& string_value) {
  return {string_value.GetString(), string_value.GetStringLength()};
}

// The member `name` of `value` (the first one, if the name repeats) when `value` is an object
// that has it (null included), else nullptr. Inline, so that a literal name is compared in
// place: translators look up a few names in every object they read. The lengths first: most
// names differ in length, and then no bytes are compared.
inline const JsonValue* member(const JsonValue& value, std::string_view name) {
  if (!value.IsObject()) return nullptr;
  for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
    if (it->name.GetStringLength() == name.size() &&
        std::memcmp(it->name.GetString(), name.data(), name.size()) == 0) {
      return &it->value;
    }
  }
  return nullptr;
}
// The member's text when it is a string, else empty (absent, null or another type).
inline std::string_view string_member(const JsonValue& value, std::string_view name) {
  const JsonValue* found = member(value, name);
  return found != nullptr && found->IsString() ? view(*found) : std::string_view();
}

// The member `name` of `object`, or nullptr when `object` is not an object, lacks the member,
// or the member is null (OpenAI clients send null for "not set").
const rapidjson::Value* find(const rapidjson::Value& object, std::string_view name);

// The string member `name` in *out; false when it is absent, null or not a string.
bool find_string(const rapidjson::Value& object, std::string_view name, std::string_view* out);

// Bytes to reserve for a body translated from a `source_size`-byte one: room for the usual
// growth, so that the buffer is not copied again and again as it grows.
inline size_t translated_capacity(size_t source_size) {
  return source_size + source_size / 2 + 256;
}

// The writer's text as a std::string.
inline std::string take(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}
// The writer's text, valid while the buffer is unchanged.
inline std::string_view buffer_view(const rapidjson::StringBuffer& buffer) {
  return {buffer.GetString(), buffer.GetSize()};
}

// A member given as a string or an integer, as text ("code": 429 and "code": "429" both occur
// in providers' errors); empty when absent or anything else.
std::string scalar_text(const JsonValue& object, const char* name);

// A failure with `status` and OpenAI's error type for it, with the provider's code and param.
Failure status_failure(int status, std::string message, std::string code = {},
                       std::string param = {});

// A 400 for the client's request naming `param`.
Failure invalid_request(std::string message, std::string param);

// A 502 for a provider answer that cannot be translated.
Failure bad_upstream(std::string message);

}  // namespace sluice::providers::support
