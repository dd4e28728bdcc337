// HeaderScanner: its verdicts, and the same verdict whether a section arrives whole (the 8-byte
// fast path) or a byte at a time (the byte path).

#include "core/http/header_scanner.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sluice::http {
namespace {

const char* scan_whole(std::string_view bytes, bool request) {
  HeaderScanner scanner;
  scanner.in_request_line = request;
  return scanner.scan(bytes);
}

const char* scan_bytewise(std::string_view bytes, bool request) {
  HeaderScanner scanner;
  scanner.in_request_line = request;
  for (char c : bytes) {
    if (const char* error = scanner.scan(std::string_view(&c, 1))) return error;
  }
  return nullptr;
}

TEST(HeaderScanner, VerdictsOnKnownSections) {
  const std::string long_value(300, 'v');
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + long_value + "\r\n\r\n", true),
            nullptr);
  EXPECT_STREQ(scan_whole("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", true),
               "bare CR in header section");
  EXPECT_STREQ(scan_whole("GET / HTTP/1.1\r\nHost: abcdefghijk\nX: y\r\n\r\n", true),
               "bare LF in header section");
  EXPECT_STREQ(scan_whole("GET / HTTP/1.1\r\nX: abcdefgh\x01ijklmnop\r\n\r\n", true),
               "control character in header section");
  EXPECT_STREQ(scan_whole("GET / HTTP/1.1\r\nX: abcdefghijklmn\x7Fop\r\n\r\n", true),
               "control character in header section");
  EXPECT_STREQ(scan_whole("GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", true),
               "obsolete line folding in header section");
  EXPECT_STREQ(scan_whole("GET  / HTTP/1.1\r\nX: a\r\n\r\n", true), "malformed request line");
  // Spaces inside a long request line are counted even where the line is skipped 8 bytes at a
  // time; inside a field line spaces and tabs are field content.
  EXPECT_STREQ(scan_whole("GET /abcdefghijklmnopqrstuvwxyz HTTP/1.1 extra\r\n\r\n", true),
               "malformed request line");
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nX-Words: one two  three\tfour five six\r\n\r\n", true),
            nullptr);
  EXPECT_EQ(scan_whole("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n", false),
            nullptr);
  // Bytes 0x80 and above are not control characters (obs-text in values).
  EXPECT_EQ(
      scan_whole("GET / HTTP/1.1\r\nX: caf\xC3\xA9 \xFF\xFE\xFD\xFC\xFB\xFA\xF9\r\n\r\n", true),
      nullptr);
}

TEST(HeaderScanner, WholeAndBytewiseAgreeOnRandomSections) {
  // Mostly plain bytes with every other byte value sprinkled in, so the 8-byte path meets each
  // kind of byte at each position of a word.
  std::mt19937 rng(11);
  const std::string plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/.-";
  for (int round = 0; round < 20000; ++round) {
    std::string text = round % 2 ? "GET /path HTTP/1.1\r\n" : "";
    const size_t size = rng() % 120;
    for (size_t i = 0; i < size; ++i) {
      switch (rng() % 16) {
        case 0:
          text += static_cast<char>(rng() % 256);
          break;
        case 1:
          text += "\r\n";
          break;
        case 2:
          text += ' ';
          break;
        default:
          text += plain[rng() % plain.size()];
      }
    }
    const bool request = round % 2 == 1;
    const char* whole = scan_whole(text, request);
    const char* bytewise = scan_bytewise(text, request);
    ASSERT_EQ(whole == nullptr, bytewise == nullptr) << round;
    if (whole) {
      ASSERT_STREQ(whole, bytewise) << round;
    }
  }
}

}  // namespace
}  // namespace sluice::http
