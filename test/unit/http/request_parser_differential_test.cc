// The request parser's fast path (plain_request_head.h) against llhttp: two parsers, one with the
// fast path and one without, are fed the same bytes, and must agree on everything a caller sees
// (each event and the bytes it consumed, every request's fields and body, each error's status and
// message). Every one-byte deletion, replacement and insertion of a few requests is given to
// both, whole, and each request unchanged also split at every byte.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/request_parser.h"
#include "test/one_byte_changes.h"

namespace sluice::http {
namespace {

struct Trace {
  std::string text;  // every event and request, one per line
  size_t plain_heads = 0;
};

void describe(const Request& r, std::string& out) {
  out += "request " + r.method + " " + r.target + " path=" + r.path + " query=" + r.query + " 1." +
         std::to_string(r.version_minor) + (r.keep_alive ? " keep-alive\n" : " close\n");
  for (const Header& h : r.headers) out += "  [" + h.name + "] [" + h.value + "]\n";
  out += "  body [" + r.body + "]\n";
}

// Feeds the first `split` bytes, then the rest, the way Connection does: again after each event,
// the next request after each complete one that keeps the connection, until an error, a request
// that closes it, or nothing more is used.
Trace run(const std::string& wire, bool fast_path, size_t split,
          const ServerLimits& limits = ServerLimits{}) {
  RequestParser parser(limits, fast_path);
  Trace trace;
  size_t offset = 0;
  size_t available = std::min(split, wire.size());
  for (int steps = 0; steps < 64; ++steps) {
    const RequestParser::Progress progress =
        parser.feed(std::string_view(wire).substr(offset, available - offset));
    offset += progress.consumed;
    switch (progress.event) {
      case RequestParser::Event::need_more:
        trace.text += "need_more " + std::to_string(offset) + "\n";
        if (available == wire.size()) return trace;
        available = wire.size();
        break;
      case RequestParser::Event::headers_complete:
        trace.text += "headers " + std::to_string(offset) +
                      (parser.body_expected() ? " body" : "") +
                      (parser.expect_continue() ? " continue" : "") + "\n";
        if (parser.read_plain()) ++trace.plain_heads;
        break;
      case RequestParser::Event::message_complete: {
        trace.text += "complete " + std::to_string(offset) + "\n";
        const Request request = parser.take_request();
        describe(request, trace.text);
        if (!request.keep_alive) return trace;  // Connection closes: nothing more is parsed
        parser.next_request();
        break;
      }
      case RequestParser::Event::error:
        trace.text += "error " + std::to_string(parser.error_status()) + " " +
                      parser.error_message() + " at " + std::to_string(offset) + "\n";
        return trace;
    }
  }
  ADD_FAILURE() << "no end after 64 steps";
  return trace;
}

const std::string kSeeds[] = {
    "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
    "Content-Length: 5\r\n\r\nhello",
    "GET /v1/models?x=1&y=%20 HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer k\r\n"
    "Connection: close\r\n\r\n",
    "POST /a HTTP/1.0\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"
    "GET / HTTP/1.1\r\nHost: c\r\n\r\n",
    "PUT /p HTTP/1.1\r\nHost: d\r\nExpect: 100-continue\r\nContent-Length: 3\r\nX-E:  v \t\r\n"
    "\r\nabc",
    "POST /c HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "OPTIONS /o HTTP/1.1\r\nHost: f\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n",
    "DELETE /d/1 HTTP/1.1\r\nhost: g\r\nUpgrade: h2c\r\n\r\n",
    "PATCH /q@:!$'()*+,;=~._- HTTP/1.1\r\nHost: h\r\nContent-Length: 01\r\n\r\nz",
    "HEAD /h#f HTTP/1.1\r\nHost: i\r\nContent-Length:1\r\n\r\nx",
};

TEST(RequestParserDifferential, FastPathAgreesWithLlhttpOnEveryOneByteChange) {
  const std::string bytes = std::string("\r\n \t:;,\"029aAF-=/?#%{}<>\\^`|\x01\x7f\x80", 31);
  size_t cases = 0, plain = 0;
  const auto check = [&](const std::string& wire) {
    ++cases;
    const Trace fast = run(wire, true, wire.size());
    const Trace slow = run(wire, false, wire.size());
    plain += fast.plain_heads > 0 ? 1 : 0;
    ASSERT_EQ(fast.text, slow.text) << test::printable(wire);
    ASSERT_EQ(slow.plain_heads, 0u);
  };
  for (const std::string& seed : kSeeds) {
    check(seed);
    test::for_each_one_byte_change(seed, bytes, check);
  }
  // The fast path must be doing the work, not leaving it all to llhttp.
  EXPECT_GT(plain, cases / 4) << cases << " cases";
  std::printf("%zu cases, %zu with a head read by the fast path\n", cases, plain);
}

TEST(RequestParserDifferential, FastPathAgreesWithLlhttpAtEverySplit) {
  size_t plain = 0;
  for (const std::string& seed : kSeeds) {
    for (size_t split = 0; split <= seed.size(); ++split) {
      const Trace fast = run(seed, true, split);
      ASSERT_EQ(fast.text, run(seed, false, split).text)
          << test::printable(seed) << " split at " << split;
      plain += fast.plain_heads;
    }
  }
  EXPECT_GT(plain, 0u);
}

// At and around each limit the fast path leaves the request to llhttp, which answers 414 or 431:
// the two must agree on where the limits fall.
TEST(RequestParserDifferential, FastPathAgreesWithLlhttpAtTheLimits) {
  ServerLimits limits;
  limits.max_url_bytes = 12;
  limits.max_header_count = 3;
  limits.max_header_bytes = 90;
  limits.max_body_bytes = 4;
  size_t plain = 0, refused = 0;
  for (size_t target = 1; target <= 14; ++target) {
    for (size_t fields = 1; fields <= 4; ++fields) {
      for (size_t value = 0; value <= 40; value += 4) {
        for (size_t body = 0; body <= 5; body += 5) {
          std::string wire = "POST /" + std::string(target - 1, 'a') + " HTTP/1.1\r\nHost: h\r\n";
          for (size_t i = 1; i < fields; ++i)
            wire += "X-" + std::to_string(i) + ": " + std::string(value, 'v') + "\r\n";
          wire += "\r\n";
          if (body) {
            wire.insert(wire.size() - 2, "Content-Length: " + std::to_string(body) + "\r\n");
            wire += std::string(body, 'b');
          }
          const Trace fast = run(wire, true, wire.size(), limits);
          ASSERT_EQ(fast.text, run(wire, false, wire.size(), limits).text) << test::printable(wire);
          plain += fast.plain_heads;
          refused += fast.text.starts_with("error") ? 1 : 0;
        }
      }
    }
  }
  EXPECT_GT(plain, 0u);
  EXPECT_GT(refused, 0u);
}

}  // namespace
}  // namespace sluice::http
