// The host API as filters use it: JSON body access, body limits, metadata, header rules.

#include <gtest/gtest.h>

#include <string>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

std::string nested_arrays(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

using HostApiTest = RuntimeTest;

TEST_F(HostApiTest, AResponseHookSetsTheStatusUntilTheHeadIsOut) {
  // b replies 200; a's response hooks turn it into a 502 (headers hook: the note says it took).
  ASSERT_TRUE(use(config_yaml({chain(
      "status", "{path_prefix: /}",
      {script("a", "response_status: 502"), script("b", R"(on_request_body: "reply:200")")})})));
  send("POST", "/v1/chat/completions", R"({"model":"m"})");
  EXPECT_EQ(sink_.head.status, 502);
  EXPECT_EQ(sink_.header("x-n-a-status-h"), "1");
}

TEST_F(HostApiTest, AResponseStatusOutsideHundredToFiveNinetyNineIsRefused) {
  ASSERT_TRUE(use(config_yaml({chain(
      "status-bad", "{path_prefix: /}",
      {script("a", "response_status: 99"), script("b", R"(on_request_body: "reply:201")")})})));
  send("POST", "/v1/chat/completions", R"({"model":"m"})");
  EXPECT_EQ(sink_.head.status, 201);  // not a status: refused
  EXPECT_EQ(sink_.header("x-n-a-status-h"), "0");
}

TEST_F(HostApiTest, JsonBodyReadAndRewriteIsSeenByTheNextFilter) {
  ASSERT_TRUE(use(config_yaml({chain(
      "json", "{path_prefix: /}",
      {script("a", R"(json_get: {model: /model}, json_set: {/model: '"rewritten"'})"),
       script("b", R"(json_get: {model: /model, content: /messages/0/content, n: /n,)"
                   R"( messages: /messages, missing: /nope}, on_request_body: "reply:200")")})})));
  send("POST", "/v1/chat/completions",
       R"({"model":"original","messages":[{"role":"user","content":"hi"}],"n":2})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-a-model"), "original");
  EXPECT_EQ(sink_.header("x-n-a-jset"), "1");
  EXPECT_EQ(sink_.header("x-n-b-model"), "rewritten");
  EXPECT_EQ(sink_.header("x-n-b-content"), "hi");
  EXPECT_EQ(sink_.header("x-n-b-n"), "2");
  EXPECT_EQ(sink_.header("x-n-b-messages"), R"([{"role":"user","content":"hi"}])");
  EXPECT_EQ(sink_.header("x-n-b-missing"), "<none>");
}

TEST_F(HostApiTest, JsonSetRefusesInvalidValuesAndMissingParents) {
  ASSERT_TRUE(use(config_yaml({chain(
      "json-bad", "{path_prefix: /}",
      {script("a", R"(json_set: {/model: 'not json'})"), script("b", R"(json_set: {/a/b/c: '1'})"),
       script("c", R"(json_set: {/new: '{"x":[1]}'}, json_get: {model: /model, new: /new/x/0},)"
                   R"( on_request_body: "reply:200")")})})));
  send("POST", "/x", R"({"model":"m"})");
  EXPECT_EQ(sink_.header("x-n-a-jset"), "0");
  EXPECT_EQ(sink_.header("x-n-b-jset"), "0");
  EXPECT_EQ(sink_.header("x-n-c-jset"), "1");
  EXPECT_EQ(sink_.header("x-n-c-model"), "m");
  EXPECT_EQ(sink_.header("x-n-c-new"), "<none>") << "json_get runs before json_set";
}

TEST_F(HostApiTest, JsonEditsReachTheUpstreamRequest) {
  ASSERT_TRUE(use(config_yaml(
      {chain("json-up", "{path_prefix: /}",
             {script("a", R"(json_set: {/model: '"m1"', /stream: 'false'})"),
              filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m1}]"),
              filter("test.upstream", "u", R"(url: "http://up/x")")})})));
  transport_->script({FakeResponse{}});
  send("POST", "/v1/chat/completions", R"({"model":"m0"})");
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(transport_->sent[0].request.body, R"({"model":"m1","stream":false})");
}

TEST_F(HostApiTest, AReplacedJsonBodyIsWhatTheNextFilterReadsAndWhatIsSent) {
  ASSERT_TRUE(use(config_yaml(
      {chain("replace", "{path_prefix: /}",
             {script("a", R"(body_replace: '{"model":"m1", "n":[3]}')"),
              script("b", R"(json_get: {model: /model, n: /n/0}, json_set: {/model: '"m2"'})"),
              filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m2}]"),
              filter("test.upstream", "u", R"(url: "http://up/x")")})})));
  transport_->script({FakeResponse{}});
  send("POST", "/v1/chat/completions", R"({"model":"m0"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-a-breplace"), "1");
  EXPECT_EQ(sink_.header("x-n-b-model"), "m1");
  EXPECT_EQ(sink_.header("x-n-b-n"), "3");
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(transport_->sent[0].request.body, R"({"model":"m2", "n":[3]})");
}

TEST_F(HostApiTest, AReplacedBodyThatIsNotJsonIsSentAsItIs) {
  // The filter chose these bytes: they go out unchanged, and the JSON view has nothing to show.
  ASSERT_TRUE(use(config_yaml(
      {chain("replace-raw", "{path_prefix: /}",
             {script("a", R"(body_replace: '{"model": "m1",')"),
              script("b", R"(json_get: {model: /model, all: ''}, json_set: {/model: '"m2"'})"),
              filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m2}]"),
              filter("test.upstream", "u", R"(url: "http://up/x")")})})));
  transport_->script({FakeResponse{}});
  send("POST", "/v1/chat/completions", R"({"model":"m0"})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-b-model"), "<none>");
  EXPECT_EQ(sink_.header("x-n-b-all"), "<none>");
  EXPECT_EQ(sink_.header("x-n-b-jset"), "0");
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(transport_->sent[0].request.body, R"({"model": "m1",)");
}

TEST_F(HostApiTest, AReplacedBodyThatLooksLikeJsonIsJsonWhateverItsContentType) {
  // As an undeclared body that looks like JSON is parsed when it arrives.
  ASSERT_TRUE(use(config_yaml(
      {chain("replace-undeclared", "{path_prefix: /}",
             {script("a", R"(body_replace: '{"model":"m1"}')"),
              script("b", R"(json_get: {model: /model})"),
              filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m2}]"),
              filter("test.upstream", "u", R"(url: "http://up/x")")})})));
  transport_->script({FakeResponse{}});
  send("POST", "/v1/chat/completions", "plain words", {{"content-type", "text/plain"}});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-b-model"), "m1");
}

TEST_F(HostApiTest, InvalidJsonDeclaredAsJsonIsRefusedWith400) {
  ASSERT_TRUE(use(config_yaml({chain("bad-json", "{path_prefix: /}", {script("a")})})));
  send("POST", "/v1/chat/completions", R"({"model": )",
       {{"content-type", "application/json; charset=utf-8"}});
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_code(sink_.body), "invalid_json");
  EXPECT_TRUE(error_message(sink_.body).starts_with("request body is not valid JSON: invalid JSON"))
      << sink_.body;
  EXPECT_NE(sink_.body.find(R"("type":"invalid_request_error")"), std::string::npos);
  EXPECT_EQ(instances("a"), 0);
}

TEST_F(HostApiTest, TrailingGarbageAfterJsonIsRefused) {
  ASSERT_TRUE(use(config_yaml({chain("trailing", "{path_prefix: /}", {script("a")})})));
  send("POST", "/x", R"({"a":1} x)");
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_NE(error_message(sink_.body).find("text after the document"), std::string::npos)
      << sink_.body;
}

TEST_F(HostApiTest, UndeclaredBodyThatIsNotJsonIsPassedRaw) {
  ASSERT_TRUE(use(config_yaml(
      {chain("raw", "{path_prefix: /}",
             {script("a", R"(json_get: {whole: ""}, on_request_body: "reply:200")")})})));
  send("POST", "/x", "{this is not json", {{"content-type", "text/plain"}});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-a-whole"), "<none>");
}

TEST_F(HostApiTest, UndeclaredBodyThatLooksLikeJsonIsParsed) {
  ASSERT_TRUE(use(config_yaml(
      {chain("sniffed", "{path_prefix: /}",
             {script("a", R"(json_get: {model: /model}, on_request_body: "reply:200")")})})));
  send("POST", "/x", R"( {"model":"sniffed"})", {});
  EXPECT_EQ(sink_.header("x-n-a-model"), "sniffed");
}

TEST_F(HostApiTest, BodyDeeperThanMaxJsonDepthIsRefusedWith400) {
  ASSERT_TRUE(use(config_yaml(
      {chain("depth", "{path_prefix: /}", {script("a", R"(on_request_body: "reply:200")")})})));
  send("POST", "/x", nested_arrays(64));  // the default limit, exactly
  EXPECT_EQ(sink_.head.status, 200);

  finish_exchange();
  sink_ = FakeSink();
  send("POST", "/x", nested_arrays(65));
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_message(sink_.body),
            "request body is not valid JSON: JSON nesting deeper than 64 levels");
}

TEST_F(HostApiTest, ConfiguredMaxJsonDepthApplies) {
  ASSERT_TRUE(use(config_yaml(
      {chain("depth-4", "{path_prefix: /}", {script("a", R"(on_request_body: "reply:200")")})},
      "limits:\n  max_json_depth: 4\n")));
  send("POST", "/x", R"({"a":[{"b":[1]}]})");  // 4 levels
  EXPECT_EQ(sink_.head.status, 200);

  finish_exchange();
  sink_ = FakeSink();
  send("POST", "/x", R"({"a":[{"b":[[1]]}]})");  // 5 levels
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_message(sink_.body),
            "request body is not valid JSON: JSON nesting deeper than 4 levels");
}

TEST_F(HostApiTest, HugeNestingDoesNotExhaustTheStack) {
  ASSERT_TRUE(use(config_yaml({chain("deep", "{path_prefix: /}", {script("a")})})));
  send("POST", "/x", nested_arrays(200000));
  EXPECT_EQ(sink_.head.status, 400);
}

TEST_F(HostApiTest, MetadataSetByOneFilterIsReadByTheNext) {
  ASSERT_TRUE(use(config_yaml({chain(
      "meta", "{path_prefix: /}",
      {script("a", R"(meta_get: {before: tenant}, meta_set: {tenant: acme})"),
       script("b", R"(meta_get: {tenant: tenant, other: nope})"),
       script("c", R"(meta_set: {tenant: changed-by-c}, on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-a-mset-tenant"), "1");
  EXPECT_EQ(sink_.header("x-n-a-before"), "<none>");
  EXPECT_EQ(sink_.header("x-n-b-tenant"), "acme");
  EXPECT_EQ(sink_.header("x-n-b-other"), "<none>");
  EXPECT_EQ(sink_.header("x-n-c-mset-tenant"), "1");
}

TEST_F(HostApiTest, HostReservedMetadataIsReadableButNotWritable) {
  ASSERT_TRUE(use(config_yaml({chain(
      "reserved", "{path_prefix: /v1}",
      {script("a", R"(meta_set: {request.id: forged, request.path: /forged},)"
                   R"( meta_get: {id: request.id, path: request.path, method: request.method,)"
                   R"( chain: request.chain})"),
       script("b", R"(on_request_body: "reply:200")")})})));
  send("POST", "/v1/chat/completions?x=1", R"({"k":1})",
       {{"content-type", "application/json"}, {"x-request-id", "req-42.a:b"}});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-a-mset-request.id"), "0");
  EXPECT_EQ(sink_.header("x-n-a-mset-request.path"), "0");
  EXPECT_EQ(sink_.header("x-n-a-id"), "req-42.a:b");
  EXPECT_EQ(sink_.header("x-request-id"), "req-42.a:b");
  EXPECT_EQ(sink_.header("x-n-a-path"), "/v1/chat/completions");
  EXPECT_EQ(sink_.header("x-n-a-method"), "POST");
  EXPECT_EQ(sink_.header("x-n-a-chain"), "reserved");
}

TEST_F(HostApiTest, MalformedIncomingRequestIdIsReplaced) {
  ASSERT_TRUE(use(config_yaml(
      {chain("rid", "{path_prefix: /}",
             {script("a", R"(meta_get: {id: request.id}, on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {{"x-request-id", "bad id\twith spaces"}});
  EXPECT_NE(sink_.header("x-request-id"), "bad id\twith spaces");
  EXPECT_EQ(sink_.header("x-request-id").size(), 32u);
  EXPECT_EQ(sink_.header("x-n-a-id"), sink_.header("x-request-id"));
  EXPECT_EQ(sink_.header_count("x-request-id"), 1);
}

TEST_F(HostApiTest, HeaderInjectionIsRefused) {
  ASSERT_TRUE(use(config_yaml(
      {chain("inject", "{path_prefix: /}",
             {script("a", R"(request_header_set: {x-evil: "a\r\nx-injected: 1", x-nul: "a\0b",)"
                          R"( "bad name": v, x-good: ok, X-Upper: up})"),
              script("b", R"(request_header_get: {evil: x-evil, injected: x-injected, nul: x-nul,)"
                          R"( good: x-good, upper: x-upper, upper2: X-UPPER},)"
                          R"( on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-n-a-hset-x-evil"), "0");
  EXPECT_EQ(sink_.header("x-n-a-hset-x-nul"), "0");
  EXPECT_EQ(sink_.header("x-n-a-hset-x-good"), "1");
  EXPECT_EQ(sink_.header("x-n-a-hset-x-upper"), "1");
  EXPECT_EQ(sink_.header("x-n-b-evil"), "<none>");
  EXPECT_EQ(sink_.header("x-n-b-injected"), "<none>");
  EXPECT_EQ(sink_.header("x-n-b-nul"), "<none>");
  EXPECT_EQ(sink_.header("x-n-b-good"), "ok");
  EXPECT_EQ(sink_.header("x-n-b-upper"), "up");  // stored lower-case, looked up either way
  EXPECT_EQ(sink_.header("x-n-b-upper2"), "up");
}

TEST_F(HostApiTest, LocalReplyWithAnInjectedHeaderValueIsRefused) {
  // b's reply carries its notes as headers; one holds CR LF (read from metadata), so the host
  // refuses the reply and b's hook fails.
  ASSERT_TRUE(use(config_yaml(
      {chain("inject-reply", "{path_prefix: /}",
             {script("a", R"(trace_header: x-trace, meta_set: {k: "v\r\nx-injected: 1"})"),
              script("b", R"(meta_get: {bad: k}, on_request_headers: "reply:200")")})})));
  send("GET", "/x", "", {});
  EXPECT_EQ(sink_.head.status, 500);
  EXPECT_EQ(error_message(sink_.body), "filter 'b' failed");
  EXPECT_EQ(sink_.header("x-injected"), "<absent>");
  EXPECT_EQ(sink_.header("x-trace"), "a");
}

TEST_F(HostApiTest, FramingHeadersFromFiltersNeverReachTheClient) {
  ASSERT_TRUE(use(config_yaml(
      {chain("framing", "{path_prefix: /}",
             {filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m}]"),
              filter("test.upstream", "u", R"(url: "http://up/x")")})})));
  FakeResponse response;
  response.headers = {{"content-type", "application/json"}, {"content-length", "999"},
                      {"transfer-encoding", "chunked"},     {"connection", "close"},
                      {"x-request-id", "from-upstream"},    {"x-upstream", "kept"}};
  transport_->script({response});
  send("POST", "/x", R"({"k":1})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-length"), "<absent>");
  EXPECT_EQ(sink_.header("transfer-encoding"), "<absent>");
  EXPECT_EQ(sink_.header("connection"), "<absent>");
  EXPECT_EQ(sink_.header("x-upstream"), "kept");
  EXPECT_EQ(sink_.header_count("x-request-id"), 1);
  EXPECT_NE(sink_.header("x-request-id"), "from-upstream");
}

}  // namespace
}  // namespace sluice::runtime::testing
