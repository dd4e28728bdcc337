// Strict response parsing for the native client (response_parser.h), fed whole and byte by byte.

#include "core/upstream/response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sluice::upstream {
namespace {

struct Parsed {
  bool headers = false;
  int header_steps = 0;
  int status = 0;
  http::Headers fields;
  std::string body;
  bool complete = false;
  bool keep_alive = false;
  size_t leftover = 0;  // bytes after the response
  std::string error;
};

// Feeds `wire` in pieces of `piece` bytes (0: all at once), like a connection would, then EOF
// when `eof` holds.
Parsed parse(const std::string& wire, size_t piece = 0, bool head = false, bool eof = false,
             ResponseParser::Limits limits = {}) {
  ResponseParser parser(limits);
  parser.start(head);
  Parsed out;
  const auto take = [&](const ResponseParser::Step& step) {
    if (step.error) out.error = parser.error();
    if (step.headers) {
      ++out.header_steps;
      out.headers = true;
      out.status = parser.status();
      out.fields = parser.take_headers();
    }
    out.body.append(step.body);
    if (step.complete) {
      out.complete = true;
      out.keep_alive = parser.keep_alive();
    }
    return step.error || step.complete;
  };
  size_t at = 0;
  std::string buffer;  // each piece read into it, and overwritten after: as a connection would
  while (at < wire.size()) {
    const size_t n = piece == 0 ? wire.size() - at : std::min(piece, wire.size() - at);
    buffer.assign(wire, at, n);
    std::string_view rest(buffer);
    at += n;
    while (true) {
      const ResponseParser::Step step = parser.feed(rest);
      rest.remove_prefix(step.consumed);
      if (take(step)) {
        out.leftover = rest.size() + (wire.size() - at);
        return out;
      }
      if (!step.headers && step.body.empty() && rest.empty()) break;
    }
    buffer.assign(buffer.size(), 'X');
  }
  if (eof) take(parser.finish());
  return out;
}

const std::string* field(const Parsed& parsed, std::string_view name) {
  return http::find_header(parsed.fields, name);
}

TEST(NativeResponseParser, ContentLengthAndHeaders) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Pad:  v  \r\nContent-Length: 5\r\n\r\n"
      "hello";
  for (const size_t piece : {size_t{0}, size_t{1}, size_t{7}}) {
    const Parsed p = parse(wire, piece);
    EXPECT_EQ(p.error, "") << piece;
    EXPECT_EQ(p.status, 200);
    EXPECT_EQ(p.header_steps, 1);
    ASSERT_NE(field(p, "content-type"), nullptr);
    EXPECT_EQ(*field(p, "content-type"), "text/plain");
    ASSERT_NE(field(p, "x-pad"), nullptr);
    EXPECT_EQ(*field(p, "x-pad"), "v");
    EXPECT_EQ(p.body, "hello");
    EXPECT_TRUE(p.complete);
    EXPECT_TRUE(p.keep_alive);
  }
}

TEST(NativeResponseParser, HeaderNamesAreLowerCasedLetterByLetter) {
  // Names of every length around the eight-byte steps, with the token characters next to the
  // letters in ASCII ('^', '_', '`', '|', '~') and digits, which must stay as they are.
  const std::vector<std::pair<std::string, std::string>> names = {
      {"A", "a"},
      {"Ab-Z", "ab-z"},
      {"X-Abc-D", "x-abc-d"},
      {"Content-", "content-"},
      {"X-Az^_`|~", "x-az^_`|~"},
      {"Content-Type", "content-type"},
      {"X-ABCDEFGHIJKLMNOP", "x-abcdefghijklmnop"},
      {"QRSTUVWXYZ-0123456789-abcdefghijklmnopqrstuvwxyz",
       "qrstuvwxyz-0123456789-abcdefghijklmnopqrstuvwxyz"},
      {"Already-lower-case", "already-lower-case"},
  };
  std::string wire = "HTTP/1.1 200 OK\r\n";
  for (const auto& [name, lowered] : names) wire += name + ": v\r\n";
  wire += "Content-Length: 0\r\n\r\n";
  for (const size_t piece : {size_t{0}, size_t{3}}) {
    const Parsed p = parse(wire, piece);
    EXPECT_EQ(p.error, "") << piece;
    ASSERT_EQ(p.fields.size(), names.size() + 1) << piece;
    for (size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(p.fields[i].name, names[i].second) << piece;
      EXPECT_EQ(p.fields[i].value, "v");
    }
  }
}

TEST(NativeResponseParser, ChunkedDecodedTrailersDropped) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (const size_t piece : {size_t{0}, size_t{1}, size_t{3}}) {
    const Parsed p = parse(wire, piece);
    EXPECT_EQ(p.error, "") << piece;
    EXPECT_EQ(p.body, "hello world!");
    EXPECT_TRUE(p.complete);
    EXPECT_TRUE(p.keep_alive);
    EXPECT_EQ(field(p, "x-trailer"), nullptr);
  }
}

TEST(NativeResponseParser, ReadUntilCloseNeedsEof) {
  const std::string wire = "HTTP/1.1 200 OK\r\n\r\nall of it";
  Parsed p = parse(wire);
  EXPECT_FALSE(p.complete);
  EXPECT_EQ(p.body, "all of it");
  p = parse(wire, 4, false, true);
  EXPECT_TRUE(p.complete) << p.error;
  EXPECT_FALSE(p.keep_alive);
  EXPECT_EQ(p.body, "all of it");
  // Headers, then EOF straight away: an empty body.
  p = parse("HTTP/1.1 200 OK\r\n\r\n", 0, false, true);
  EXPECT_TRUE(p.complete) << p.error;
  EXPECT_EQ(p.body, "");
}

TEST(NativeResponseParser, EofInsideLengthDelimitedBodyIsError) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, false, true);
  EXPECT_FALSE(p.complete);
  EXPECT_EQ(p.body, "abc");
  EXPECT_EQ(p.error, "the connection closed before the response ended");
}

TEST(NativeResponseParser, NoBodyForHead204And304) {
  Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", 0, true);
  EXPECT_TRUE(p.complete) << p.error;
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(p.body, "");
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    p = parse(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 3\r\n\r\nabc");
    EXPECT_TRUE(p.complete) << status << p.error;
    EXPECT_EQ(p.body, "");
    EXPECT_EQ(p.leftover, 3u);  // not part of the response
  }
}

TEST(NativeResponseParser, InterimResponsesDropped) {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
  for (const size_t piece : {size_t{0}, size_t{1}}) {
    const Parsed p = parse(wire, piece);
    EXPECT_EQ(p.error, "");
    EXPECT_EQ(p.header_steps, 1);
    EXPECT_EQ(p.status, 201);
    EXPECT_EQ(field(p, "link"), nullptr);
    EXPECT_EQ(p.body, "ok");
    EXPECT_TRUE(p.complete);
  }
}

TEST(NativeResponseParser, ConnectionCloseAndHttp10AreNotKeptAlive) {
  Parsed p = parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(p.complete);
  EXPECT_FALSE(p.keep_alive);
  p = parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(p.complete);
  EXPECT_FALSE(p.keep_alive);
}

TEST(NativeResponseParser, SwitchingProtocolsIsError) {
  const Parsed p =
      parse("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\n");
  EXPECT_FALSE(p.headers);
  EXPECT_EQ(p.error, "the upstream switched protocols (101)");
}

TEST(NativeResponseParser, MalformedResponsesFail) {
  const std::string cases[] = {
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: one\r\n  folded\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
      "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\x01\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 999 What\r\nContent-Length: 0\r\n\r\n",
      "HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n",
      "garbage\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n",
  };
  for (const std::string& wire : cases) {
    for (const size_t piece : {size_t{0}, size_t{1}}) {
      const Parsed p = parse(wire, piece, false, true);
      EXPECT_FALSE(p.complete) << wire;
      EXPECT_FALSE(p.error.empty()) << wire;
    }
  }
}

TEST(NativeResponseParser, FramingAndByteRefusals) {
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string cases[] = {
      // chunk framing
      chunked + "5;a=\x01\r\nhello\r\n0\r\n\r\n",
      chunked + "5;" + std::string(5000, 'e') + "\r\nhello\r\n0\r\n\r\n",
      chunked + "11111111111111111\r\nx\r\n0\r\n\r\n",
      chunked + "5 \r\nhello\r\n0\r\n\r\n",
      chunked + "\r\nhello\r\n0\r\n\r\n",
      chunked + "5\r\nhelloX\r\n0\r\n\r\n",
      chunked + "0\r\nBad Trailer: x\r\n\r\n",
      chunked + "0\r\nX-T: a\r\n b\r\n\r\n",
      chunked + "0\r\nX-T: a\x7f\r\n\r\n",
      // Transfer-Encoding and Content-Length
      "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,,chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nab",
      // a tab in a framing field (llhttp frames such a body otherwise)
      "HTTP/1.1 200 OK\r\nContent-Length: 2\t\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n",
      // chunk extensions as llhttp's strict mode takes them
      chunked + "5;\r\nhello\r\n0\r\n\r\n",
      chunked + "5;=v\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=b;c\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=\"b\\\"c\"\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=\"b\r\nhello\r\n0\r\n\r\n",
      // status line and fields
      "HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n",
      "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 0200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A : v\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: v\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A v\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\x7f"
      "b\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-Long-Value: abcdefghijklmnopqrstuvwxyz\x02\r\nContent-Length: "
      "0\r\n\r\n",
  };
  for (const std::string& wire : cases) {
    for (const size_t piece : {size_t{0}, size_t{1}}) {
      const Parsed p = parse(wire, piece, false, true);
      EXPECT_FALSE(p.complete) << wire << " piece " << piece;
      EXPECT_FALSE(p.error.empty()) << wire << " piece " << piece;
    }
  }
}

TEST(NativeResponseParser, AcceptedForms) {
  for (const size_t piece : {size_t{0}, size_t{1}}) {
    // No reason phrase, obs-text and a tab in a value, upper-case hex, an extension.
    Parsed p = parse(
        "HTTP/1.1 200\r\nX-A: caf\xc3\xa9\tau lait\r\nTransfer-Encoding: chunked\r\n\r\n"
        "A;name=\"v\"\r\n0123456789\r\n0\r\n\r\n",
        piece);
    ASSERT_TRUE(p.complete) << piece << p.error;
    EXPECT_EQ(p.status, 200);
    ASSERT_NE(field(p, "x-a"), nullptr);
    EXPECT_EQ(*field(p, "x-a"), "caf\xc3\xa9\tau lait");
    EXPECT_EQ(p.body, "0123456789");
    EXPECT_TRUE(p.keep_alive);
    // A Transfer-Encoding that does not end in chunked: the body runs to the connection's end.
    p = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw bytes", piece, false, true);
    ASSERT_TRUE(p.complete) << piece << p.error;
    EXPECT_EQ(p.body, "raw bytes");
    EXPECT_FALSE(p.keep_alive);
    // HTTP/1.0 asking to stay open.
    p = parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx", piece);
    ASSERT_TRUE(p.complete) << piece << p.error;
    EXPECT_TRUE(p.keep_alive);
    // A tab in Connection, which readers take differently: taken, the connection not reused.
    p = parse("HTTP/1.1 200 OK\r\nConnection: keep-alive\t\r\nContent-Length: 1\r\n\r\nx", piece);
    ASSERT_TRUE(p.complete) << piece << p.error;
    EXPECT_FALSE(p.keep_alive);
    // Extensions: several, quoted values with spaces and obs-text, a token value last.
    p = parse(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2;a;b=\"x y\xc3\xa9\";c=d\r\nok\r\n0;e\r\n\r\n",
        piece);
    ASSERT_TRUE(p.complete) << piece << p.error;
    EXPECT_EQ(p.body, "ok");
  }
}

TEST(NativeResponseParser, TrailerSectionIsBounded) {
  ResponseParser::Limits limits;
  limits.max_header_bytes = 100;
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n";
  const Parsed small =
      parse(head + "X-T: " + std::string(50, 't') + "\r\n\r\n", 0, false, false, limits);
  EXPECT_TRUE(small.complete) << small.error;
  for (const size_t piece : {size_t{0}, size_t{7}}) {
    const Parsed big =
        parse(head + "X-T: " + std::string(200, 't') + "\r\n\r\n", piece, false, false, limits);
    EXPECT_FALSE(big.complete);
    EXPECT_EQ(big.error, "response header block exceeds 100 bytes") << piece;
  }
}

TEST(NativeResponseParser, BareLfInChunkFramingFails) {
  const Parsed p =
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", 0, false, true);
  EXPECT_FALSE(p.complete);
  EXPECT_FALSE(p.error.empty());
}

TEST(NativeResponseParser, HeaderCountBound) {
  std::string wire = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 11; ++i) wire += "x-" + std::to_string(i) + ": v\r\n";
  wire += "\r\n";
  ResponseParser::Limits limits;
  limits.max_header_count = 10;
  const Parsed p = parse(wire, 0, false, false, limits);
  EXPECT_FALSE(p.headers);
  EXPECT_EQ(p.error, "response has more than 10 header fields");
  limits.max_header_count = 11;
  EXPECT_TRUE(parse(wire + "", 0, false, true, limits).headers);
}

TEST(NativeResponseParser, HeaderBytesBoundCountsInterimBlocks) {
  ResponseParser::Limits limits;
  limits.max_header_bytes = 100;
  const std::string big = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(100, 'v') + "\r\n\r\n";
  for (const size_t piece : {size_t{0}, size_t{1}, size_t{30}}) {
    const Parsed p = parse(big, piece, false, false, limits);
    EXPECT_FALSE(p.headers);
    EXPECT_EQ(p.error, "response header block exceeds 100 bytes") << piece;
  }
  const std::string interim = "HTTP/1.1 103 Early\r\nLink: " + std::string(50, 'l') + "\r\n\r\n";
  const std::string final_block = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  ASSERT_LT(final_block.size(), 100u);
  EXPECT_TRUE(parse(final_block, 0, false, false, limits).complete);
  const Parsed p = parse(interim + final_block, 0, false, false, limits);
  EXPECT_EQ(p.error, "response header block exceeds 100 bytes");
  // Exactly at the bound is fine, and the body does not count.
  limits.max_header_bytes = final_block.size();
  const Parsed exact = parse(final_block, 0, false, false, limits);
  EXPECT_TRUE(exact.complete) << exact.error;
}

TEST(NativeResponseParser, EmptyHeaderValueKeepsNextField) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Next: n\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(p.complete) << p.error;
  ASSERT_NE(field(p, "x-empty"), nullptr);
  EXPECT_EQ(*field(p, "x-empty"), "");
  ASSERT_NE(field(p, "x-next"), nullptr);
  EXPECT_EQ(*field(p, "x-next"), "n");
}

// Feeds `wire` in the pieces that `cuts` (increasing offsets) make.
Parsed parse_cut(const std::string& wire, const std::vector<size_t>& cuts) {
  ResponseParser parser({});
  parser.start(false);
  Parsed out;
  size_t from = 0;
  std::string buffer;  // as in parse()
  for (size_t i = 0; i <= cuts.size(); ++i) {
    const size_t to = i < cuts.size() ? cuts[i] : wire.size();
    buffer.assign(wire, from, to - from);
    std::string_view rest(buffer);
    from = to;
    while (true) {
      const ResponseParser::Step step = parser.feed(rest);
      rest.remove_prefix(step.consumed);
      if (step.error) {
        out.error = parser.error();
        return out;
      }
      if (step.headers) {
        ++out.header_steps;
        out.status = parser.status();
        out.fields = parser.take_headers();
      }
      out.body.append(step.body);
      if (step.complete) {
        out.complete = true;
        return out;
      }
      if (!step.headers && step.body.empty() && rest.empty()) break;
    }
    buffer.assign(buffer.size(), 'X');
  }
  return out;
}

void expect_same_fields(const http::Headers& got, const http::Headers& want,
                        const std::string& where) {
  ASSERT_EQ(got.size(), want.size()) << where;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].name, want[i].name) << where;
    EXPECT_EQ(got[i].value, want[i].value) << where;
  }
}

TEST(NativeResponseParser, HeadersSplitAtEveryByteAreTheSame) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Empty:\r\n"
      "X-Request-ID:  \treq_R5d68EMm8nnUG77sSjifWE54Fknqfuof \t\r\nX-A: a b\r\n"
      "Content-Length: 2\r\n\r\nok";
  const http::Headers want = {{"content-type", "application/json"},
                              {"x-empty", ""},
                              {"x-request-id", "req_R5d68EMm8nnUG77sSjifWE54Fknqfuof"},
                              {"x-a", "a b"},
                              {"content-length", "2"}};
  const Parsed whole = parse_cut(wire, {});
  ASSERT_TRUE(whole.complete) << whole.error;
  expect_same_fields(whole.fields, want, "whole");
  // Every cut into two pieces, and every cut into three: a name or value cut once or twice
  // (its start in one read, its middle in the next, its end in a third).
  for (size_t i = 1; i < wire.size(); ++i) {
    const Parsed two = parse_cut(wire, {i});
    ASSERT_TRUE(two.complete) << i << two.error;
    expect_same_fields(two.fields, want, "cut at " + std::to_string(i));
    EXPECT_EQ(two.body, "ok");
    for (size_t j = i + 1; j < wire.size(); ++j) {
      const Parsed three = parse_cut(wire, {i, j});
      ASSERT_TRUE(three.complete) << i << " " << j << three.error;
      expect_same_fields(three.fields, want, std::to_string(i) + " " + std::to_string(j));
    }
  }
}

TEST(NativeResponseParser, HeaderBlockByteByByteMatchesWhole) {
  std::string wire = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 40; ++i) {
    wire += "X-Field-" + std::to_string(i) + ": " + std::string(static_cast<size_t>(i * 7), 'v') +
            " \r\n";
  }
  wire += "Content-Length: 0\r\n\r\n";
  const Parsed whole = parse(wire);
  ASSERT_TRUE(whole.complete) << whole.error;
  ASSERT_EQ(whole.fields.size(), 41u);
  EXPECT_EQ(whole.fields[39].name, "x-field-39");
  EXPECT_EQ(whole.fields[39].value, std::string(273, 'v'));
  for (const size_t piece : {size_t{1}, size_t{2}, size_t{5}, size_t{64}}) {
    const Parsed p = parse(wire, piece);
    ASSERT_TRUE(p.complete) << piece << p.error;
    expect_same_fields(p.fields, whole.fields, "piece " + std::to_string(piece));
  }
}

TEST(NativeResponseParser, RefusalsHoldAtEveryCut) {
  const std::string cases[] = {
      "HTTP/1.1 200 OK\r\nX-A: one\r\n  folded\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\r\nContent-Length: 0\r\n\n",
      "HTTP/1.1 200 OK\nX-A: a\r\nContent-Length: 0\r\n\r\n",
  };
  for (const std::string& wire : cases) {
    for (size_t i = 1; i < wire.size(); ++i) {
      const Parsed p = parse_cut(wire, {i});
      EXPECT_FALSE(p.complete) << wire << " cut at " << i;
      EXPECT_FALSE(p.error.empty()) << wire << " cut at " << i;
    }
  }
}

TEST(NativeResponseParser, HeaderCountBoundAtEveryCut) {
  std::string wire = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 4; ++i) wire += "x-" + std::to_string(i) + ": v\r\n";
  wire += "\r\n";
  ResponseParser::Limits limits;
  limits.max_header_count = 3;
  for (const size_t piece : {size_t{0}, size_t{1}, size_t{4}}) {
    const Parsed p = parse(wire, piece, false, false, limits);
    EXPECT_FALSE(p.headers) << piece;
    EXPECT_EQ(p.error, "response has more than 3 header fields") << piece;
  }
}

TEST(NativeResponseParser, ReusableAfterStart) {
  ResponseParser parser({});
  for (int round = 0; round < 2; ++round) {
    parser.start(false);
    std::string_view wire = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
    ResponseParser::Step step = parser.feed(wire);
    EXPECT_TRUE(step.headers);
    wire.remove_prefix(step.consumed);
    step = parser.feed(wire);
    EXPECT_EQ(step.body, "x");
    EXPECT_TRUE(step.complete) << round;
  }
}

}  // namespace
}  // namespace sluice::upstream
