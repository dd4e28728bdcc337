// common::append_json_string and write_json_string against a byte-by-byte escaper: the
// run-copying fast path must write exactly what escaping each byte on its own writes.

#include "filters/common/json_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sluice::filters::common {
namespace {

// One byte (or one UTF-8 sequence) at a time, as the escaper did before it copied runs.
std::string escaped_byte_by_byte(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x80) {
      const size_t length = utf8_sequence_length(text, i);
      out += length == 0 ? std::string("\xEF\xBF\xBD") : std::string(text.substr(i, length));
      i += length == 0 ? 1 : length;
      continue;
    }
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  return out + "\"";
}

TEST(JsonText, EveryByteAloneAndInsideARun) {
  for (int b = 0; b < 256; ++b) {
    const std::string byte(1, static_cast<char>(b));
    for (const std::string& text : {byte, "abc" + byte, byte + "xyz", "ab" + byte + "cd"}) {
      std::string out;
      append_json_string(out, text);
      EXPECT_EQ(out, escaped_byte_by_byte(text)) << b;
    }
  }
}

// Texts of every length up to a few blocks, plain or with one byte that needs escaping at each
// place: the test for "nothing to escape" reads them in words, blocks and overlapping halves.
TEST(JsonText, EveryLengthWithOneSpecialByteAnywhere) {
  for (size_t length = 0; length <= 40; ++length) {
    const std::string plain(length, 'a');
    std::string out;
    append_json_string(out, plain);
    EXPECT_EQ(out, "\"" + plain + "\"") << length;
    for (size_t at = 0; at < length; ++at) {
      for (char special : {'"', '\\', '\x00', '\x01', '\x1f', '\x7f', '\x80', '\xff', ' ', '~'}) {
        std::string text = plain;
        text[at] = special;
        out.clear();
        append_json_string(out, text);
        ASSERT_EQ(out, escaped_byte_by_byte(text)) << length << " " << at << " " << int(special);
      }
    }
  }
}

TEST(JsonText, KnownEscapes) {
  std::string out;
  append_json_string(out, std::string_view("a\"b\\c\n\x01\x7f\xc3\xa9\xff", 11));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\xEF\xBF\xBD\"");
}

TEST(JsonText, RandomTextsMatchTheByteByByteEscaper) {
  // Mostly plain text with escapes, valid and broken UTF-8 mixed in, so runs end anywhere.
  static constexpr std::string_view kPieces[] = {"plain text ",
                                                 "\"",
                                                 "\\",
                                                 "\n",
                                                 "\x01",
                                                 "\x7f",
                                                 "\xc3\xa9",
                                                 "\xe2\x82\xac",
                                                 "\xf0\x9f\x98\x80",
                                                 "\xc3",
                                                 "\xff",
                                                 "\xed\xa0\x80",
                                                 "x"};
  std::minstd_rand rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int pieces = static_cast<int>(rng() % 12);
    for (int i = 0; i < pieces; ++i) text += kPieces[rng() % std::size(kPieces)];
    std::string out = "prefix";  // appends, never replaces
    append_json_string(out, text);
    ASSERT_EQ(out, "prefix" + escaped_byte_by_byte(text)) << round;
    // The pointer-writing form (the access log's) writes the same bytes within its bound.
    std::string room(json_string_bound(text.size()), '#');
    const char* end = write_json_string(room.data(), text);
    ASSERT_EQ(std::string_view(room.data(), static_cast<size_t>(end - room.data())),
              escaped_byte_by_byte(text))
        << round;
  }
}

TEST(JsonText, TheBoundHoldsForTheWorstText) {
  // Every byte a control character (six bytes each) or a stray UTF-8 byte (three).
  for (const std::string& text : {std::string(33, '\x01'), std::string(33, '\xff')}) {
    std::string room(json_string_bound(text.size()) + 8, '#');
    const char* end = write_json_string(room.data(), text);
    EXPECT_LE(static_cast<size_t>(end - room.data()), json_string_bound(text.size()));
    EXPECT_EQ(room.substr(json_string_bound(text.size())), std::string(8, '#'));  // nothing past
    std::string appended;
    append_json_string(appended, text);
    EXPECT_EQ(std::string_view(room.data(), static_cast<size_t>(end - room.data())), appended);
  }
}

}  // namespace
}  // namespace sluice::filters::common
