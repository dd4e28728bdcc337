// JsonBody on its own: copies that share a document stay independent once one is edited, lazily
// assigned bytes behave exactly like eagerly parsed ones, and a string member rewritten in the raw
// text (through the index, without a document) reads back right from every path.
// json_index_test.cc compares the index's answers with the document's on a corpus.

#include "core/runtime/json_body.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::runtime {
namespace {

constexpr unsigned kDepth = 64;

TEST(JsonBody, ACopyEditedLaterLeavesTheOriginalAlone) {
  JsonBody original;
  ASSERT_FALSE(original.assign(R"({"model":"asked","n":1})", true, kDepth));
  JsonBody snapshot = original;  // what the attempt loop keeps
  JsonBody attempt = snapshot;

  ASSERT_TRUE(attempt.set("/model", R"("provider-id")", kDepth));
  std::string_view model;
  ASSERT_TRUE(attempt.get_string("/model", &model));
  EXPECT_EQ(model, "provider-id");
  EXPECT_EQ(attempt.raw(), R"({"model":"provider-id","n":1})");

  ASSERT_TRUE(snapshot.get_string("/model", &model));
  EXPECT_EQ(model, "asked");
  EXPECT_EQ(snapshot.raw(), R"({"model":"asked","n":1})");
  ASSERT_TRUE(original.remove("/n"));
  EXPECT_EQ(original.raw(), R"({"model":"asked"})");
  EXPECT_EQ(snapshot.raw(), R"({"model":"asked","n":1})");

  // A second attempt from the same snapshot starts from the untouched request again.
  JsonBody retry = snapshot;
  ASSERT_TRUE(retry.set("/model", R"("other-id")", kDepth));
  EXPECT_EQ(retry.raw(), R"({"model":"other-id","n":1})");
  EXPECT_EQ(attempt.raw(), R"({"model":"provider-id","n":1})");
}

TEST(JsonBody, AReserialisedBodyKeepsControlCharactersEscaped) {
  // An edit the index cannot splice rewrites the whole body from the document: colour codes in a
  // long message (rapidjson 1.1.0's writer let 0x1A-0x1F through raw in its 16-byte blocks, so
  // they come at every offset here) are still escaped, so the upstream gets JSON.
  std::string content;
  for (int i = 0; i < 16; ++i) content += "ab\\u001b[3" + std::to_string(i % 8) + "m";
  JsonBody body;
  ASSERT_FALSE(body.assign(R"({"messages":[{"role":"tool","content":")" + content + R"("}]})", true,
                           kDepth));
  ASSERT_TRUE(body.set("/messages/0/name", R"("shell")", kDepth));
  const std::string& raw = body.raw();
  for (char c : raw) EXPECT_GE(static_cast<unsigned char>(c), 0x20u) << raw;
  EXPECT_NE(raw.find(R"(ab\u001B[30mab\u001B[31m)"), std::string::npos) << raw;
  EXPECT_NE(raw.find(R"("name":"shell")"), std::string::npos) << raw;
}

TEST(JsonBody, ACopyOfAnEditedBodyCarriesTheEdit) {
  JsonBody body;
  ASSERT_FALSE(body.assign(R"({"a":1})", true, kDepth));
  ASSERT_TRUE(body.set("/b", "2", kDepth));
  JsonBody copy = body;
  EXPECT_EQ(copy.raw(), R"({"a":1,"b":2})");
  EXPECT_EQ(body.raw(), R"({"a":1,"b":2})");
}

TEST(JsonBody, LazyBytesAreParsedOnFirstUse) {
  JsonBody body;
  body.assign_lazy(R"( {"model":"m","usage":{"total_tokens":7}} )", kDepth);
  EXPECT_EQ(body.raw(), R"( {"model":"m","usage":{"total_tokens":7}} )");  // untouched
  EXPECT_TRUE(body.is_json());
  double tokens = 0;
  ASSERT_TRUE(body.get_number("/usage/total_tokens", &tokens));
  EXPECT_EQ(tokens, 7);
  ASSERT_TRUE(body.set("/model", R"("client-name")", kDepth));
  EXPECT_EQ(body.raw(), R"( {"model":"client-name","usage":{"total_tokens":7}} )");  // spliced
}

TEST(JsonBody, LazyBytesThatAreNotJsonStayRaw) {
  JsonBody body;
  body.assign_lazy("{not json", kDepth);
  EXPECT_FALSE(body.is_json());
  std::string out;
  EXPECT_FALSE(body.get_json("", &out));
  EXPECT_FALSE(body.set("/a", "1", kDepth));
  EXPECT_EQ(body.raw(), "{not json");
  EXPECT_FALSE(body.empty());
}

TEST(JsonBody, LazyParsingKeepsTheDepthBound) {
  JsonBody body;
  body.assign_lazy(std::string(10, '[') + std::string(10, ']'), 5);
  EXPECT_FALSE(body.is_json());
  body.assign_lazy(std::string(5, '[') + std::string(5, ']'), 5);
  EXPECT_TRUE(body.is_json());
}

TEST(JsonBody, EmptyWithoutReserialising) {
  JsonBody body;
  EXPECT_TRUE(body.empty());
  ASSERT_FALSE(body.assign("{}", true, kDepth));
  ASSERT_TRUE(body.set("/x", "1", kDepth));
  EXPECT_FALSE(body.empty());
  EXPECT_EQ(body.raw(), R"({"x":1})");
}

TEST(JsonBody, ParseReportsErrorsWithTheirOffset) {
  JsonBody body;
  ASSERT_FALSE(body.assign(R"({"a":})", false, kDepth));
  auto error = body.parse(kDepth);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("invalid JSON at byte 5"), std::string::npos) << *error;
  EXPECT_FALSE(body.is_json());
  EXPECT_EQ(body.raw(), R"({"a":})");
}

TEST(JsonBody, ATopLevelStringIsRewrittenInTheRawTextAsSent) {
  JsonBody body;
  const std::string sent = R"({ "messages" : [ {"role":"user","content":"a \"model\": x"} ],
  "model" : "asked", "stream": true })";
  ASSERT_FALSE(body.assign(sent, true, kDepth));
  ASSERT_TRUE(body.set("/model", R"( "provider/id-1" )", kDepth));
  EXPECT_EQ(body.raw(), R"({ "messages" : [ {"role":"user","content":"a \"model\": x"} ],
  "model" : "provider/id-1", "stream": true })");
  std::string_view model;
  ASSERT_TRUE(body.get_string("/model", &model));
  EXPECT_EQ(model, "provider/id-1");
  // The document and the text agree: a later edit elsewhere serialises the new model.
  ASSERT_TRUE(body.set("/stream", "false", kDepth));
  EXPECT_EQ(body.raw(),
            R"({"messages":[{"role":"user","content":"a \"model\": x"}],"model":"provider/id-1",)"
            R"("stream":false})");
}

TEST(JsonBody, RawRewritingDefersToTheDocumentWhenUnsure) {
  JsonBody escaped;  // the index knows an escaped key's name: spliced where it stands
  ASSERT_FALSE(escaped.assign(R"({"mod\u0065l":"a"})", true, kDepth));
  ASSERT_TRUE(escaped.set("/model", R"("b")", kDepth));
  EXPECT_EQ(escaped.raw(), R"({"mod\u0065l":"b"})");

  JsonBody duplicate;  // the first of two members, as the document reads it
  ASSERT_FALSE(duplicate.assign(R"({"model":"a","model":"c"})", true, kDepth));
  ASSERT_TRUE(duplicate.set("/model", R"("b")", kDepth));
  std::string_view model;
  ASSERT_TRUE(duplicate.get_string("/model", &model));
  EXPECT_EQ(model, "b");
  EXPECT_EQ(duplicate.raw(), R"({"model":"b","model":"c"})");

  JsonBody number;  // not a string before: re-serialised
  ASSERT_FALSE(number.assign(R"({ "model": 7 })", true, kDepth));
  ASSERT_TRUE(number.set("/model", R"("b")", kDepth));
  EXPECT_EQ(number.raw(), R"({"model":"b"})");

  JsonBody shared;  // a snapshot sharing the document keeps its own text
  ASSERT_FALSE(shared.assign(R"({"model":"a"})", true, kDepth));
  JsonBody copy = shared;
  ASSERT_TRUE(copy.set("/model", R"("b")", kDepth));
  EXPECT_EQ(copy.raw(), R"({"model":"b"})");
  EXPECT_EQ(shared.raw(), R"({"model":"a"})");
  ASSERT_TRUE(shared.get_string("/model", &model));
  EXPECT_EQ(model, "a");
}

TEST(JsonBody, PointersFollowRfc6901) {
  JsonBody body;
  ASSERT_FALSE(
      body.assign(R"({"a/b":1,"m~n":2,"":3,"list":[10,20,{"x":"y"}],"s":"t"})", true, kDepth));
  double n = 0;
  EXPECT_TRUE(body.get_number("/a~1b", &n));
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(body.get_number("/m~0n", &n));
  EXPECT_EQ(n, 2);
  EXPECT_TRUE(body.get_number("/", &n));  // the member named ""
  EXPECT_EQ(n, 3);
  EXPECT_TRUE(body.get_number("/list/1", &n));
  EXPECT_EQ(n, 20);
  std::string_view text;
  EXPECT_TRUE(body.get_string("/list/2/x", &text));
  EXPECT_EQ(text, "y");
  std::string json;
  EXPECT_TRUE(body.get_json("", &json));
  EXPECT_TRUE(body.get_json("#/list/0", &json));  // URI fragment form
  EXPECT_EQ(json, "10");

  EXPECT_FALSE(body.get_number("/list/01", &n));  // leading zero
  EXPECT_FALSE(body.get_number("/list/-", &n));   // past the end
  EXPECT_FALSE(body.get_number("/list/3", &n));
  EXPECT_FALSE(body.get_number("/list/x", &n));
  EXPECT_FALSE(body.get_number("/m~2n", &n));  // not an escape
  EXPECT_FALSE(body.get_number("/a~", &n));
  EXPECT_FALSE(body.get_string("/s/0", &text));  // into a string
  EXPECT_FALSE(body.get_json("list", &json));    // no leading slash
  EXPECT_FALSE(body.get_json("/missing", &json));
}

TEST(JsonBody, ANulInsideTheBytesIsAnErrorNotAnEnd) {
  JsonBody body;
  auto error = body.assign(std::string("{\"a\":1}\0{\"b\":2}", 15), true, kDepth);
  ASSERT_TRUE(error);
  EXPECT_FALSE(body.is_json());
  error = body.assign(std::string("{\"a\":\"x\0y\"}", 11), true, kDepth);
  EXPECT_TRUE(error);
}

const std::string kRequest =
    R"({"model":"demo","messages":[{"role":"user","content":"hi"}],"stream":true,)"
    R"("temperature":0.5,"n":{"a":1}})";
const std::string kResponse =
    R"({"id":"c1","model":"fake-model","choices":[{"message":{"content":"Hello"}}],)"
    R"("usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15},"tail":"t"})";

TEST(JsonBody, ASplicedRequestReadsBackFromTheIndex) {
  JsonBody body;
  EXPECT_TRUE(body.parse(kDepth));  // nothing held: not JSON
  ASSERT_FALSE(body.assign(kRequest, true, kDepth));
  std::string json;
  EXPECT_FALSE(body.get_json("/api_key", &json));
  ASSERT_TRUE(body.set("/model", R"("provider-model-id-that-is-longer")", kDepth));
  std::string_view model;
  ASSERT_TRUE(body.get_string("/model", &model));
  EXPECT_EQ(model, "provider-model-id-that-is-longer");
  ASSERT_TRUE(body.get_json("/stream", &json));
  EXPECT_EQ(json, "true");
  ASSERT_TRUE(body.get_json("/n", &json));
  EXPECT_EQ(json, R"({"a":1})");
  double number = 0;
  ASSERT_TRUE(body.get_number("/temperature", &number));
  EXPECT_EQ(number, 0.5);
  ASSERT_TRUE(body.get_number("/n/a", &number));
  EXPECT_EQ(number, 1);
  ASSERT_TRUE(body.set("/model", R"("m")", kDepth));  // shorter: later positions move back
  ASSERT_TRUE(body.get_json("/stream", &json));
  EXPECT_EQ(json, "true");
  ASSERT_TRUE(body.get_json("/messages", &json));
  EXPECT_EQ(json, R"([{"role":"user","content":"hi"}])");
  EXPECT_EQ(body.raw(), R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,)"
                        R"("temperature":0.5,"n":{"a":1}})");
}

TEST(JsonBody, ASplicedResponseReadsBackFromTheIndex) {
  JsonBody body;
  body.assign_lazy(kResponse, kDepth);
  std::string_view text;
  ASSERT_TRUE(body.get_string("/model", &text));
  EXPECT_EQ(text, "fake-model");
  ASSERT_TRUE(body.set("/model", R"("demo")", kDepth));
  double tokens = 0;
  ASSERT_TRUE(body.get_number("/usage/prompt_tokens", &tokens));
  EXPECT_EQ(tokens, 12);
  ASSERT_TRUE(body.get_number("/usage/total_tokens", &tokens));
  EXPECT_EQ(tokens, 15);
  ASSERT_TRUE(body.get_string("/tail", &text));
  EXPECT_EQ(text, "t");
  ASSERT_TRUE(body.get_string("/model", &text));
  EXPECT_EQ(text, "demo");
  EXPECT_FALSE(body.get_string("/error/message", &text));
  std::string json;
  ASSERT_TRUE(body.get_json("/usage", &json));
  EXPECT_EQ(json, R"({"prompt_tokens":12,"completion_tokens":3,"total_tokens":15})");
  EXPECT_EQ(body.raw(),
            R"({"id":"c1","model":"demo","choices":[{"message":{"content":"Hello"}}],)"
            R"("usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15},"tail":"t"})");
}

TEST(JsonBody, ASnapshotKeepsItsAnswersWhenACopyIsSpliced) {
  JsonBody original;
  ASSERT_FALSE(original.assign(kResponse, true, kDepth));
  JsonBody attempt = original;  // shares the index
  ASSERT_TRUE(attempt.set("/model", R"("a-much-longer-model-name")", kDepth));
  ASSERT_TRUE(attempt.set("/id", R"("c-two")", kDepth));  // before the spliced model: it moves
  std::string_view text;
  ASSERT_TRUE(original.get_string("/model", &text));
  EXPECT_EQ(text, "fake-model");
  ASSERT_TRUE(original.get_string("/id", &text));
  EXPECT_EQ(text, "c1");
  std::string json;
  ASSERT_TRUE(original.get_json("/tail", &json));
  EXPECT_EQ(json, R"("t")");
  EXPECT_EQ(original.raw(), kResponse);
  ASSERT_TRUE(attempt.get_string("/model", &text));
  EXPECT_EQ(text, "a-much-longer-model-name");
  ASSERT_TRUE(attempt.get_json("/model", &json));
  EXPECT_EQ(json, R"("a-much-longer-model-name")");
  ASSERT_TRUE(attempt.get_string("/id", &text));
  EXPECT_EQ(text, "c-two");
  ASSERT_TRUE(attempt.get_json("/tail", &json));
  EXPECT_EQ(json, R"("t")");
  double tokens = 0;
  ASSERT_TRUE(attempt.get_number("/usage/completion_tokens", &tokens));
  EXPECT_EQ(tokens, 3);
  EXPECT_EQ(attempt.raw(),
            R"({"id":"c-two","model":"a-much-longer-model-name",)"
            R"("choices":[{"message":{"content":"Hello"}}],)"
            R"("usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15},"tail":"t"})");
}

// A copy is made to be edited: a model name a few bytes longer is spliced into its text where
// the text stands.
TEST(JsonBody, ACopyHasRoomToSpliceALongerName) {
  JsonBody original;
  ASSERT_FALSE(original.assign(kRequest, true, kDepth));
  JsonBody attempt;
  attempt = original;
  const char* before = attempt.raw().data();
  ASSERT_TRUE(attempt.set("/model", R"("a-provider-model-id")", kDepth));
  EXPECT_EQ(attempt.raw().data(), before);
  std::string_view model;
  ASSERT_TRUE(attempt.get_string("/model", &model));
  EXPECT_EQ(model, "a-provider-model-id");
  EXPECT_EQ(original.raw(), kRequest);
}

// Objects on the third level are indexed when a lookup first reaches them: through a copy that
// shares the index, before and after splices that move them, and when a string in one of them is
// spliced itself; the original keeps its answers, and edits through the document still tell.
TEST(JsonBody, ObjectsIndexedOnFirstLookupFollowSplices) {
  const std::string text = R"({"model":"m","usage":{"details":{"cached":"c1","n":5},"total":7},)"
                           R"("tail":{"deep":{"x":"y","z":{"w":1}}}})";
  JsonBody original;
  ASSERT_FALSE(original.assign(text, true, kDepth));
  JsonBody attempt;
  attempt = original;  // shares the index
  std::string_view value;
  ASSERT_TRUE(attempt.get_string("/usage/details/cached", &value));  // indexed now, for both
  EXPECT_EQ(value, "c1");
  ASSERT_TRUE(attempt.set("/model", R"("a-longer-model-name")", kDepth));
  ASSERT_TRUE(attempt.get_string("/usage/details/cached", &value));
  EXPECT_EQ(value, "c1");
  double number = 0;
  ASSERT_TRUE(attempt.get_number("/usage/details/n", &number));
  EXPECT_EQ(number, 5);
  ASSERT_TRUE(attempt.get_string("/tail/deep/x", &value));  // indexed after the splice moved it
  EXPECT_EQ(value, "y");
  ASSERT_TRUE(attempt.set("/usage/details/cached", R"("c-two-and-longer")", kDepth));
  ASSERT_TRUE(attempt.get_string("/usage/details/cached", &value));
  EXPECT_EQ(value, "c-two-and-longer");
  ASSERT_TRUE(attempt.get_number("/usage/total", &number));
  EXPECT_EQ(number, 7);
  ASSERT_TRUE(attempt.get_string("/tail/deep/x", &value));
  EXPECT_EQ(value, "y");
  std::string json;
  ASSERT_TRUE(attempt.get_json("/tail/deep/z", &json));  // a fourth level: the document's
  EXPECT_EQ(json, R"({"w":1})");
  EXPECT_EQ(attempt.raw(),
            R"({"model":"a-longer-model-name","usage":{"details":{"cached":"c-two-and-longer",)"
            R"("n":5},"total":7},"tail":{"deep":{"x":"y","z":{"w":1}}}})");
  ASSERT_TRUE(attempt.remove("/usage/details/n"));
  EXPECT_FALSE(attempt.get_number("/usage/details/n", &number));
  ASSERT_TRUE(attempt.get_string("/usage/details/cached", &value));
  EXPECT_EQ(value, "c-two-and-longer");

  ASSERT_TRUE(original.get_string("/usage/details/cached", &value));
  EXPECT_EQ(value, "c1");
  ASSERT_TRUE(original.get_string("/tail/deep/x", &value));
  EXPECT_EQ(value, "y");
  ASSERT_TRUE(original.get_string("/model", &value));
  EXPECT_EQ(value, "m");
  EXPECT_FALSE(original.get_string("/usage/details/missing", &value));
  EXPECT_EQ(original.raw(), text);
}

TEST(JsonBody, PointersIntoArraysAskTheDocument) {
  JsonBody body;
  body.assign_lazy(kRequest, kDepth);
  std::string_view text;
  ASSERT_TRUE(body.get_string("/messages/0/content", &text));  // builds the document
  EXPECT_EQ(text, "hi");
  ASSERT_TRUE(body.set("/model", R"("spliced")", kDepth));  // the document is now stale: dropped
  ASSERT_TRUE(body.get_string("/model", &text));
  EXPECT_EQ(text, "spliced");
  std::string json;
  ASSERT_TRUE(body.get_json("/messages/0", &json));  // rebuilt from the spliced text
  EXPECT_EQ(json, R"({"role":"user","content":"hi"})");
  ASSERT_TRUE(body.get_json("#/model", &json));  // the URI-fragment form, from the document
  EXPECT_EQ(json, R"("spliced")");
  EXPECT_FALSE(body.get_string("/messages/1/content", &text));
  // An edit through the document: reads follow the document from now on.
  ASSERT_TRUE(body.set("/messages/0/content", R"("bye")", kDepth));
  ASSERT_TRUE(body.get_string("/messages/0/content", &text));
  EXPECT_EQ(text, "bye");
  ASSERT_TRUE(body.get_string("/model", &text));
  EXPECT_EQ(text, "spliced");
  EXPECT_EQ(body.raw(),
            R"({"model":"spliced","messages":[{"role":"user","content":"bye"}],"stream":true,)"
            R"("temperature":0.5,"n":{"a":1}})");
}

TEST(JsonBody, OnlyPlainStringsReplacingStringsAreSplicedByTheIndex) {
  JsonBody escaped;  // a new value with escapes: spliced, the text indexed again on the next read
  ASSERT_FALSE(escaped.assign(R"({ "model" : "a", "x" : 1 })", true, kDepth));
  JsonBody before = escaped;
  ASSERT_TRUE(escaped.set("/model", R"("say \"hi\"")", kDepth));
  std::string_view text;
  ASSERT_TRUE(escaped.get_string("/model", &text));
  EXPECT_EQ(text, R"(say "hi")");
  double x = 0;
  ASSERT_TRUE(escaped.get_number("/x", &x));
  EXPECT_EQ(x, 1);
  EXPECT_EQ(escaped.raw(), R"({ "model" : "say \"hi\"", "x" : 1 })");
  ASSERT_TRUE(before.get_string("/model", &text));  // a copy made before keeps its value
  EXPECT_EQ(text, "a");
  EXPECT_FALSE(escaped.set("/model", R"("bad \q escape")", kDepth));
  EXPECT_EQ(escaped.raw(), R"({ "model" : "say \"hi\"", "x" : 1 })");

  JsonBody nested;  // a string member below the root is spliced too
  ASSERT_FALSE(nested.assign(R"({"a":{"b":"c","d":2}})", true, kDepth));
  ASSERT_TRUE(nested.set("/a/b", R"("e")", kDepth));
  EXPECT_EQ(nested.raw(), R"({"a":{"b":"e","d":2}})");
  double number = 0;
  ASSERT_TRUE(nested.get_number("/a/d", &number));
  EXPECT_EQ(number, 2);

  JsonBody other;  // other shapes, missing members and bad values go through the document
  ASSERT_FALSE(other.assign(R"({"s":"t","o":{}})", true, kDepth));
  EXPECT_FALSE(other.set("/s", R"("unterminated)", kDepth));
  EXPECT_FALSE(other.set("/missing/x", R"("v")", kDepth));
  EXPECT_EQ(other.raw(), R"({"s":"t","o":{}})");
  ASSERT_TRUE(other.set("/o", R"("now a string")", kDepth));
  ASSERT_TRUE(other.set("/s", "[1]", kDepth));
  EXPECT_EQ(other.raw(), R"({"s":[1],"o":"now a string"})");
}

// splice_raw works on the text as raw() gives it: after an edit through the document, on the
// re-serialised text; a range outside it changes nothing; a copy sharing the index and the
// document keeps its own text and reads.
TEST(JsonBody, ARawSpliceIsOnTheTextAsItStandsAndLeavesCopiesAlone) {
  JsonBody body;
  ASSERT_FALSE(body.assign(R"({"model":"m1", "tags":["a"]})", true, kDepth));
  const JsonBody copy = body;
  ASSERT_TRUE(body.set("/tags/0", R"("b")", kDepth));  // through the document: re-serialised
  ASSERT_EQ(body.raw(), R"({"model":"m1","tags":["b"]})");
  EXPECT_FALSE(body.splice_raw(27, 1, "x", kDepth));
  EXPECT_FALSE(body.splice_raw(1, 27, "x", kDepth));
  ASSERT_EQ(body.raw(), R"({"model":"m1","tags":["b"]})");

  ASSERT_TRUE(body.splice_raw(9, 4, R"("gpt-4o")", kDepth));
  EXPECT_EQ(body.raw(), R"({"model":"gpt-4o","tags":["b"]})");
  std::string_view model;
  ASSERT_TRUE(body.get_string("/model", &model));  // indexed again on this read
  EXPECT_EQ(model, "gpt-4o");
  std::string tags;
  ASSERT_TRUE(body.get_json("/tags", &tags));
  EXPECT_EQ(tags, R"(["b"])");

  JsonBody copy_of_copy = copy;
  ASSERT_TRUE(copy_of_copy.get_string("/model", &model));
  EXPECT_EQ(model, "m1");
  EXPECT_EQ(copy_of_copy.raw(), R"({"model":"m1", "tags":["a"]})");

  // Depth 0: the bytes are kept raw, not JSON, whatever they are.
  ASSERT_TRUE(body.splice_raw(0, 0, " ", 0));
  EXPECT_FALSE(body.get_string("/model", &model));
  EXPECT_EQ(body.raw(), R"( {"model":"gpt-4o","tags":["b"]})");
}

}  // namespace
}  // namespace sluice::runtime
