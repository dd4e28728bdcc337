// JSON helpers shared by the outbound adapters' translators.

#include "providers/support/json.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "providers/support/common_json_reader.h"
#include "providers/support/text.h"

namespace sluice::providers::support {
namespace {

// The deepest limit under which a parse may recurse: a few hundred bytes of stack per level.
constexpr size_t kMaxRecursiveParseDepth = 128;

// The parser's stack kept on the thread's stack (a larger one goes on in heap chunks).
constexpr size_t kParserStackBytes = 1024;

// A NUL-terminated copy of `text` in the document's own pool. Parsed in place, its strings then
// stay where they are instead of being copied twice (through the parser's stack into the pool),
// and it lives exactly as long as the values that point into it.
char* copy_into_pool(std::string_view text, rapidjson::Document* document) {
  auto* copy = static_cast<char*>(document->GetAllocator().Malloc(text.size() + 1));
  if (!text.empty()) std::memcpy(copy, text.data(), text.size());  // an empty view may be null
  copy[text.size()] = '\0';
  return copy;
}

// Parses `text` (NUL-terminated, decoded in place) into *document: recursively when `max_depth`
// bounds the recursion, else iteratively. *too_deep tells whether it stopped at the limit.
// JSON's whitespace only, from `text` to its end.
bool only_whitespace(const char* text, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

// The quick reader over the NUL-terminated `text` (its bytes are decoded in place): true when it
// took the whole text as one value followed by whitespace only, and the document holds it.
bool read_quickly(char* text, size_t length, size_t max_depth, rapidjson::Document* document) {
  bool read = false;
  auto read_all = [&](rapidjson::Document& into) {
    size_t end = 0;
    read = read_common_json(text, length, static_cast<unsigned>(max_depth), into, &end,
                            /*full_precision=*/true) &&
           only_whitespace(text + end, length - end);
    return read;
  };
  document->Populate(read_all);
  return read;
}

bool parse_in_place(char* text, size_t max_depth, rapidjson::Document* document, bool* too_deep) {
  bool parsed = false;
  auto parse = [&](rapidjson::Document& into) {
    DepthLimitedHandler handler(into, max_depth);
    rapidjson::InsituStringStream stream(text);
    // The parser's own stack (states, and the digits of full-precision numbers) starts on this
    // thread's stack too.
    alignas(std::max_align_t) char stack_bytes[kParserStackBytes];
    rapidjson::MemoryPoolAllocator<> stack_pool(stack_bytes, sizeof stack_bytes);
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>
        reader(&stack_pool, kParserStackBytes / 4);
    constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseFullPrecisionFlag;
    parsed =
        max_depth <= kMaxRecursiveParseDepth
            ? !reader.Parse<kFlags>(stream, handler).IsError()
            : !reader.Parse<kFlags | rapidjson::kParseIterativeFlag>(stream, handler).IsError();
    *too_deep = handler.too_deep();
    return parsed;
  };
  document->Populate(parse);
  return parsed;
}

}  // namespace

size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

size_t first_invalid_utf8(std::string_view text) {
  size_t i = 0;
#if defined(__SSE2__)
  // Most JSON is ASCII: sixteen bytes at a time up to the first block with a high bit set.
  while (i + 16 <= text.size() && _mm_movemask_epi8(_mm_loadu_si128(
                                      reinterpret_cast<const __m128i*>(text.data() + i))) == 0) {
    i += 16;
  }
#endif
  while (i < text.size()) {
    // Then eight bytes at a time wherever the text is ASCII again.
    if (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

bool parse_json(std::string_view text, rapidjson::Document* document, size_t max_depth) {
  // Checked once here rather than by rapidjson's validating string parser (byte by byte, and
  // the main cost of a translation). A raw NUL is never JSON, so the NUL-terminated copy parses
  // exactly `text`, on rapidjson's SSE2 path (which it does not take for a text given with its
  // length).
  if (!valid_utf8(text) || text.find('\0') != std::string_view::npos) return false;
  // Parsed first by the faster recursive parser, at most kMaxRecursiveParseDepth levels deep (the
  // depth handler refuses to open the next level before the parser descends into it); a document
  // that goes deeper and may, is parsed again by the iterative parser, from a second copy since
  // the first was decoded in place.
  const size_t recursive_depth = std::min(max_depth, kMaxRecursiveParseDepth);
  // Most documents are common JSON, which the quick reader takes (common_json_reader.h) much
  // faster; it gives up on anything else, and rapidjson then parses a fresh copy, so that the
  // document and every refusal are rapidjson's.
  if (read_quickly(copy_into_pool(text, document), text.size(), recursive_depth, document)) {
    return true;
  }
  bool too_deep = false;
  if (parse_in_place(copy_into_pool(text, document), recursive_depth, document, &too_deep)) {
    return true;
  }
  if (!too_deep || max_depth <= kMaxRecursiveParseDepth) return false;
  return parse_in_place(copy_into_pool(text, document), max_depth, document, &too_deep);
}

bool write_value(const rapidjson::Value& value, JsonWriter& writer, int depth) {
  if (depth > kMaxCopyDepth) return false;
  switch (value.GetType()) {
    case rapidjson::kObjectType:
      writer.StartObject();
      for (const auto& member : value.GetObject()) {
        writer.Key(member.name.GetString(), member.name.GetStringLength());
        if (!write_value(member.value, writer, depth + 1)) return false;
      }
      writer.EndObject();
      return true;
    case rapidjson::kArrayType:
      writer.StartArray();
      for (const auto& element : value.GetArray()) {
        if (!write_value(element, writer, depth + 1)) return false;
      }
      writer.EndArray();
      return true;
    default:
      return value.Accept(writer);  // a scalar: no recursion
  }
}

bool to_json_text(const rapidjson::Value& value, std::string* out) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  if (!write_value(value, writer)) return false;
  *out = take(buffer);
  return true;
}

void begin_openai_object(JsonWriter& writer, std::string_view id, std::string_view object,
                         int64_t created, std::string_view model) {
  writer.StartObject();
  write_key(writer, "id");
  write_string(writer, id);
  write_key(writer, "object");
  write_string(writer, object);
  write_key(writer, "created");
  writer.Int64(created);
  write_key(writer, "model");
  write_string(writer, model);
}

const rapidjson::Value* find(const rapidjson::Value& object, std::string_view name) {
  const JsonValue* value = member(object, name);
  return value != nullptr && !value->IsNull() ? value : nullptr;
}

bool find_string(const rapidjson::Value& object, std::string_view name, std::string_view* out) {
  const rapidjson::Value* value = find(object, name);
  if (value == nullptr || !value->IsString()) return false;
  *out = view(*value);
  return true;
}

Failure invalid_request(std::string message, std::string param) {
  Failure failure;
  failure.status = 400;
  failure.message = std::move(message);
  failure.param = std::move(param);
  return failure;
}

Failure bad_upstream(std::string message) {
  Failure failure;
  failure.status = 502;
  failure.message = std::move(message);
  failure.type = "server_error";
  failure.code = "bad_upstream_response";
  return failure;
}

std::string scalar_text(const JsonValue& object, const char* name) {
  const JsonValue* value = member(object, name);
  if (!value) return "";
  if (value->IsString()) return std::string(view(*value));
  if (value->IsInt64()) return std::to_string(value->GetInt64());
  return "";
}

Failure status_failure(int status, std::string message, std::string code, std::string param) {
  Failure failure;
  failure.status = status;
  failure.message = std::move(message);
  failure.type = std::string(openai_error_type(status));
  failure.code = std::move(code);
  failure.param = std::move(param);
  return failure;
}

}  // namespace sluice::providers::support
