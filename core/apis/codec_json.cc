// The codecs' bounded parse: the text's UTF-8 checked first, then the quick reader for common
// JSON, or rapidjson's reader feeding the document through the adapters' depth-limiting handler
// (providers/support/json.h).

#include "core/apis/codec_json.h"

#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "providers/support/common_json_reader.h"

namespace sluice::apis {
void ParsedJson::start_document() {
  doc_.reset();
  pool_.Clear();
  doc_.emplace(&pool_, kStackBytes, &stack_allocator_);
}

std::string ParsedJson::parse(std::string_view text) {
  start_document();
  if (const size_t bad = providers::support::first_invalid_utf8(text);
      bad != std::string_view::npos) {
    return "not valid UTF-8 at offset " + std::to_string(bad);
  }
  text_.assign(text);  // NUL-terminated; a NUL inside ends the stream early, refused below
  size_t end = 0;
  // The quick reader first; whatever it does not take (errors included) rapidjson reads from
  // the start again, so that the document and the error are always rapidjson's.
  bool read = false;
  auto read_quickly = [&](rapidjson::Document& document) {
    read = providers::support::read_common_json(text_.data(), text_.size(), kMaxJsonDepth, document,
                                                &end);
    return read;
  };
  doc_->Populate(read_quickly);
  if (!read) {
    start_document();
    text_.assign(text);  // the quick reader may have unescaped part of it in place
    rapidjson::InsituStringStream stream(text_.data());
    // The recursive parser (faster than the iterative one) is safe here: the handler refuses
    // the level past kMaxJsonDepth before the parser recurses into it.
    constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseStopWhenDoneFlag;
    providers::support::DepthLimitedHandler handler(*doc_, kMaxJsonDepth);
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
    end = stream.Tell();
  }
  // The parse ends after the value: only whitespace may follow it.
  for (size_t i = end; i < text.size(); ++i) {
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
  std::string text;
  JsonOut writer(&text);
  value.Accept(writer);
  return writer.take();
}

int64_t integer_member(const JsonValue& object, std::string_view name, int64_t fallback) {
  const JsonValue* value = member(object, name);
  return value && value->IsInt64() ? value->GetInt64() : fallback;
}

}  // namespace sluice::apis
