// The codecs' bounded parse: the text's UTF-8 checked first, then rapidjson's iterative reader
// feeding the document through a handler that refuses to go deeper than kMaxJsonDepth.

#include "core/apis/codec_json.h"

#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace sluice::apis {
namespace {

class DepthCappedHandler {
 public:
  explicit DepthCappedHandler(rapidjson::Document& doc) : doc_(doc) {}
  bool too_deep() const { return too_deep_; }

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

 private:
  bool enter() {
    if (++depth_ <= kMaxJsonDepth) return true;
    too_deep_ = true;
    return false;
  }
  rapidjson::Document& doc_;
  unsigned depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

namespace {

// The offset of the first byte of `text` that is not part of well-formed UTF-8, or npos. Runs of
// ASCII (most JSON) are passed 8 bytes at a time.
size_t first_invalid_utf8(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
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
    const uint8_t lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint8_t low = 0x80, high = 0xBF;  // the second byte's range (RFC 3629, table 3-7)
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
      return i;
    }
    if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

}  // namespace

std::string ParsedJson::parse(std::string_view text) {
  doc_.reset();
  pool_.Clear();
  doc_.emplace(&pool_, kStackBytes, &stack_allocator_);
  if (const size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    return "not valid UTF-8 at offset " + std::to_string(bad);
  }
  text_.assign(text);  // NUL-terminated; a NUL inside ends the stream early, refused below
  rapidjson::InsituStringStream stream(text_.data());
  // The recursive parser (faster than the iterative one) is safe here: the handler refuses the
  // level past kMaxJsonDepth before the parser recurses into it.
  constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseStopWhenDoneFlag;
  DepthCappedHandler handler(*doc_);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  // Populate hands the finished value to the document (and leaves it null on failure).
  auto generate = [&](rapidjson::Document&) {
    result = reader.Parse<kFlags>(stream, handler);
    return !result.IsError();
  };
  doc_->Populate(generate);
  if (handler.too_deep()) {
    doc_->SetNull();
    return "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  }
  if (result.IsError()) {
    doc_->SetNull();
    return std::string("not valid JSON: ") + rapidjson::GetParseError_En(result.Code()) +
           " at offset " + std::to_string(result.Offset());
  }
  // kParseStopWhenDoneFlag ends the parse after the value: only whitespace may follow it.
  for (size_t i = stream.Tell(); i < text.size(); ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      doc_->SetNull();
      return "not valid JSON: text after the value at offset " + std::to_string(i);
    }
  }
  return "";
}

std::string quoted_name(std::string_view name) {
  constexpr size_t kMaxEchoed = 64;
  if (name.size() <= kMaxEchoed) return "'" + std::string(name) + "'";
  size_t cut = kMaxEchoed;
  while (cut > 0 && (static_cast<uint8_t>(name[cut]) & 0xC0) == 0x80) --cut;  // mid-character
  return "'" + std::string(name.substr(0, cut)) + "...'";
}

std::string json_text(const JsonValue& value) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

const JsonValue* member(const JsonValue& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(
      JsonValue(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string_view string_member(const JsonValue& object, std::string_view name) {
  const JsonValue* value = member(object, name);
  return value && value->IsString() ? view_of(*value) : std::string_view();
}

int64_t integer_member(const JsonValue& object, std::string_view name, int64_t fallback) {
  const JsonValue* value = member(object, name);
  return value && value->IsInt64() ? value->GetInt64() : fallback;
}

}  // namespace sluice::apis
