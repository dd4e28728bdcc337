// Pure units: word counting and answer splitting, routes and prefixes, percent-decoding,
// embedding vectors and their base64 form, the bounded request log.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/fake-llm/embeddings.h"
#include "tools/fake-llm/request_log.h"
#include "tools/fake-llm/routes.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

std::string join(const std::vector<std::string_view>& pieces) {
  std::string out;
  for (const auto piece : pieces) out += piece;
  return out;
}

TEST(Text, CountsWhitespaceSeparatedWords) {
  EXPECT_EQ(count_words(""), 0u);
  EXPECT_EQ(count_words("   \t\n"), 0u);
  EXPECT_EQ(count_words("one"), 1u);
  EXPECT_EQ(count_words("  one two\tthree\nfour  "), 4u);
}

TEST(Text, EchoAnswer) {
  EXPECT_EQ(echo_answer("hello"), "Echo: hello");
  EXPECT_EQ(echo_answer("  spaced  "), "Echo: spaced");
  EXPECT_EQ(echo_answer(""), "Echo:");
}

TEST(Text, SplitWordsKeepsEveryByte) {
  const std::string text = "Echo: one  two\nthree";
  const auto pieces = split_words(text);
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0], "Echo:");
  EXPECT_EQ(pieces[1], " one");
  EXPECT_EQ(pieces[2], "  two");
  EXPECT_EQ(pieces[3], "\nthree");
  EXPECT_EQ(split_words("").size(), 1u);
}

TEST(Text, SplitEvenGivesExactlyNPiecesOnCodePointBoundaries) {
  const std::string text = "h\xC3\xA9llo w\xE2\x82\xACrld";  // é and €
  for (size_t n : {1u, 2u, 3u, 5u, 11u, 40u}) {
    const auto pieces = split_even(text, n);
    ASSERT_EQ(pieces.size(), n);
    EXPECT_EQ(join(pieces), text);
    for (const auto piece : pieces) {
      if (!piece.empty()) {
        EXPECT_NE(static_cast<unsigned char>(piece[0]) & 0xC0, 0x80) << n;
      }
    }
  }
  EXPECT_EQ(split_answer("a b c", 0).size(), 3u);
  EXPECT_EQ(split_answer("a b c", 2).size(), 2u);
}

TEST(Routes, PrefixesAndSpellings) {
  struct Case {
    const char* path;
    RouteKind kind;
    const char* prefix;
  };
  for (const Case& c :
       {Case{"/v1/chat/completions", RouteKind::chat_completions, ""},
        Case{"/chat/completions", RouteKind::chat_completions, ""},
        Case{"/d1/v1/chat/completions", RouteKind::chat_completions, "/d1"},
        Case{"/openai/deployments/x/chat/completions", RouteKind::azure_chat_completions, ""},
        Case{"/v1/completions", RouteKind::completions, ""},
        Case{"/a/b/v1/embeddings", RouteKind::embeddings, "/a/b"},
        Case{"/v1/models", RouteKind::models, ""},
        Case{"/x/_fake/requests", RouteKind::control_requests, "/x"},
        Case{"/_fake/program", RouteKind::control_program, ""},
        Case{"/v1/chat", RouteKind::unknown, ""}, Case{"/", RouteKind::unknown, ""}}) {
    const Route route = match_route(c.path);
    EXPECT_EQ(route.kind, c.kind) << c.path;
    EXPECT_EQ(route.prefix, c.prefix) << c.path;
  }
}

TEST(Routes, ConverseModelIdsAreDecoded) {
  Route route = match_route("/p/model/us.anthropic.claude-3-5%3A0/converse");
  EXPECT_EQ(route.kind, RouteKind::converse);
  EXPECT_EQ(route.prefix, "/p");
  EXPECT_EQ(route.model_id, "us.anthropic.claude-3-5:0");
  EXPECT_FALSE(route.bad_model_id);
  route = match_route("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Afoundation-model%2Fx/converse");
  EXPECT_EQ(route.model_id, "arn:aws:bedrock:us-east-1:1:foundation-model/x");
  EXPECT_TRUE(match_route("/model/bad%2/converse").bad_model_id);
  EXPECT_TRUE(match_route("/model//converse").bad_model_id);
  EXPECT_EQ(match_route("/model/a/b/converse").kind, RouteKind::unknown);
  std::string out;
  EXPECT_FALSE(percent_decode("%", &out));
  EXPECT_FALSE(percent_decode("%g0", &out));
  EXPECT_TRUE(percent_decode("a+b%20c", &out));
  EXPECT_EQ(out, "a+b c");
}

TEST(Embeddings, DeterministicUnitVectorsAndBase64) {
  std::vector<float> a;
  std::vector<float> b;
  embedding_vector("same", 32, &a);
  embedding_vector("same", 32, &b);
  EXPECT_EQ(a, b);
  embedding_vector("other", 32, &b);
  EXPECT_NE(a, b);
  double norm = 0;
  for (const float v : a) norm += static_cast<double>(v) * v;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  std::string encoded;
  append_base64_floats(encoded, {1.0f});
  EXPECT_EQ(encoded, "AACAPw==");  // 00 00 80 3f
  encoded.clear();
  append_base64_floats(encoded, {1.0f, -2.0f});
  EXPECT_EQ(encoded, "AACAPwAAAMA=");
}

TEST(RequestLogUnit, IsBoundedAndUpdatable) {
  RequestLog log(3, 1u << 30);
  for (int i = 0; i < 5; ++i) {
    LogEntry entry;
    entry.path = "/p" + std::to_string(i);
    log.add(std::move(entry));
  }
  EXPECT_EQ(log.size(), 3u);
  log.update(1, [](LogEntry& entry) { entry.status = 500; });  // evicted: ignored
  log.update(5, [](LogEntry& entry) { entry.status = 201; });
  const std::string rendered = log.render(0, nullptr);
  EXPECT_EQ(rendered.find("/p1"), std::string::npos);
  EXPECT_NE(rendered.find("\"seq\":3"), std::string::npos);
  EXPECT_NE(rendered.find("\"status\":201"), std::string::npos);
  EXPECT_EQ(rendered.find("\"status\":500"), std::string::npos);
}

}  // namespace
}  // namespace fake_llm
