// ChunkModelRewriter: an event passes as its own text with only the model replaced, what the
// decoders act on is noted, and anything it cannot pass as text is left to the document path.

#include "providers/support/chunk_model_rewriter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::providers::support {
namespace {

using Result = ChunkModelRewriter::Result;

struct Outcome {
  Result result;
  std::string chunk;
  ChunkFacts facts;
};

Outcome rewrite(std::string_view event, std::string_view model = "my-gpt") {
  const ChunkModelRewriter rewriter(model);
  Outcome outcome{Result::needs_document, {}, {}};
  outcome.result = rewriter.rewrite(event, &outcome.chunk, &outcome.facts);
  return outcome;
}

TEST(ChunkModelRewriter, ReplacesOnlyTheModelKeepingTheRestAsSent) {
  const Outcome out = rewrite(
      R"({"id":"c1", "model" : "gpt-4o","choices":[{"delta":{"content":"caf\u00e9 \"x\"/"},)"
      R"("finish_reason":null,"index":0}],"created":1.50,"usage":{"total_tokens":3}})");
  ASSERT_EQ(out.result, Result::rewritten);
  EXPECT_EQ(out.chunk,
            R"({"id":"c1", "model" : "my-gpt","choices":[{"delta":{"content":"caf\u00e9 \"x\"/"},)"
            R"("finish_reason":null,"index":0}],"created":1.50,"usage":{"total_tokens":3}})");
  EXPECT_FALSE(out.facts.finished);
}

TEST(ChunkModelRewriter, ReplacesAModelWithEscapesAndWritesTheClientsEscaped) {
  const Outcome out = rewrite(R"({"model":"a\"b\\","x":1})", "say \"hi\"");
  ASSERT_EQ(out.result, Result::rewritten);
  EXPECT_EQ(out.chunk, R"({"model":"say \"hi\"","x":1})");
}

TEST(ChunkModelRewriter, AddsTheModelWhenTheEventHasNone) {
  EXPECT_EQ(rewrite(R"({"choices":[]})").chunk, R"({"choices":[],"model":"my-gpt"})");
  EXPECT_EQ(rewrite(R"({})").chunk, R"({"model":"my-gpt"})");
  // A nested "model" is not the event's.
  EXPECT_EQ(rewrite(R"({"a":{"model":"x"}})").chunk, R"({"a":{"model":"x"},"model":"my-gpt"})");
}

TEST(ChunkModelRewriter, NotesFinishReasonsErrorsAndContentLists) {
  EXPECT_TRUE(rewrite(R"({"choices":[{"finish_reason":"stop"}]})").facts.finished);
  EXPECT_FALSE(rewrite(R"({"choices":[{"finish_reason":"stop"}]})").facts.unusual_finish);
  EXPECT_TRUE(rewrite(R"({"choices":[{"finish_reason":"model_length"}]})").facts.unusual_finish);
  EXPECT_FALSE(rewrite(R"({"choices":[{"x":{"finish_reason":"stop"}}]})").facts.finished);
  EXPECT_TRUE(rewrite(R"({"error":{"message":"m"}})").facts.error_object);
  EXPECT_FALSE(rewrite(R"({"error":"text"})").facts.error_object);
  EXPECT_TRUE(rewrite(R"({"object":"error","message":"m"})").facts.object_is_error);
  EXPECT_TRUE(
      rewrite(R"({"choices":[{"delta":{"content":[{"type":"text"}]}}]})").facts.content_list);
  EXPECT_FALSE(rewrite(R"({"choices":[{"delta":{"content":"t"}}]})").facts.content_list);
}

TEST(ChunkModelRewriter, LeavesToTheDocumentWhatItCannotPassAsText) {
  // Split over lines: a chunk must be one line of the client's stream.
  EXPECT_EQ(rewrite("{\"model\":\"x\",\n\"a\":1}").result, Result::needs_document);
  EXPECT_EQ(rewrite("{\"model\":\"x\",\r\"a\":1}").result, Result::needs_document);
  // A model that is not a string, and members the decoders read given twice.
  EXPECT_EQ(rewrite(R"({"model":null})").result, Result::needs_document);
  EXPECT_EQ(rewrite(R"({"model":{"a":1}})").result, Result::needs_document);
  EXPECT_EQ(rewrite(R"({"model":"a","model":"b"})").result, Result::needs_document);
  EXPECT_EQ(rewrite(R"({"choices":[],"choices":[]})").result, Result::needs_document);
  EXPECT_EQ(rewrite(R"({"choices":[{"finish_reason":null,"finish_reason":"stop"}]})").result,
            Result::needs_document);
}

TEST(ChunkModelRewriter, RefusesWhatIsNotAJsonObject) {
  for (std::string_view event :
       {"", "[]", "1", "\"text\"", "null", "{", R"({"a":1)", R"({"a":1}x)", R"({"a":01})",
        R"({"a":"\x"})", "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}"}) {
    EXPECT_EQ(rewrite(event).result, Result::not_an_object) << event;
  }
  EXPECT_EQ(rewrite(std::string_view("{\"a\":\"\0\"}", 9)).result, Result::not_an_object);
}

TEST(ChunkModelRewriter, RefusesNestingPastTheLimitAsTheDocumentDoes) {
  auto nested = [](size_t depth) {
    std::string text(depth - 1, '[');
    text = "{\"a\":" + text + std::string(depth - 1, ']') + "}";
    return text;
  };
  EXPECT_EQ(rewrite(nested(128)).result, Result::rewritten);
  EXPECT_EQ(rewrite(nested(129)).result, Result::not_an_object);
}

TEST(ChunkModelRewriter, PassesEventsLargerThanItsStackCopy) {
  const std::string text(5000, 'x');
  const Outcome out = rewrite(R"({"model":"m","t":")" + text + "\"}");
  ASSERT_EQ(out.result, Result::rewritten);
  EXPECT_EQ(out.chunk, R"({"model":"my-gpt","t":")" + text + "\"}");
}

bool accept_all(const ChunkFacts&) {
  return true;
}
bool refuse_errors(const ChunkFacts& facts) {
  return !facts.error_object;
}

TEST(ChunkModelRewriter, PassAppendsWhatItAcceptsAndNotesTheFinish) {
  const ChunkModelRewriter rewriter("m");
  std::vector<std::string> chunks;
  bool finished = false;
  EXPECT_EQ(
      rewriter.pass(R"({"choices":[{"finish_reason":null}]})", accept_all, &chunks, &finished),
      ChunkModelRewriter::Result::rewritten);
  EXPECT_FALSE(finished);
  EXPECT_EQ(
      rewriter.pass(R"({"choices":[{"finish_reason":"stop"}]})", accept_all, &chunks, &finished),
      ChunkModelRewriter::Result::rewritten);
  EXPECT_TRUE(finished);
  EXPECT_EQ(rewriter.pass(R"({"error":{"message":"x"}})", refuse_errors, &chunks, &finished),
            ChunkModelRewriter::Result::needs_document);
  EXPECT_EQ(rewriter.pass("[1]", accept_all, &chunks, &finished),
            ChunkModelRewriter::Result::not_an_object);
  EXPECT_EQ(chunks,
            (std::vector<std::string>{R"({"choices":[{"finish_reason":null}],"model":"m"})",
                                      R"({"choices":[{"finish_reason":"stop"}],"model":"m"})"}));
}

}  // namespace
}  // namespace sluice::providers::support
