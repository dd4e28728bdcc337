// The hand-written response parser (response_parser.h) against what it replaced: llhttp in strict
// mode plus http::HeaderScanner over the header section, fed the same bytes. Every one-byte
// deletion, replacement and insertion of a few responses is given to both. What the parser takes
// the reference must take too, with the same status, fields, body, keep-alive and leftover bytes:
// the parser may refuse more (it does, on purpose: see response_parser.h), never accept more.

#include <llhttp.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/ascii_case.h"
#include "core/http/field_value.h"
#include "core/http/header_scanner.h"
#include "core/upstream/response_parser.h"
#include "test/one_byte_changes.h"

namespace sluice::upstream {
namespace {

struct Outcome {
  bool complete = false;
  int status = 0;
  http::Headers fields;
  std::string body;
  bool keep_alive = false;
  size_t leftover = 0;
};

// The reference, over the whole response and then EOF: interim blocks dropped, the final
// response (200..599) compared.
Outcome reference(const std::string& wire) {
  struct State {
    Outcome out;
    std::string name, value;
    bool head_done = false;
    bool message_done = false;
  } state;
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  // A field's name and value come in spans; llhttp ends every value (an empty one too) with
  // on_header_value_complete, which keeps the field.
  settings.on_header_field = [](llhttp_t* p, const char* at, size_t n) {
    auto* s = static_cast<State*>(p->data);
    if (!s->head_done) s->name.append(at, n);  // trailers are dropped
    return 0;
  };
  settings.on_header_value = [](llhttp_t* p, const char* at, size_t n) {
    auto* s = static_cast<State*>(p->data);
    if (!s->head_done) s->value.append(at, n);
    return 0;
  };
  settings.on_header_value_complete = [](llhttp_t* p) {
    auto* s = static_cast<State*>(p->data);
    if (s->head_done) return 0;
    s->out.fields.push_back({http::lower_ascii(s->name), std::string(http::trim_ows(s->value))});
    s->name.clear();
    s->value.clear();
    return 0;
  };
  settings.on_headers_complete = [](llhttp_t* p) {
    auto* s = static_cast<State*>(p->data);
    s->head_done = true;
    s->out.status = llhttp_get_status_code(p);
    return 0;
  };
  settings.on_body = [](llhttp_t* p, const char* at, size_t n) {
    static_cast<State*>(p->data)->out.body.append(at, n);
    return 0;
  };
  settings.on_message_complete = [](llhttp_t* p) {
    auto* s = static_cast<State*>(p->data);
    if (llhttp_get_status_code(p) < 200) {  // an interim block: forgotten, the final one follows
      s->out.fields.clear();
      s->head_done = false;
      return 0;
    }
    s->message_done = true;
    s->out.keep_alive = llhttp_should_keep_alive(p) != 0;
    return static_cast<int>(HPE_PAUSED);  // what follows is not this response's
  };
  llhttp_t parser;
  llhttp_init(&parser, HTTP_RESPONSE, &settings);
  parser.data = &state;
  Outcome failed;
  const llhttp_errno_t err = llhttp_execute(&parser, wire.data(), wire.size());
  size_t used = wire.size();
  if (err == HPE_PAUSED) {
    used = static_cast<size_t>(llhttp_get_error_pos(&parser) - wire.data());
  } else if (err != HPE_OK) {
    return failed;
  }
  if (!state.message_done) {
    const llhttp_errno_t end = llhttp_finish(&parser);  // a body that runs to the end
    if ((end != HPE_OK && end != HPE_PAUSED) || !state.message_done) return failed;
  }
  if (state.out.status < 200 || state.out.status > 599) return failed;
  // The checks llhttp 8 leaves to its users, over each header block (interim ones too).
  for (size_t from = 0; from < used;) {
    const size_t head_end = wire.find("\r\n\r\n", from);
    http::HeaderScanner scanner{.in_request_line = false};
    if (head_end == std::string::npos ||
        scanner.scan(std::string_view(wire).substr(from, head_end + 4 - from)) != nullptr) {
      return failed;
    }
    // Another block follows only after an interim one, whose status line starts "HTTP/1.x 1".
    const std::string_view block(wire.data() + from, head_end - from);
    from = head_end + 4;
    if (block.size() < 10 || block[9] != '1') break;
  }
  state.out.complete = true;
  state.out.leftover = wire.size() - used;
  return state.out;
}

Outcome parsed(const std::string& wire) {
  ResponseParser parser({});
  parser.start(false);
  Outcome out;
  std::string_view rest = wire;
  while (true) {
    const ResponseParser::Step step = parser.feed(rest);
    rest.remove_prefix(step.consumed);
    if (step.error) return Outcome{};
    if (step.headers) {
      out.status = parser.status();
      out.fields = parser.take_headers();
    }
    out.body.append(step.body);
    if (step.complete) break;
    if (!step.headers && step.body.empty() && rest.empty()) {
      const ResponseParser::Step end = parser.finish();
      if (end.error || !end.complete) return Outcome{};
      break;
    }
  }
  out.complete = true;
  out.keep_alive = parser.keep_alive();
  out.leftover = rest.size();
  return out;
}

bool tab_in_connection(const std::string& wire) {
  const size_t at = wire.find("\r\nConnection:");
  return at != std::string::npos &&
         wire.substr(at + 2, wire.find("\r\n", at + 2) - at - 2).find('\t') != std::string::npos;
}

TEST(NativeResponseParserDifferential, NeverTakesWhatTheReferenceRefusesAndAgreesOnTheRest) {
  const std::string seeds[] = {
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Id: a1\r\n"
      "Content-Length: 5\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A:  b \r\n\r\n"
      "3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nT: t\r\n\r\n",
      "HTTP/1.0 404 Not Found\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nno",
      "HTTP/1.1 200 OK\r\nX-B: c\r\n\r\nto the end",
      "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n"
      "1;a=\"q v\";b\r\nx\r\n0\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 204 No Content\r\nX-C: d\r\n\r\n",
  };
  const std::string bytes = std::string("\r\n \t:;,\"0aAF-=\x01\x7f\x80", 18);
  size_t cases = 0, both = 0, only_reference = 0;
  const auto check = [&](const std::string& wire) {
    ++cases;
    const Outcome mine = parsed(wire);
    const Outcome ref = reference(wire);
    if (!mine.complete) {
      only_reference += ref.complete ? 1 : 0;
      return;
    }
    ++both;
    ASSERT_TRUE(ref.complete) << "taken, but the reference refuses: " << test::printable(wire);
    EXPECT_EQ(mine.status, ref.status) << test::printable(wire);
    EXPECT_EQ(mine.body, ref.body) << test::printable(wire);
    // A tab in Connection: llhttp takes "keep-alive\t" for another option, the parser trims it
    // but does not reuse the connection. Never reused where the reference would not be.
    EXPECT_TRUE(!mine.keep_alive || ref.keep_alive) << test::printable(wire);
    if (!tab_in_connection(wire)) {
      EXPECT_EQ(mine.keep_alive, ref.keep_alive) << test::printable(wire);
    }
    EXPECT_EQ(mine.leftover, ref.leftover) << test::printable(wire);
    ASSERT_EQ(mine.fields.size(), ref.fields.size()) << test::printable(wire);
    for (size_t i = 0; i < ref.fields.size(); ++i) {
      EXPECT_EQ(mine.fields[i].name, ref.fields[i].name) << test::printable(wire);
      EXPECT_EQ(mine.fields[i].value, ref.fields[i].value) << test::printable(wire);
    }
  };
  for (const std::string& seed : seeds) {
    check(seed);
    test::for_each_one_byte_change(seed, bytes, check);
  }
  // Most mutations that keep a response valid are taken: refusing more is the exception.
  EXPECT_GT(both, 3 * only_reference) << cases << " cases";
  std::printf("%zu cases: %zu taken by both, %zu by the reference only\n", cases, both,
              only_reference);
}

}  // namespace
}  // namespace sluice::upstream
