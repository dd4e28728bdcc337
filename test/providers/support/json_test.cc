// The JSON helpers every adapter translator parses with: UTF-8 is checked before rapidjson sees
// the text (rapidjson then parses without its own slower check), and a raw NUL byte, which the
// NUL-terminated parse would otherwise stop at, is refused.

#include <gtest/gtest.h>

#include <string>

#include "providers/support/json.h"

namespace sluice::providers::support {
namespace {

TEST(SupportJson, Utf8IsCheckedPastTheAsciiFastPath) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii text, longer than eight bytes"));
  EXPECT_TRUE(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_FALSE(valid_utf8("twelve bytes\xC3"));                          // cut after the fast path
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));                                  // overlong '/'
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));                              // a surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));                          // past U+10FFFF
  EXPECT_FALSE(valid_utf8("abcdefgh\xFF"));
}

TEST(SupportJson, ParsesExactlyTheTextGiven) {
  rapidjson::Document document;
  EXPECT_TRUE(parse_json(R"({"a":"caf\u00e9","b":[1,2]})", &document));
  EXPECT_FALSE(parse_json(std::string("{\"a\":1}\0{}", 10), &document));  // NUL, then more
  EXPECT_FALSE(parse_json(std::string("{\"a\":\"x\0y\"}", 11), &document));
  EXPECT_FALSE(parse_json("{\"a\":\"\xC3\"}", &document));
  EXPECT_FALSE(parse_json("{\"a\":1} trailing", &document));
  EXPECT_FALSE(parse_json("", &document));
  EXPECT_FALSE(parse_json(std::string_view(), &document));  // empty, with no bytes behind it
  // The parsed strings outlive the text they came from, escapes decoded.
  {
    std::string text = R"({"a":"tab\tquote\" caf\u00e9","b":"plain"})";
    ASSERT_TRUE(parse_json(text, &document));
    text.assign(text.size(), 'x');
  }
  EXPECT_EQ(string_member(document, "a"), "tab\tquote\" caf\xC3\xA9");
  EXPECT_EQ(string_member(document, "b"), "plain");
  // Deep nesting parses without recursion, and copying it out stops at the depth limit.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  ASSERT_TRUE(parse_json(deep, &document));
  std::string text;
  EXPECT_FALSE(to_json_text(document, &text));
  // Under a limit the parse recurses, stopping at the limit however deep the text goes.
  EXPECT_FALSE(parse_json(deep, &document, 128));
  const std::string at_limit = std::string(128, '[') + std::string(128, ']');
  EXPECT_TRUE(parse_json(at_limit, &document, 128));
  EXPECT_FALSE(parse_json("[" + at_limit + "]", &document, 128));
  const std::string numbers = "[0." + std::string(2000, '1') + ",-0.25e-3,18446744073709551615]";
  ASSERT_TRUE(parse_json(numbers, &document, 128));
  EXPECT_EQ(document[1].GetDouble(), -0.25e-3);
  EXPECT_EQ(document[2].GetUint64(), 18446744073709551615ULL);
}

// parse_json reads common JSON with the quick reader and the rest with rapidjson: either way the
// document is the one rapidjson's full-precision parse builds, and what rapidjson refuses is
// refused. Compared through the text each document writes.
TEST(SupportJson, TheQuickReaderBuildsWhatRapidjsonBuilds) {
  const char* const texts[] = {
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"n":1,"t":0.7})",
      R"({"a":[1,-2,0,18446744073709551615,-9223372036854775808,123456789012345678901]})",
      R"({"f":[0.1,1e400,-0.0,2.5e-3,1E2,3.141592653589793238462643383279]})",
      R"({"s":"tab\tquote\"slash\/back\\uni\u00e9\ud83d\ude00"} )",
      R"( [true,false,null,{},[],"",{"k":{"k":{"k":[[[]]]}}}] )",
      R"({"dup":1,"dup":2})",
      R"({"a":1} x)",
      R"({"a":01})",
      R"({"a":1,})",
      R"({"a":"raw)"
      "\x01"
      R"("})",
      R"(["unterminated)",
      "",
      "   ",
  };
  for (const char* text : texts) {
    rapidjson::Document expected;
    expected.Parse<rapidjson::kParseFullPrecisionFlag>(text);
    rapidjson::Document actual;
    const bool parsed = parse_json(text, &actual);
    EXPECT_EQ(parsed, !expected.HasParseError()) << text;
    if (!parsed || expected.HasParseError()) continue;
    std::string want;
    std::string got;
    ASSERT_TRUE(to_json_text(expected, &want));
    ASSERT_TRUE(to_json_text(actual, &got));
    EXPECT_EQ(got, want) << text;
  }
}

}  // namespace
}  // namespace sluice::providers::support
