// Tests for RequestParser: request fields, chunked bodies, pipelining, limits and every framing
// shape that must be refused (checking llhttp strict mode plus the parser's own checks).

#include "core/http/request_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace sluice::http {
namespace {

struct Outcome {
  bool complete = false;
  bool saw_headers = false;
  bool expect_continue = false;
  int status = 0;  // error status, 0 when none
  std::string message;
  size_t consumed = 0;
  Request request;
};

// Feeds `raw` in pieces of `step` bytes until the first request completes or fails.
Outcome run(std::string_view raw, const ServerLimits& limits = ServerLimits{},
            size_t step = std::numeric_limits<size_t>::max()) {
  RequestParser parser(limits);
  Outcome out;
  size_t offset = 0;
  size_t available = std::min(raw.size(), step);
  while (true) {
    const auto progress = parser.feed(raw.substr(offset, available - offset));
    offset += progress.consumed;
    switch (progress.event) {
      case RequestParser::Event::need_more:
        if (available == raw.size()) {
          out.consumed = offset;
          return out;  // incomplete
        }
        available = std::min(raw.size(), available + step);
        break;
      case RequestParser::Event::headers_complete:
        out.saw_headers = true;
        out.expect_continue = parser.expect_continue();
        break;
      case RequestParser::Event::message_complete:
        out.complete = true;
        out.consumed = offset;
        out.request = parser.take_request();
        return out;
      case RequestParser::Event::error:
        out.status = parser.error_status();
        out.message = parser.error_message();
        out.consumed = offset;
        return out;
    }
  }
}

TEST(RequestParser, SimpleGet) {
  const Outcome out =
      run("GET /v1/models?limit=2#frag HTTP/1.1\r\nHost: example\r\nX-Trace:   a b \t\r\n"
          "X-Empty:\r\nACCEPT: */*\r\n\r\n");
  ASSERT_TRUE(out.complete) << out.message;
  const Request& r = out.request;
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/v1/models?limit=2#frag");
  EXPECT_EQ(r.path, "/v1/models");
  EXPECT_EQ(r.query, "limit=2");
  EXPECT_EQ(r.version_minor, 1);
  EXPECT_TRUE(r.keep_alive);
  ASSERT_EQ(r.headers.size(), 4u);
  EXPECT_EQ(r.headers[0].name, "host");
  EXPECT_EQ(r.headers[1].name, "x-trace");
  EXPECT_EQ(r.headers[1].value, "a b");
  EXPECT_EQ(r.headers[2].name, "x-empty");
  EXPECT_EQ(r.headers[2].value, "");
  EXPECT_EQ(r.headers[3].name, "accept");
  EXPECT_TRUE(r.body.empty());
}

TEST(RequestParser, PostWithContentLengthAndByteByByte) {
  const std::string raw =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world";
  for (size_t step : {raw.size(), size_t{1}, size_t{7}}) {
    const Outcome out = run(raw, ServerLimits{}, step);
    ASSERT_TRUE(out.complete) << "step " << step << ": " << out.message;
    EXPECT_EQ(out.request.body, "hello world");
    EXPECT_EQ(out.request.path, "/v1/chat/completions");
    EXPECT_EQ(out.consumed, raw.size());
  }
}

TEST(RequestParser, ChunkedBodyWithExtensionsAndTrailers) {
  const std::string raw =
      "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (size_t step : {raw.size(), size_t{1}, size_t{3}}) {
    const Outcome out = run(raw, ServerLimits{}, step);
    ASSERT_TRUE(out.complete) << "step " << step << ": " << out.message;
    EXPECT_EQ(out.request.body, "hello world");
    EXPECT_EQ(find_header(out.request.headers, "x-trailer"), nullptr);  // trailers are dropped
    EXPECT_EQ(out.consumed, raw.size());
  }
}

TEST(RequestParser, PipelinedRequestsWaitForNextRequest) {
  const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string second = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok";
  const std::string both = first + second;
  RequestParser parser{ServerLimits{}};
  auto p = parser.feed(both);
  ASSERT_EQ(p.event, RequestParser::Event::headers_complete);
  size_t offset = p.consumed;
  p = parser.feed(std::string_view(both).substr(offset));
  ASSERT_EQ(p.event, RequestParser::Event::message_complete);
  offset += p.consumed;
  EXPECT_EQ(offset, first.size());
  EXPECT_EQ(parser.take_request().path, "/a");
  // Stopped until next_request(): nothing of the second request is read.
  p = parser.feed(std::string_view(both).substr(offset));
  EXPECT_EQ(p.event, RequestParser::Event::message_complete);
  EXPECT_EQ(p.consumed, 0u);
  parser.next_request();
  EXPECT_FALSE(parser.started());
  while (true) {
    p = parser.feed(std::string_view(both).substr(offset));
    offset += p.consumed;
    if (p.event != RequestParser::Event::headers_complete) break;
  }
  ASSERT_EQ(p.event, RequestParser::Event::message_complete);
  EXPECT_EQ(offset, both.size());
  const Request r = parser.take_request();
  EXPECT_EQ(r.path, "/b");
  EXPECT_EQ(r.body, "ok");
}

TEST(RequestParser, KeepAliveSemantics) {
  EXPECT_FALSE(run("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(run("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").request.keep_alive);
  EXPECT_EQ(run("GET / HTTP/1.0\r\n\r\n").request.version_minor, 0);
  EXPECT_TRUE(run("GET / HTTP/1.1\r\nHost: h\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(run("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(
      run("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n").request.keep_alive);
}

// Whether a connection stays open is the parser's reading of Connection (RFC 9110: whitespace
// around a list element is not part of it). llhttp reads "keep-alive\t" as no keep-alive and,
// left to itself, refused the next request on the connection kept open.
TEST(RequestParser, NextRequestOnAConnectionKeptOpenIsRead) {
  const std::string first =
      "POST /a HTTP/1.0\r\nConnection: keep-alive\t\r\nContent-Length: 1\r\n\r\nx";
  const std::string second = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string both = first + second;
  for (const bool fast_path : {false, true}) {
    RequestParser parser(ServerLimits{}, fast_path);
    size_t offset = 0;
    std::vector<std::string> paths;
    for (int steps = 0; steps < 8 && paths.size() < 2; ++steps) {
      const auto p = parser.feed(std::string_view(both).substr(offset));
      offset += p.consumed;
      ASSERT_NE(p.event, RequestParser::Event::error) << parser.error_message();
      if (p.event == RequestParser::Event::message_complete) {
        const Request r = parser.take_request();
        EXPECT_TRUE(r.keep_alive);
        paths.push_back(r.path);
        parser.next_request();
      }
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/b"})) << "fast path " << fast_path;
  }
}

TEST(RequestParser, ExpectContinue) {
  Outcome out =
      run("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(out.complete);
  EXPECT_TRUE(out.expect_continue);
  // No body: nothing to continue.
  EXPECT_FALSE(run("GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n").expect_continue);
  // HTTP/1.0 clients cannot expect it.
  EXPECT_FALSE(run("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok")
                   .expect_continue);
  out = run("POST / HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(out.status, 417);
}

TEST(RequestParser, VersionChecks) {
  EXPECT_EQ(run("GET / HTTP/1.2\r\nHost: h\r\n\r\n").status, 505);
  EXPECT_EQ(run("GET / HTTP/2.0\r\nHost: h\r\n\r\n").status, 505);
  EXPECT_EQ(run("GET / HTTP/0.9\r\n\r\n").status, 505);
  EXPECT_EQ(run("GET / HTTP/3.x\r\nHost: h\r\n\r\n").status, 400);
  EXPECT_EQ(run("GET /\r\n\r\n").status, 400);  // HTTP/0.9 simple request
}

TEST(RequestParser, UrlLimit) {
  ServerLimits limits;
  limits.max_url_bytes = 32;
  EXPECT_TRUE(
      run("GET /" + std::string(31, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits).complete);
  EXPECT_EQ(run("GET /" + std::string(32, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits).status,
            414);
  EXPECT_EQ(run("GET /" + std::string(32, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits, 1).status,
            414);
}

TEST(RequestParser, HeaderCountLimit) {
  ServerLimits limits;
  limits.max_header_count = 3;
  EXPECT_TRUE(run("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits).complete);
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).status, 431);
}

TEST(RequestParser, HeaderBytesLimit) {
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX-Fill: ";
  ServerLimits limits;
  limits.max_header_bytes = 100;
  // Exactly at the limit (the final CRLF included) is fine; one byte more is not.
  const std::string at_limit = head + std::string(100 - head.size() - 4, 'v') + "\r\n\r\n";
  ASSERT_EQ(at_limit.size(), 100u);
  EXPECT_TRUE(run(at_limit, limits).complete);
  const std::string over = head + std::string(100 - head.size() - 3, 'v') + "\r\n\r\n";
  EXPECT_EQ(run(over, limits).status, 431);
  EXPECT_EQ(run(over, limits, 1).status, 431);
  // An endless header line is cut off at the limit, without waiting for its end.
  const Outcome endless = run(head + std::string(1000, 'v'), limits);
  EXPECT_EQ(endless.status, 431);
  EXPECT_LE(endless.consumed, 100u);
}

TEST(RequestParser, BodyLimitByContentLengthDecidedAtHeaders) {
  ServerLimits limits;
  limits.max_body_bytes = 10;
  EXPECT_TRUE(
      run("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits).complete);
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n";
  const Outcome out = run(head, limits);  // no body byte given at all
  EXPECT_EQ(out.status, 413);
  EXPECT_FALSE(out.saw_headers);
}

TEST(RequestParser, BodyLimitChunked) {
  ServerLimits limits;
  limits.max_body_bytes = 10;
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_TRUE(run(head + "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n", limits).complete);
  EXPECT_EQ(run(head + "5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n", limits).status, 413);
  // A chunk announced too large is refused before its data arrives.
  EXPECT_EQ(run(head + "ffff\r\n", limits).status, 413);
}

TEST(RequestParser, EndlessChunkFramingIsBounded) {
  ServerLimits limits;
  limits.max_header_bytes = 200;
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(run(head + std::string(5000, '0'), limits).status, 400);
  EXPECT_EQ(run(head + "1;" + std::string(5000, 'e'), limits).status, 400);
}

TEST(RequestParser, ErrorIsFinal) {
  RequestParser parser{ServerLimits{}};
  EXPECT_EQ(parser.feed("BAD\r\n\r\n").event, RequestParser::Event::error);
  EXPECT_EQ(parser.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n").event, RequestParser::Event::error);
  EXPECT_EQ(parser.error_status(), 400);
}

struct Refused {
  const char* name;
  std::string raw;
  int status;
  // Whether llhttp 8.1 in strict mode refuses the shape by itself; when false, only the parser's
  // own checks stop it. Pinned so that an llhttp upgrade that changes this is noticed.
  bool llhttp_alone = true;
};

// Runs bare llhttp (strict, no callbacks, no lenient flag) over `raw`: true when it refuses.
bool llhttp_alone_refuses(const std::string& raw) {
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  llhttp_t parser;
  llhttp_init(&parser, HTTP_REQUEST, &settings);
  const llhttp_errno_t err = llhttp_execute(&parser, raw.data(), raw.size());
  return err != HPE_OK && err != HPE_PAUSED_UPGRADE;
}

class RefusedShapes : public ::testing::TestWithParam<Refused> {};

TEST_P(RefusedShapes, AreRefused) {
  const Refused& c = GetParam();
  const Outcome whole = run(c.raw);
  EXPECT_FALSE(whole.complete) << c.name;
  EXPECT_EQ(whole.status, c.status) << c.name << ": " << whole.message;
  const Outcome bytewise = run(c.raw, ServerLimits{}, 1);
  EXPECT_EQ(bytewise.status, c.status) << c.name << " (byte by byte): " << bytewise.message;
  EXPECT_EQ(llhttp_alone_refuses(c.raw), c.llhttp_alone) << c.name;
}

const std::string kChunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";

INSTANTIATE_TEST_SUITE_P(
    Smuggling, RefusedShapes,
    ::testing::Values(
        Refused{"cl_then_te",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: "
                "chunked\r\n\r\n0\r\n\r\n",
                400},
        Refused{"te_then_cl",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                "3\r\n\r\n0\r\n\r\n",
                400},
        Refused{"cl_cl_differing",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                400},
        Refused{"cl_cl_same",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                400},
        Refused{"cl_list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc", 400},
        Refused{"cl_sign", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc", 400},
        Refused{"cl_negative", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
        Refused{"cl_overflow",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                400},
        Refused{"te_xchunked",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400},
        Refused{
            "te_chunked_identity",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            400},
        Refused{"te_gzip_chunked",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                400, false},
        Refused{"te_twice",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
                "chunked\r\n\r\n0\r\n\r\n",
                400},
        Refused{"te_http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                false},
        Refused{"obs_fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: b\r\n c\r\n\r\n", 400, false},
        Refused{"obs_fold_tab", "GET / HTTP/1.1\r\nHost: h\r\nX-A: b\r\n\tc\r\n\r\n", 400, false},
        Refused{"bare_lf_everywhere", "GET / HTTP/1.1\nHost: h\n\n", 400},
        Refused{"bare_lf_header", "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 400},
        Refused{"bare_lf_end", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400, false},
        Refused{"bare_cr", "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400},
        Refused{"bare_cr_request_line", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400},
        Refused{"chunk_size_not_hex", kChunked + "zz\r\nabc\r\n0\r\n\r\n", 400},
        Refused{"chunk_size_overflow", kChunked + "fffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400},
        Refused{"chunk_size_space", kChunked + "3 \r\nabc\r\n0\r\n\r\n", 400},
        Refused{"chunk_size_bare_lf", kChunked + "3\nabc\r\n0\r\n\r\n", 400},
        Refused{"chunk_data_no_crlf", kChunked + "3\r\nabcX\r\n0\r\n\r\n", 400},
        Refused{"chunk_data_bare_lf", kChunked + "3\r\nabc\n0\r\n\r\n", 400},
        Refused{"last_chunk_bare_lf", kChunked + "3\r\nabc\r\n0\n\n", 400},
        Refused{"trailer_bare_lf_end", kChunked + "3\r\nabc\r\n0\r\n\n", 400, false},
        Refused{"trailer_obs_fold", kChunked + "3\r\nabc\r\n0\r\nX: a\r\n b\r\n\r\n", 400, false},
        Refused{"space_before_colon", "GET / HTTP/1.1\r\nHost: h\r\nX-A : b\r\n\r\n", 400},
        Refused{"nul_in_value", std::string("GET / HTTP/1.1\r\nHost: h\r\nX-A: b\0c\r\n\r\n", 37),
                400},
        Refused{"nul_in_name", std::string("GET / HTTP/1.1\r\nHost: h\r\nX\0A: b\r\n\r\n", 35),
                400},
        Refused{"ctl_in_value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: b\x01\r\n\r\n", 400},
        Refused{"del_in_value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: b\x7f\r\n\r\n", 400},
        Refused{"empty_header_name", "GET / HTTP/1.1\r\nHost: h\r\n: x\r\n\r\n", 400, false},
        Refused{"double_space_request_line", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400, false},
        Refused{"space_after_version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400},
        Refused{"lowercase_method", "get / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Refused{"control_in_url", "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Refused{"missing_host", "GET / HTTP/1.1\r\n\r\n", 400, false},
        Refused{"duplicate_host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, false},
        Refused{"connect", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 400, false},
        Refused{"upgrade",
                "GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
                400, false},
        Refused{"upgrade_h2c", "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n", 400, false}),
    [](const ::testing::TestParamInfo<Refused>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sluice::http
