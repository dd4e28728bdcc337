// filters/translate: the JSON and SSE rewriting functions on their own (sse.h), including the
// one-event-per-call form the host delivers when it streams.

#include "filters/translate/sse.h"

#include <gtest/gtest.h>

namespace sluice::filters::translate {
namespace {

TEST(TranslateSse, OneEventDataIsRewrittenAndUsageRead) {
  Usage usage;
  auto out = rewrite_json(R"({"id":"c","model":"qwen","choices":[]})", "gpt", &usage);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, R"({"id":"c","model":"gpt","choices":[]})");
  EXPECT_FALSE(usage.any());

  out = rewrite_json(
      R"({"model":"qwen","usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}})",
      "gpt", &usage);
  ASSERT_TRUE(out);
  EXPECT_EQ(usage.prompt_tokens, 7u);
  EXPECT_EQ(usage.completion_tokens, 2u);
  EXPECT_EQ(usage.total_tokens, 9u);
}

TEST(TranslateSse, ControlCharactersStayEscapedInLongStrings) {
  // A terminal's colour codes in a streamed answer: written back escaped wherever they fall
  // (rapidjson 1.1.0's own writer left 0x1A-0x1F raw past the first sixteen bytes).
  Usage usage;
  const std::string content = R"(0123456789abcdef0123456789\u001b[31mred\u001b[0m and \u001f more)";
  auto out = rewrite_json(
      R"({"model":"qwen","choices":[{"delta":{"content":")" + content + R"("}}]})", "gpt", &usage);
  ASSERT_TRUE(out);
  for (char c : *out) EXPECT_GE(static_cast<unsigned char>(c), 0x20u) << *out;
  EXPECT_NE(out->find(R"(\u001B[31mred\u001B[0m and \u001F more)"), std::string::npos) << *out;
}

TEST(TranslateSse, NothingToChangeGivesNullopt) {
  Usage usage;
  EXPECT_FALSE(rewrite_json("[DONE]", "gpt", &usage));
  EXPECT_FALSE(rewrite_json(R"({"model":"gpt"})", "gpt", &usage));
  EXPECT_FALSE(rewrite_json(R"({"object":"list"})", "gpt", &usage));
  EXPECT_FALSE(rewrite_json(R"({"model":"qwen"})", "", &usage));
  EXPECT_FALSE(rewrite_json(R"({"model":7})", "gpt", &usage));
  EXPECT_FALSE(rewrite_sse("data: [DONE]\n\n", "gpt", &usage));
  EXPECT_FALSE(usage.any());
}

TEST(TranslateSse, WholeStreamTextKeepsCommentsEventsAndDone) {
  Usage usage;
  auto out = rewrite_sse(
      "event: message\nid: 1\ndata: {\"model\":\"q\",\"n\":1}\n\n"
      ": ping\n\n"
      "data: {\"model\":\"q\",\n"
      "data: \"n\":2}\n\n"
      "data: not json\n\n"
      "data: [DONE]\n\n",
      "gpt", &usage);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out,
            "event: message\nid: 1\ndata: {\"model\":\"gpt\",\"n\":1}\n\n"
            ": ping\n\n"
            "data: {\"model\":\"gpt\",\"n\":2}\n\n"
            "data: not json\n\n"
            "data: [DONE]\n\n");
}

TEST(TranslateSse, RecognisesEventStreams) {
  EXPECT_TRUE(looks_like_sse("data: {}\n\n"));
  EXPECT_TRUE(looks_like_sse(": comment\n\ndata: x\n\n"));
  EXPECT_TRUE(looks_like_sse("event: e\ndata: x\n\n"));
  EXPECT_FALSE(looks_like_sse("{\"model\":\"x\"}"));
  EXPECT_FALSE(looks_like_sse("<html>"));
  EXPECT_FALSE(looks_like_sse(""));
}

}  // namespace
}  // namespace sluice::filters::translate
