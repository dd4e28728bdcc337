// The translators' JSON writer escapes strings in runs: its text must be byte for byte what
// rapidjson's own writer makes of the same calls.

#include <gtest/gtest.h>

#include <string>

#include "providers/support/json.h"

namespace sluice::providers::support {
namespace {

using RapidjsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

template <typename Writer>
std::string written_string(std::string_view text) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// What rapidjson writes for `text`, except that rapidjson 1.1.0's SSE2 scan of long strings lets
// the control characters 0x1A-0x1F through raw (which is not JSON): its byte-by-byte path, and
// this writer, write them as \u001A-\u001F.
std::string rapidjson_escaping(std::string_view text) {
  std::string expected = written_string<RapidjsonWriter>(text);
  std::string fixed;
  for (const char c : expected) {
    if (c >= 0x1A && c < 0x20) {
      fixed += "\\u001";
      fixed += "ABCDEF"[c - 0x1A];
    } else {
      fixed += c;
    }
  }
  return fixed;
}

TEST(SupportJsonWriter, EscapesEveryByteAsRapidjsonDoes) {
  for (int byte = 0; byte < 256; ++byte) {
    // The byte alone, and inside and after runs long enough for the eight-byte path.
    const std::string one(1, static_cast<char>(byte));
    for (const std::string& text : {one, "abcdefghij" + one + "klmnopqrstuvwx",
                                    std::string(16, 'a') + one, one + std::string(9, 'z')}) {
      EXPECT_EQ(written_string<JsonWriter>(text), rapidjson_escaping(text)) << "byte " << byte;
    }
  }
  EXPECT_EQ(
      written_string<JsonWriter>("tab\there \"quoted\" back\\slash caf\xC3\xA9\n"),
      R"({"tab\there \"quoted\" back\\slash café\n":"tab\there \"quoted\" back\\slash café\n"})");
}

TEST(SupportJsonWriter, CopiesADocumentAsRapidjsonDoes) {
  rapidjson::Document document;
  ASSERT_TRUE(parse_json(
      R"({"a":"x\u0001y","b":[1,-2,3.25,true,false,null,"long enough to take the fast path \"q\""],"c":{}})",
      &document));
  rapidjson::StringBuffer ours;
  JsonWriter writer(ours);
  ASSERT_TRUE(write_value(document, writer));
  rapidjson::StringBuffer theirs;
  RapidjsonWriter reference(theirs);
  document.Accept(reference);
  EXPECT_EQ(buffer_view(ours), buffer_view(theirs));
}

TEST(SupportJsonWriter, WritesARawValueInPlace) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  writer.Int(1);
  writer.RawValue(R"({"k":[2]})", 9, rapidjson::kObjectType);
  writer.String("end");
  writer.EndArray();
  EXPECT_EQ(buffer_view(buffer), R"([1,{"k":[2]},"end"])");
}

}  // namespace
}  // namespace sluice::providers::support
