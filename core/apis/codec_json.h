#pragma once
// JSON plumbing shared by the inbound codecs: a bounded parse, the writer they all build their
// output with, and small readers. Pure functions; a ParsedJson belongs to one thread.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/apis/json_out.h"
#include "providers/support/json.h"

namespace sluice::apis {

using providers::support::JsonValue;
using providers::support::member;
using providers::support::string_member;
using providers::support::view;

// Room a codec reserves beyond the client's text for the OpenAI text it writes from it.
inline constexpr size_t kOutputSlack = 512;

// Deep enough for any real JSON schema, shallow enough for the writer's recursion.
inline constexpr unsigned kMaxJsonDepth = 64;

// One parsed JSON text: the text is UTF-8 checked, then parsed with nesting capped, so hostile
// text can neither exhaust the stack nor bring bad bytes into what the codecs write. The
// document's strings point into this object's own copy of the text (parsed in place: by the
// quick reader for common JSON, else by rapidjson), and its nodes go first into an inline
// block: a stream chunk or a typical request is parsed with one or two trips to the heap.
// Reusable: each parse forgets the one before.
class ParsedJson {
 public:
  ParsedJson() = default;
  ParsedJson(const ParsedJson&) = delete;
  ParsedJson& operator=(const ParsedJson&) = delete;

  // "" when `text` is one JSON value, else why not ("not valid JSON: ... at offset N", "not
  // valid UTF-8 at offset N", "nested deeper than 64 levels"); doc() is then null.
  std::string parse(std::string_view text);
  const rapidjson::Document& doc() const { return *doc_; }

 private:
  void start_document();

  static constexpr size_t kInlineBytes = 4096;
  static constexpr size_t kStackBytes = 1024;
  alignas(8) char inline_block_[kInlineBytes];
  rapidjson::CrtAllocator stack_allocator_;
  rapidjson::MemoryPoolAllocator<> pool_{inline_block_, kInlineBytes};
  std::string text_;  // the parsed copy, which the document's strings point into
  std::optional<rapidjson::Document> doc_{std::in_place, &pool_, kStackBytes, &stack_allocator_};
};

// A client-sent name for an error message, in quotes, cut to at most 64 bytes (at a character
// boundary, marked "...") so that an error never echoes an unbounded piece of the request.
std::string quoted_name(std::string_view name);

// The compact JSON text of a value.
std::string json_text(const JsonValue& value);

// The integer member `name` (a whole number), or `fallback`.
int64_t integer_member(const JsonValue& object, std::string_view name, int64_t fallback);

}  // namespace sluice::apis
