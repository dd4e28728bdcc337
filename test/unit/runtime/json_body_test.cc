// JsonBody on its own: copies that share a document stay independent once one is edited, and
// lazily assigned bytes behave exactly like eagerly parsed ones.

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
  JsonBody escaped;  // an escaped key may be the same name: the document decides
  ASSERT_FALSE(escaped.assign(R"({"mod\u0065l":"a"})", true, kDepth));
  ASSERT_TRUE(escaped.set("/model", R"("b")", kDepth));
  EXPECT_EQ(escaped.raw(), R"({"model":"b"})");

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

}  // namespace
}  // namespace sluice::runtime
