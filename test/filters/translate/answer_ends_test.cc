// filters/translate: an answer's model and usage read at its ends (answer_ends.h). Wherever the
// answer is JSON without a root member given twice and the ends settle it, the result is the
// document a full parse and edit gives, with the same counts; what the ends cannot settle is left
// to the JSON view with nothing changed.

#include "filters/translate/answer_ends.h"
#include "filters/common/json_text.h"
#include "test/one_byte_changes.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <optional>
#include <set>
#include <string>

namespace sluice::filters::translate {
namespace {

struct Outcome {
  AnswerEnds result;
  std::string text;  // the rewritten text, or the input when not rewritten
  Usage usage;
};

// The answer as the filter makes it: the model's range replaced by the quoted name.
Outcome read(std::string_view text, std::string_view model = "gpt") {
  Outcome out{AnswerEnds::needs_json_view, std::string(text), {}};
  TextRange model_at;
  out.result = read_answer_ends(text, model, &out.usage, &model_at);
  if (out.result == AnswerEnds::rename_model) {
    out.text.replace(model_at.offset, model_at.length, common::json_quote(model));
  }
  return out;
}

std::string counts(const Usage& usage) {
  const auto one = [](std::optional<uint64_t> n) { return n ? std::to_string(*n) : "-"; };
  return one(usage.prompt_tokens) + "/" + one(usage.completion_tokens) + "/" +
         one(usage.total_tokens);
}

const std::string kAnswer =
    R"({"id":"chatcmpl-1","object":"chat.completion","created":1795350992,"model":"qwen-72b",)"
    R"("system_fingerprint":null,"choices":[{"index":0,"message":{"role":"assistant",)"
    R"("content":"a \"usage\": {\"prompt_tokens\":9} [x] {y} \\"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,)"
    R"("prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"a":[1,{}]}}})";

TEST(AnswerEnds, ReplacesOnlyTheModelsBytesAndReadsTheUsage) {
  const Outcome out = read(kAnswer, "my \"gpt\"");
  ASSERT_EQ(out.result, AnswerEnds::rename_model);
  std::string expected = kAnswer;
  expected.replace(expected.find("\"qwen-72b\""), 10, R"("my \"gpt\"")");
  EXPECT_EQ(out.text, expected);
  EXPECT_EQ(counts(out.usage), "12/3/15");
}

TEST(AnswerEnds, WhitespaceAnywhereBetweenTokens) {
  const std::string answer =
      "\n{ \"id\" : \"c\" ,\n  \"model\"\t:\r\n \"qwen\" ,\n  \"choices\" : [ ] ,\n"
      "  \"usage\" : { \"prompt_tokens\" : 4 , \"total_tokens\" : 6 }\n}\n";
  const Outcome out = read(answer);
  ASSERT_EQ(out.result, AnswerEnds::rename_model);
  std::string expected = answer;
  expected.replace(expected.find("\"qwen\""), 6, "\"gpt\"");
  EXPECT_EQ(out.text, expected);
  EXPECT_EQ(counts(out.usage), "4/-/6");
}

TEST(AnswerEnds, StreamEventsWithAndWithoutUsage) {
  Outcome out =
      read(R"({"id":"c","object":"chat.completion.chunk","created":1,"model":"qwen","choices":[)"
           R"({"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})");
  ASSERT_EQ(out.result, AnswerEnds::rename_model);
  EXPECT_NE(out.text.find(R"("model":"gpt")"), std::string::npos);
  EXPECT_FALSE(out.usage.any());
  out = read(R"({"id":"c","model":"qwen","choices":[],"usage":{"prompt_tokens":5,)"
             R"("completion_tokens":2,"total_tokens":7}})");
  ASSERT_EQ(out.result, AnswerEnds::rename_model);
  EXPECT_EQ(counts(out.usage), "5/2/7");
  // OpenAI's chunks before the last, when the client asked for usage: no usage yet.
  out = read(R"({"id":"c","model":"qwen","choices":[{"delta":{"content":"Hi"}}],"usage":null})");
  ASSERT_EQ(out.result, AnswerEnds::rename_model);
  EXPECT_FALSE(out.usage.any());
  EXPECT_EQ(read(R"({"model":"qwen","choices":[],"usage":null,"model":"x"})").result,
            AnswerEnds::needs_json_view);
  EXPECT_EQ(read(R"({"model":"qwen","choices":[{"usage":null}]})").result,
            AnswerEnds::needs_json_view);
  // Members after the usage are fine, nested ones too.
  out = read(R"({"model":"qwen","choices":[],"usage":{"total_tokens":7},"x":[1,{"y":2}],"z":3})");
  ASSERT_EQ(out.result, AnswerEnds::rename_model);
  EXPECT_EQ(counts(out.usage), "-/-/7");
}

// A stream's events read with the last event's leading members kept.
Outcome read_after(std::string_view first, std::string_view second,
                   std::string_view model = "gpt") {
  AnswerHead head;
  Usage ignored;
  TextRange ignored_at;
  read_answer_ends(first, model, &ignored, &ignored_at, &head);
  Outcome out{AnswerEnds::needs_json_view, std::string(second), {}};
  TextRange model_at;
  out.result = read_answer_ends(second, model, &out.usage, &model_at, &head);
  if (out.result == AnswerEnds::rename_model) {
    out.text.replace(model_at.offset, model_at.length, common::json_quote(model));
  }
  return out;
}

const std::string kChunk =
    R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1795375609,"model":"qwen",)"
    R"("system_fingerprint":null,"choices":[{"index":0,"delta":{"content":"Hi"},)"
    R"("finish_reason":null}],"usage":null})";

TEST(AnswerEnds, AStreamsNextEventIsReadAsOnItsOwn) {
  const std::string last =
      R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1795375609,"model":"qwen",)"
      R"("system_fingerprint":null,"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3,)"
      R"("total_tokens":5}})";
  const Outcome alone = read(last);
  const Outcome after = read_after(kChunk, last);
  ASSERT_EQ(after.result, AnswerEnds::rename_model);
  EXPECT_EQ(after.text, alone.text);
  EXPECT_EQ(counts(after.usage), "2/3/5");
  // The kept bytes are what is not read again: a head that says the model is elsewhere is believed.
  AnswerHead head;
  Usage usage;
  TextRange model_at;
  ASSERT_EQ(read_answer_ends(kChunk, "gpt", &usage, &model_at, &head), AnswerEnds::rename_model);
  ASSERT_EQ(head.bytes, kChunk.substr(0, kChunk.find("[{") + 1));
  head.model = {1, 4};  // "id" with its quotes
  ASSERT_EQ(read_answer_ends(last, "gpt", &usage, &model_at, &head), AnswerEnds::rename_model);
  EXPECT_EQ(model_at.offset, 1u);
}

TEST(AnswerEnds, ALongHeadIsNotKept) {
  const std::string chunk =
      R"({"id":")" + std::string(2000, 'x') + R"(","model":"qwen","choices":[]})";
  AnswerHead head;
  Usage usage;
  TextRange model_at;
  ASSERT_EQ(read_answer_ends(chunk, "gpt", &usage, &model_at, &head), AnswerEnds::rename_model);
  EXPECT_TRUE(head.bytes.empty());
  EXPECT_EQ(read_after(chunk, chunk).text, read(chunk).text);
}

// Each one-byte change of an event, read after the event itself (its leading members kept) and
// read on its own, gives the same result, and the other way round.
TEST(AnswerEnds, KeptLeadingMembersChangeNothingOnEveryMutation) {
  const std::string bytes = std::string("\"\\{}[]:, 0a", 12);
  size_t cases = 0, renamed = 0;
  const auto agree = [&](const std::string& first, const std::string& second) {
    ++cases;
    const Outcome alone = read(second);
    const Outcome after = read_after(first, second);
    ASSERT_EQ(after.result, alone.result)
        << test::printable(first) << " then " << test::printable(second);
    EXPECT_EQ(after.text, alone.text) << test::printable(second);
    EXPECT_EQ(counts(after.usage), counts(alone.usage)) << test::printable(second);
    renamed += alone.result == AnswerEnds::rename_model ? 1 : 0;
  };
  test::for_each_one_byte_change(kChunk, bytes, [&](const std::string& changed) {
    agree(kChunk, changed);
    agree(changed, kChunk);
  });
  EXPECT_GT(renamed, cases / 4) << cases << " cases";
}

TEST(AnswerEnds, TheUsageKeyIsFoundWhereverItFallsInTheText) {
  // The search for it goes back sixteen bytes at a time from the end: what follows the key moves
  // it to every place in a block (its closing quote first in a block, its 'e' in the block
  // before, included), near the start of the text and far from it.
  for (size_t after = 0; after < 40; ++after) {
    for (const std::string& choices : {std::string("[]"), "[\"" + std::string(100, 'x') + "\"]"}) {
      const std::string text = R"({"model":"q","choices":)" + choices +
                               R"(,"usage":{"total_tokens":7})" + std::string(after, ' ') + "}";
      const Outcome out = read(text);
      ASSERT_EQ(out.result, AnswerEnds::rename_model) << text;
      EXPECT_EQ(out.usage.total_tokens, 7u) << text;
    }
  }
}

TEST(AnswerEnds, NothingToChange) {
  EXPECT_EQ(read(R"({"model":"gpt","choices":[]})").result, AnswerEnds::unchanged);
  EXPECT_EQ(read(R"({"model":"qwen","choices":[]})", "").result, AnswerEnds::unchanged);
  EXPECT_EQ(read(R"({"model":7,"choices":[]})").result, AnswerEnds::unchanged);
  EXPECT_EQ(read(R"({"model":null})").result, AnswerEnds::unchanged);
  const Outcome out =
      read(R"({"model":"gpt","data":[],"usage":{"prompt_tokens":3,"total_tokens":"4"}})");
  EXPECT_EQ(out.result, AnswerEnds::unchanged);
  EXPECT_EQ(counts(out.usage), "3/-/-") << "a count that is not a number is not one";
}

TEST(AnswerEnds, LeavesToTheJsonViewWhatItCannotSettle) {
  for (std::string_view text :
       {R"({"choices":[],"model":"a"})",                          // model after the middle
        R"({"id":"c","usage":{"total_tokens":1},"choices":[]})",  // no model before it
        R"({"model":"a","model":"b","choices":[]})",              // model twice
        R"({"model":"a","choices":[],"usage":{},"model":"b"})",   // and after the usage
        R"({"mod\u0065l":"a","choices":[]})",                     // a key with escapes
        R"({"model":"q\u0077en","choices":[]})",                  // a model with escapes
        R"({"model":"a","usage":null,"choices":[]})",             // a usage at the head
        R"({"model":"a","choices":[],"usage":{"total_tokens":1,"total_tokens":2}})",
        R"({"model":"a","choices":[],"usage":{"total\u005ftokens":1}})",
        R"({"model":"a","choices":[],"usage":{"total_tokens":1.5}})",  // not a plain count
        R"({"model":"a","choices":[],"usage":{"total_tokens":1e3}})",
        R"({"model":"a","choices":[{"usage":{"total_tokens":1}}]})",  // a usage not the root's
        R"({"model":"a","choices":[],"x":{"usage":{"total_tokens":1}}})",
        R"({"model":"a","choices":[],"x\"usage":{"total_tokens":1}})",  // inside a key
        R"({"model":"a","choices":[],"usage":"none"})",                 // ends in a string
        R"({"model":"a","choices":[],"usage":{"total_tokens":1})",      // cut short
        R"({"model":"a","choices":[],"usage":{"total_tokens":1}} x)",   // bytes after it
        R"({"model":"a"} x)",
        R"([{"model":"a"}])",
        "",
        "{",
        "not json"}) {
    Usage usage;
    usage.prompt_tokens = 42;
    TextRange model_at{7, 9};
    EXPECT_EQ(read_answer_ends(text, "gpt", &usage, &model_at), AnswerEnds::needs_json_view)
        << text;
    EXPECT_EQ(usage.prompt_tokens, 42u) << text;
    EXPECT_FALSE(usage.completion_tokens || usage.total_tokens) << text;
    EXPECT_EQ(model_at.offset, 7u) << text;
    EXPECT_EQ(model_at.length, 9u) << text;
  }
}

TEST(AnswerEnds, TheMiddleIsNotRead) {
  // Documented: what lies between the leading members and the usage passes on unread, so an
  // answer broken only there still gets the client's model (the JSON view would refuse it and
  // send it on unchanged).
  const Outcome out =
      read(R"({"model":"qwen","choices":[{"x": nonsense]],"usage":{"total_tokens":2}})");
  ASSERT_EQ(out.result, AnswerEnds::rename_model);
  EXPECT_EQ(out.text, R"({"model":"gpt","choices":[{"x": nonsense]],"usage":{"total_tokens":2}})");
  EXPECT_EQ(counts(out.usage), "-/-/2");
}

// What a full parse gives: the first "model" member replaced when it is a string, and the counts
// of the first "usage" member when it is an object. False when the text is not a JSON object,
// or when a root member is given twice or named with escapes (where this read may differ).
struct Parsed {
  rapidjson::Document document;
  Usage usage;
};

bool full_parse(const std::string& text, std::string_view model, Parsed* out) {
  rapidjson::Document& doc = out->document;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  std::set<std::string> names;
  for (const auto& member : doc.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    if (!names.insert(name).second) return false;
  }
  if (text.find("\\u") != std::string::npos) return false;  // a name may be spelled with them
  if (auto usage = doc.FindMember("usage"); usage != doc.MemberEnd() && usage->value.IsObject()) {
    const auto number = [&](const char* name) -> std::optional<double> {
      auto it = usage->value.FindMember(name);
      if (it == usage->value.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
      return it->value.GetDouble();
    };
    read_usage_numbers(number("prompt_tokens"), number("completion_tokens"), number("total_tokens"),
                       &out->usage);
  }
  auto it = doc.FindMember("model");
  if (!model.empty() && it != doc.MemberEnd() && it->value.IsString()) {
    it->value.SetString(model.data(), static_cast<rapidjson::SizeType>(model.size()),
                        doc.GetAllocator());
  }
  return true;
}

struct Agreement {
  size_t valid = 0;     // mutations that are JSON a full parse reads
  size_t compared = 0;  // of those, the ones the ends settled, each the same as the full parse
};

// The answer, each of its truncations and each change of one byte: wherever the ends settle a
// text that is JSON, they give what a full parse and edit gives.
Agreement agree_on_every_mutation(const std::string& answer) {
  const std::string replacements = "\"\\{}[],: a0-.e";
  Agreement agreement;
  auto check = [&](const std::string& text) {
    Parsed expected;
    const bool json = full_parse(text, "gpt", &expected);
    agreement.valid += json ? 1 : 0;
    const Outcome out = read(text);
    if (out.result == AnswerEnds::needs_json_view || !json) return;
    ++agreement.compared;
    rapidjson::Document got;
    got.Parse(out.text.c_str(), out.text.size());
    ASSERT_FALSE(got.HasParseError()) << text << "\n -> " << out.text;
    EXPECT_TRUE(got == expected.document) << text << "\n -> " << out.text;
    EXPECT_EQ(counts(out.usage), counts(expected.usage)) << text;
  };
  check(answer);
  for (size_t at = 0; at < answer.size(); ++at) check(answer.substr(0, at));  // truncations
  sluice::test::for_each_one_byte_change(answer, replacements, check);
  return agreement;
}

TEST(AnswerEnds, AgreesWithAFullParseOnEveryMutation) {
  const Agreement agreement = agree_on_every_mutation(kAnswer);
  EXPECT_GT(agreement.compared, 1000u) << "the mutations should give many valid answers";
  // The ends settle nearly every valid answer; the JSON view is for the odd ones.
  EXPECT_GT(agreement.compared * 10, agreement.valid * 9)
      << agreement.compared << " of " << agreement.valid << " valid answers settled";
}

// The usage's nested values are stepped over sixteen bytes at a time: brackets and escaped
// quotes inside their strings, values nested deeper, blocks that end inside a string or right
// after a bracket.
TEST(AnswerEnds, NestedValuesInTheUsageAreSteppedOverWhateverTheyHold) {
  const std::string answer =
      R"({"id":"x","model":"qwen","choices":[],"usage":{"prompt_tokens_details":)"
      R"({"note":"a } ] \" { [ \\","list":[[1,2],{"k":"}]"}],"deeper":{"d":{"e":{}}}},)"
      R"("prompt_tokens":4,"completion_tokens_details":[],"completion_tokens":5,)"
      R"("total_tokens":9}})";
  const Outcome out = read(answer);
  ASSERT_EQ(out.result, AnswerEnds::rename_model);
  EXPECT_EQ(counts(out.usage), "4/5/9");
  const Agreement agreement = agree_on_every_mutation(answer);
  EXPECT_GT(agreement.compared, 1000u) << "the mutations should give many valid answers";
}

}  // namespace
}  // namespace sluice::filters::translate
