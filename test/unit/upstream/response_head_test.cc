// Tests for ResponseHeadParser: status lines (HTTP/1.x and HTTP/2), fields, 1xx, folding, bounds.

#include "core/upstream/response_head.h"

#include <gtest/gtest.h>

namespace sluice::upstream {
namespace {

using Step = ResponseHeadParser::Step;

TEST(ResponseHead, ParsesStatusAndFields) {
  ResponseHeadParser parser(65536, 200);
  EXPECT_EQ(parser.feed("HTTP/1.1 201 Created\r\n"), Step::more);
  EXPECT_EQ(parser.feed("Content-Type:  application/json \r\n"), Step::more);
  EXPECT_EQ(parser.feed("Set-Cookie: a=1\r\n"), Step::more);
  EXPECT_EQ(parser.feed("set-cookie:b=2\r\n"), Step::more);
  EXPECT_EQ(parser.feed("X-Empty:\r\n"), Step::more);
  EXPECT_EQ(parser.feed("\r\n"), Step::done);
  EXPECT_EQ(parser.status(), 201);
  const http::Headers headers = parser.take_headers();
  ASSERT_EQ(headers.size(), 4u);
  EXPECT_EQ(headers[0].name, "content-type");
  EXPECT_EQ(headers[0].value, "application/json");
  EXPECT_EQ(headers[1].name, "set-cookie");
  EXPECT_EQ(headers[1].value, "a=1");
  EXPECT_EQ(headers[2].name, "set-cookie");
  EXPECT_EQ(headers[2].value, "b=2");
  EXPECT_EQ(headers[3].name, "x-empty");
  EXPECT_EQ(headers[3].value, "");
}

TEST(ResponseHead, AcceptsHttp2AndOtherStatusLines) {
  for (const auto& [line, status] :
       {std::pair{"HTTP/2 200\r\n", 200}, std::pair{"HTTP/1.0 404 Not Found\r\n", 404},
        std::pair{"HTTP/1.1 503\r\n", 503}, std::pair{"HTTP/3 204\n", 204}}) {
    ResponseHeadParser parser(65536, 200);
    EXPECT_EQ(parser.feed(line), Step::more) << line;
    EXPECT_EQ(parser.feed("\r\n"), Step::done) << line;
    EXPECT_EQ(parser.status(), status) << line;
  }
}

TEST(ResponseHead, DiscardsInterimResponses) {
  ResponseHeadParser parser(65536, 200);
  EXPECT_EQ(parser.feed("HTTP/1.1 100 Continue\r\n"), Step::more);
  EXPECT_EQ(parser.feed("\r\n"), Step::interim);
  EXPECT_EQ(parser.feed("HTTP/2 103\r\n"), Step::more);
  EXPECT_EQ(parser.feed("link: </style.css>; rel=preload\r\n"), Step::more);
  EXPECT_EQ(parser.feed("\r\n"), Step::interim);
  EXPECT_EQ(parser.feed("HTTP/2 200\r\n"), Step::more);
  EXPECT_EQ(parser.feed("x-final: 1\r\n"), Step::more);
  EXPECT_EQ(parser.feed("\r\n"), Step::done);
  EXPECT_EQ(parser.status(), 200);
  const http::Headers headers = parser.take_headers();
  ASSERT_EQ(headers.size(), 1u);  // the 103's link header is gone
  EXPECT_EQ(headers[0].name, "x-final");
}

TEST(ResponseHead, JoinsObsoleteLineFolding) {
  ResponseHeadParser parser(65536, 200);
  parser.feed("HTTP/1.1 200 OK\r\n");
  parser.feed("X-Long: first\r\n");
  EXPECT_EQ(parser.feed("   second\r\n"), Step::more);
  EXPECT_EQ(parser.feed("\tthird\r\n"), Step::more);
  EXPECT_EQ(parser.feed("\r\n"), Step::done);
  const http::Headers headers = parser.take_headers();
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].value, "first second third");
}

TEST(ResponseHead, RejectsMalformedLines) {
  for (const char* line : {"HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 099 Low\r\n",
                           "HTTP/1.1 600 High\r\n", "HTTP/1.1200 OK\r\n", "ICY 200 OK\r\n",
                           "HTTP/x 200\r\n", "\r\n", "HTTP/ 200\r\n"}) {
    ResponseHeadParser parser(65536, 200);
    EXPECT_EQ(parser.feed(line), Step::error) << line;
    EXPECT_EQ(parser.error(), "malformed response status line");
  }
  for (const char* line : {"no colon here\r\n", ": empty name\r\n", "Bad Name: x\r\n",
                           "Name : space before colon\r\n"}) {
    ResponseHeadParser parser(65536, 200);
    parser.feed("HTTP/1.1 200 OK\r\n");
    EXPECT_EQ(parser.feed(line), Step::error) << line;
    EXPECT_FALSE(parser.error().empty());
    EXPECT_EQ(parser.feed("\r\n"), Step::error);  // stays failed
  }
  ResponseHeadParser folded_first(65536, 200);
  folded_first.feed("HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(folded_first.feed(" continuation of nothing\r\n"), Step::error);
}

TEST(ResponseHead, BoundsBytesAcrossBlocksAndFieldsPerBlock) {
  ResponseHeadParser bytes(64, 200);
  EXPECT_EQ(bytes.feed("HTTP/1.1 100 Continue\r\n"), Step::more);  // 23
  EXPECT_EQ(bytes.feed("\r\n"), Step::interim);                    // 25
  EXPECT_EQ(bytes.feed("HTTP/1.1 200 OK\r\n"), Step::more);        // 42
  EXPECT_EQ(bytes.feed("x-a: 0123456789\r\n"), Step::more);        // 59
  EXPECT_EQ(bytes.feed("x-b: 01\r\n"), Step::error);               // 68 > 64
  EXPECT_EQ(bytes.error(), "response header block exceeds 64 bytes");

  ResponseHeadParser count(65536, 2);
  count.feed("HTTP/1.1 100 Continue\r\n");
  count.feed("x-1: a\r\n");
  count.feed("x-2: a\r\n");
  EXPECT_EQ(count.feed("\r\n"), Step::interim);  // the count starts again per block
  count.feed("HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(count.feed("x-1: a\r\n"), Step::more);
  EXPECT_EQ(count.feed("x-2: a\r\n"), Step::more);
  EXPECT_EQ(count.feed("x-3: a\r\n"), Step::error);
  EXPECT_EQ(count.error(), "response has more than 2 header fields");
}

}  // namespace
}  // namespace sluice::upstream
