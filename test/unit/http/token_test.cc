// token.h: header-name tokens and the CR/LF/NUL check every header a filter sets goes through.

#include "core/http/token.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::http {
namespace {

TEST(Token, NamesAreRfc9110Tokens) {
  EXPECT_TRUE(is_token("content-type"));
  EXPECT_TRUE(is_token("X-Custom_Header.1!#$%&'*+^`|~"));
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("bad name"));
  EXPECT_FALSE(is_token("colon:"));
  EXPECT_FALSE(is_token("caf\xC3\xA9"));
}

TEST(Token, CrLfOrNulFoundWhereverItIs) {
  // Every byte value at every position of values shorter than, equal to and longer than the
  // eight bytes checked at a time, against the plain definition.
  for (size_t size = 1; size <= 19; ++size) {
    for (size_t at = 0; at < size; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string value(size, 'a');
        value[at] = static_cast<char>(byte);
        const bool expected = byte == '\r' || byte == '\n' || byte == 0;
        ASSERT_EQ(has_cr_lf_or_nul(value), expected)
            << "size " << size << " at " << at << " byte " << byte;
      }
    }
  }
  EXPECT_FALSE(has_cr_lf_or_nul(""));
  EXPECT_FALSE(has_cr_lf_or_nul("Bearer sk-0123456789abcdef\t\x7F\xFF"));
}

}  // namespace
}  // namespace sluice::http
