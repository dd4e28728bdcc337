// Provider text made safe for a client: every copy of the secret removed, cut on a character
// boundary, invalid UTF-8 replaced.

#include <gtest/gtest.h>

#include "providers/support/text.h"

namespace sluice::providers::support {
namespace {

TEST(SupportText, RemovesEveryCopyOfTheSecret) {
  EXPECT_EQ(clean_text("k=sk-12345 and sk-12345sk-12345", "sk-12345", 100),
            "k=[redacted] and [redacted][redacted]");
  EXPECT_EQ(clean_text("abc", "abc", 100), "abc");  // too short to be told from text
  EXPECT_EQ(clean_text("no secret", "", 100), "no secret");
}

TEST(SupportText, CutsOnACharacterBoundaryAndRepairsUtf8) {
  EXPECT_EQ(clean_text("caf\xC3\xA9", "", 4), "caf");  // é would pass the limit
  EXPECT_EQ(clean_text("a\xFF"
                       "b",
                       "", 100),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(clean_text("x\xC3", "", 100), "x\xEF\xBF\xBD");
}

TEST(SupportText, ErrorTypesByStatus) {
  EXPECT_EQ(openai_error_type(401), "authentication_error");
  EXPECT_EQ(openai_error_type(403), "permission_error");
  EXPECT_EQ(openai_error_type(429), "rate_limit_error");
  EXPECT_EQ(openai_error_type(503), "server_error");
  EXPECT_EQ(openai_error_type(404), "invalid_request_error");
  EXPECT_EQ(trim(" \r\n x y \t"), "x y");
}

TEST(SupportText, EqualIgnoringTheCaseOfAsciiLettersOnly) {
  EXPECT_TRUE(equals_ignoring_ascii_case("ThrottlingException", "throttlingexception"));
  EXPECT_TRUE(equals_ignoring_ascii_case("MAX_TOKENS", "max_tokens"));
  EXPECT_TRUE(equals_ignoring_ascii_case("", ""));
  EXPECT_FALSE(equals_ignoring_ascii_case("stop", "stops"));
  EXPECT_FALSE(equals_ignoring_ascii_case("a_b", "a-b"));
  EXPECT_FALSE(equals_ignoring_ascii_case("@", "`"));        // 0x40 and 0x60 are not letters
  EXPECT_FALSE(equals_ignoring_ascii_case("\xC9", "\xE9"));  // É and é in Latin-1: not ASCII
}

}  // namespace
}  // namespace sluice::providers::support
