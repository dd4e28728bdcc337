// ParsedJson reads common JSON with its own quick reader and leaves the rest to rapidjson; either
// way the document and the error must be exactly rapidjson's. Each text here is parsed by
// ParsedJson and by rapidjson's own in-place parse, and the two compared: the outcome, the error
// text, every value's type flags and the text the document writes back.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/apis/codec_json.h"

namespace sluice::apis {
namespace {

// The value's types, recursively: "o{k:u,i,I,U,d,s,...}" in document order.
std::string shape(const rapidjson::Value& value) {
  std::string out;
  if (value.IsObject()) {
    out += "{";
    for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
      out += std::string(it->name.GetString(), it->name.GetStringLength()) + ":";
      out += shape(it->value) + ",";
    }
    return out + "}";
  }
  if (value.IsArray()) {
    out += "[";
    for (const auto& element : value.GetArray()) out += shape(element) + ",";
    return out + "]";
  }
  out += value.IsNull() ? "n" : value.IsBool() ? "b" : value.IsString() ? "s" : "";
  if (value.IsNumber()) {
    out += value.IsInt() ? "i" : "";
    out += value.IsUint() ? "u" : "";
    out += value.IsInt64() ? "I" : "";
    out += value.IsUint64() ? "U" : "";
    out += value.IsDouble() ? "d" : "";
  }
  if (value.IsString()) {
    // In place, as rapidjson leaves them: NUL-terminated.
    out += value.GetString()[value.GetStringLength()] == '\0' ? "0" : "!";
  }
  return out;
}

std::string written(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

// What the codecs' parse was before the quick reader: rapidjson in place, stopping after the
// value, then whitespace only.
void expect_as_rapidjson(const std::string& text) {
  SCOPED_TRACE(text);
  ParsedJson parsed;
  const std::string problem = parsed.parse(text);

  std::string copy = text;
  rapidjson::Document reference;
  rapidjson::InsituStringStream stream(copy.data());
  reference.ParseStream<rapidjson::kParseInsituFlag | rapidjson::kParseStopWhenDoneFlag>(stream);
  if (reference.HasParseError()) {
    EXPECT_EQ(problem, std::string("not valid JSON: ") +
                           rapidjson::GetParseError_En(reference.GetParseError()) + " at offset " +
                           std::to_string(reference.GetErrorOffset()));
    return;
  }
  if (text.find_first_not_of(" \t\n\r", stream.Tell()) != std::string::npos) {
    EXPECT_NE(problem.find("text after the value"), std::string::npos) << problem;
    return;
  }
  ASSERT_EQ(problem, "");
  EXPECT_EQ(shape(parsed.doc()), shape(reference));
  EXPECT_EQ(written(parsed.doc()), written(reference));
}

TEST(ParsedJson, ReadsLikeRapidjson) {
  const std::vector<std::string> texts = {
      "{}",
      "[]",
      " {\"a\" : [ 1 , 2 ] } ",
      "\t\n\r[\n]\r\n",
      "null",
      "true",
      "false",
      "\"\"",
      "0",
      "-0",
      "7",
      "-7",
      "\"x\"",
      "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":16})",
      R"({"a":"one\"two\\three\/four\bfive\fsix\nseven\reight\tnine"})",
      R"(["\\", "\"", "a\\", "\\a", "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", "long text with no escapes at all, longer than sixteen"])",
      R"(["\u00e9", "\u0041\u0042", "x\ud83d\ude00y", "\ud83d", "\u12", "\x"])",
      R"({"dup":1,"dup":2})",
      R"({"a":1,})",
      "[1,]",
      "[1 2]",
      "{\"a\" 1}",
      "{a:1}",
      "[01]",
      "[-]",
      "[--1]",
      "[+1]",
      "[1.]",
      "[.5]",
      "[1e]",
      "[tru]",
      "[nul]",
      "[falsey]",
      "[truex]",
      "",
      "   ",
      "[",
      "{",
      "\"abc",
      "{\"a\":",
      "[1,",
      "\"\\",
      "[\"a\nb\"]",
      "[\"a\tb\"]",
      "{} x",
      "[] ]",
      "{}{}",
      // Numbers at every boundary of rapidjson's types.
      "[2147483647,2147483648,-2147483648,-2147483649,4294967295,4294967296]",
      "[9223372036854775807,9223372036854775808,-9223372036854775808,-9223372036854775809]",
      "[18446744073709551615,18446744073709551616,99999999999999999999]",
      "[999999999999999999,1000000000000000000,-999999999999999999,-1000000000000000000]",
      "[0.5,-0.0,1e5,1E-5,1.5e+300,2e308,-1e-400,123456789012345678901234567890,0.1e1]",
      "[1.7976931348623157e308,4.9e-324,3.141592653589793238462643383279]",
  };
  for (const std::string& text : texts) expect_as_rapidjson(text);
}

TEST(ParsedJson, NestingAtAndPastTheLimit) {
  for (unsigned depth : {kMaxJsonDepth - 1, kMaxJsonDepth, kMaxJsonDepth + 1}) {
    const std::string arrays = std::string(depth, '[') + std::string(depth, ']');
    ParsedJson parsed;
    const std::string problem = parsed.parse(arrays);
    if (depth <= kMaxJsonDepth) {
      EXPECT_EQ(problem, "");
      expect_as_rapidjson(arrays);
    } else {
      EXPECT_EQ(problem, "nested deeper than 64 levels");
    }
    std::string objects;
    for (unsigned i = 0; i < depth; ++i) objects += "{\"k\":";
    objects += "1" + std::string(depth, '}');
    EXPECT_EQ(parsed.parse(objects).empty(), depth <= kMaxJsonDepth);
  }
}

TEST(ParsedJson, RandomTextsMadeOfJsonPieces) {
  const std::string pieces[] = {
      "{", "}", "[",   "]",  ",", ":",    "\"",   "\\",     "\\n",   "\\u0041", "a",
      "0", "-", "1.5", "e3", " ", "true", "null", "\"k\":", "\"v\"", "[1,2]",   "{\"a\":\"b\"}",
      "é", "\t"};
  std::mt19937 random(11);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t count = random() % 16;
    for (size_t i = 0; i < count; ++i) text += pieces[random() % std::size(pieces)];
    expect_as_rapidjson(text);
  }
}

TEST(ParsedJson, ReusedForOneTextAfterAnother) {
  ParsedJson parsed;
  EXPECT_EQ(parsed.parse(R"({"a":"x\ny"})"), "");
  EXPECT_NE(parsed.parse(R"({"a":"x\ny")"), "");
  EXPECT_TRUE(parsed.doc().IsNull());
  ASSERT_EQ(parsed.parse(R"({"b":[1,"z"]})"), "");
  EXPECT_EQ(written(parsed.doc()), R"({"b":[1,"z"]})");
}

}  // namespace
}  // namespace sluice::apis
