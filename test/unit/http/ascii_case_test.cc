// ascii_case.h: ASCII-only lower-casing, eight bytes at a time, against the byte-at-a-time rule.

#include "core/http/ascii_case.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::http {
namespace {

TEST(AsciiCase, EveryByteAtEveryPositionIsLoweredAsTheByteRuleSays) {
  // Lengths shorter than, equal to and past one and two words; the rest of the text holds
  // upper-case letters, so a word that carries or masks wrongly changes a neighbour too.
  for (size_t size = 1; size <= 19; ++size) {
    for (size_t at = 0; at < size; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(size, 'Q');
        text[at] = static_cast<char>(byte);
        std::string expected = text;
        for (char& c : expected) c = lower_ascii(c);
        std::string lowered = text;
        lower_ascii_in_place(lowered.data(), lowered.size());
        ASSERT_EQ(lowered, expected) << "size " << size << " at " << at << " byte " << byte;
        ASSERT_EQ(lower_ascii(text), expected);
      }
    }
  }
}

TEST(AsciiCase, OnlyAsciiLettersChange) {
  EXPECT_EQ(lower_ascii("Content-Type"), "content-type");
  EXPECT_EQ(lower_ascii("X-AMZ-Date: @[`{"), "x-amz-date: @[`{");
  EXPECT_EQ(lower_ascii("CAF\xC3\x89 \xC0\xDA"), "caf\xC3\x89 \xC0\xDA");  // bytes past 0x7F stay
  EXPECT_EQ(lower_ascii(""), "");
}

}  // namespace
}  // namespace sluice::http
