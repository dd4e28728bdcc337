// The codecs' bounded parse: rapidjson's iterative reader feeding the document through a handler
// that refuses to go deeper than kMaxJsonDepth, with UTF-8 validation on.

#include "core/apis/codec_json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
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

std::string parse_bounded_json(std::string_view text, rapidjson::Document* doc) {
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseStopWhenDoneFlag;
  rapidjson::MemoryStream bytes(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(bytes);
  DepthCappedHandler handler(*doc);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  // Populate hands the finished value to the document (and leaves it null on failure).
  auto generate = [&](rapidjson::Document&) {
    result = reader.Parse<kFlags>(stream, handler);
    return !result.IsError();
  };
  doc->Populate(generate);
  if (handler.too_deep()) {
    doc->SetNull();
    return "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  }
  if (result.IsError()) {
    doc->SetNull();
    return std::string("not valid JSON: ") + rapidjson::GetParseError_En(result.Code()) +
           " at offset " + std::to_string(result.Offset());
  }
  // kParseStopWhenDoneFlag ends the parse after the value: only whitespace may follow it (a NUL
  // byte included, which the stream would otherwise take for the end).
  for (size_t i = stream.Tell(); i < text.size(); ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      doc->SetNull();
      return "not valid JSON: text after the value at offset " + std::to_string(i);
    }
  }
  return "";
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
