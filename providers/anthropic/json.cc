// JSON helpers of the Anthropic adapter (see json.h).

#include "providers/anthropic/json.h"

#include <cstring>

namespace sluice::providers::anthropic {
namespace {

// The parse's handler: the document's own, refusing to open an array or object deeper than
// kMaxJsonDepth, so that neither the recursive parser nor any later recursive walk (writing the
// value back) goes deeper.
class DepthLimitedHandler {
 public:
  explicit DepthLimitedHandler(rapidjson::Document& document) : document_(document) {}

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
  bool StartObject() { return ++depth_ <= kMaxJsonDepth && document_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return document_.EndObject(members);
  }
  bool StartArray() { return ++depth_ <= kMaxJsonDepth && document_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return document_.EndArray(elements);
  }

 private:
  rapidjson::Document& document_;
  size_t depth_ = 0;
};

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
// ASCII runs, most of any JSON text, are skipped eight bytes at a time: cheaper than the
// parser's own per-character validation.
bool valid_utf8(std::string_view text) {
  const auto byte = [&text](size_t i) { return static_cast<unsigned char>(text[i]); };
  size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the second byte's range
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return false;
    for (size_t k = 2; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

bool parse_json(std::string_view text, rapidjson::Document* document) {
  // NUL is never valid in JSON text, and the parse below reads a C string.
  if (text.find('\0') != std::string_view::npos || !valid_utf8(text)) return false;
  // A NUL-terminated copy lets rapidjson scan strings 16 bytes at a time (SSE2), which it does
  // not for a text given with its length. Full precision: numbers passed through (temperature
  // 0.7, schema bounds) are written back as the client wrote them.
  const std::string terminated(text);
  bool parsed = false;
  auto parse = [&](rapidjson::Document& into) {
    DepthLimitedHandler handler(into);
    rapidjson::StringStream stream(terminated.c_str());
    rapidjson::Reader reader;
    parsed = !reader.Parse<rapidjson::kParseFullPrecisionFlag>(stream, handler).IsError();
    return parsed;
  };
  document->Populate(parse);
  return parsed;
}

const JsonValue* member(const JsonValue& value, const char* name) {
  if (!value.IsObject()) return nullptr;
  auto it = value.FindMember(name);
  return it == value.MemberEnd() ? nullptr : &it->value;
}

std::string_view string_member(const JsonValue& value, const char* name) {
  const JsonValue* found = member(value, name);
  return found && found->IsString() ? view(*found) : std::string_view();
}

std::string_view trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string_view bounded(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  // Back up over continuation bytes to the start of the sequence that would be cut.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

void redact(std::string& text, std::string_view secret) {
  if (secret.size() < 4) return;  // too short to tell from ordinary text
  constexpr std::string_view kMark = "[redacted]";
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), kMark);
    at += kMark.size();
  }
}

}  // namespace sluice::providers::anthropic
