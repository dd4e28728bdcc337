// Filter chains through real configs and the real process: local replies from the first and the
// last filter, STOP/resume across a timer, FAIL under both failure policies, on_complete on
// client abort, chain matching (404, methods), and the example plugins end to end.
//
// Uses the scripted test filter (test.script in libsluice_test_filters.so, see
// test/plugins/test_filters.h) and the example plugins from plugins/examples.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test/integration/harness.h"
#include "test/integration/http_client.h"

namespace sluice::it {
namespace {

using Clock = std::chrono::steady_clock;

std::string test_filters_library() {
  return bin_dir() + "/libsluice_test_filters.so";
}

// One test.script entry (list item at column 6) of a chain. `name` is both the instance name
// and the script's own name (its metric label); `members` are more config members as JSON.
std::string script(const std::string& name, const std::string& members = "",
                   const std::string& failure_policy = "") {
  std::string out = "      - type: test.script\n";
  out += "        name: " + name + "\n";
  out += "        library: " + test_filters_library() + "\n";
  if (!failure_policy.empty()) out += "        failure_policy: " + failure_policy + "\n";
  out += "        config: {\"name\": \"" + name + "\"" + (members.empty() ? "" : ", " + members) +
         "}\n";
  return out;
}

std::string direct(int status, const std::string& body) {
  return "      - type: direct_response\n"
         "        config: {status: " +
         std::to_string(status) + ", body: " + yaml_quote(body) +
         ", headers: {content-type: text/plain}}\n";
}

std::string add_header(const std::string& name, const std::string& value) {
  return "      - type: example.add_header\n"
         "        config: {name: " +
         name + ", value: " + yaml_quote(value) + "}\n";
}

std::string chain(const std::string& name, const std::string& prefix, const std::string& filters,
                  const std::string& methods = "") {
  std::string out = "  - name: " + name + "\n";
  out += "    match: {path_prefix: " + prefix;
  if (!methods.empty()) out += ", methods: " + methods;
  out += "}\n    filters:\n" + filters;
  return out;
}

class ChainTest : public ::testing::Test {
 protected:
  ::testing::AssertionResult start(const std::string& chains) {
    ServerConfig config;
    config.chains = chains;
    return server_.start(config);
  }

  std::optional<Response> get(const std::string& path, const std::vector<std::string>& headers = {},
                              const std::string& method = "GET") {
    std::string error;
    auto response = roundtrip(server_.port, get_request(path, headers, method), 5s, &error);
    EXPECT_TRUE(response) << method << " " << path << ": " << error;
    return response;
  }

  std::string metrics() {
    auto response = admin_get(server_.admin_port, "/metrics");
    EXPECT_TRUE(response && response->status == 200);
    return response ? response->body : "";
  }

  double metric(std::string_view name, const std::map<std::string, std::string>& labels) {
    return metric_sum(metrics(), name, labels).value_or(0);
  }

  TestServer server_;
};

// ---- local replies -------------------------------------------------------------------------

TEST_F(ChainTest, LocalReplyFromTheFirstFilterSkipsTheRest) {
  ASSERT_TRUE(start(chain("c", "/",
                          script("first", R"("on_request_headers": "reply:403")") +
                              add_header("x-added", "yes") + direct(200, "never"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(response->body, R"({"replied_by":"first"})");
  EXPECT_EQ(response->header("x-added"), nullptr)
      << "a filter after the one that replied ran its response hook";
  EXPECT_EQ(metric("sluice_plugin_test_completions_total", {{"filter", "first"}}), 1);
}

TEST_F(ChainTest, LocalReplyFromTheLastFilterCarriesEarlierFiltersHeaders) {
  ASSERT_TRUE(
      start(chain("c", "/",
                  add_header("x-added", "yes") + script("mid", R"("trace_header": "x-trace")") +
                      direct(201, "from-last"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "from-last");
  ASSERT_NE(response->header("x-added"), nullptr);
  EXPECT_EQ(*response->header("x-added"), "yes");
  ASSERT_NE(response->header("x-trace"), nullptr);
  EXPECT_EQ(*response->header("x-trace"), "mid");
}

TEST_F(ChainTest, ScriptedReplyFromTheLastFilterCarriesTheAddedHeader) {
  ASSERT_TRUE(start(chain(
      "c", "/",
      add_header("x-added", "yes") + script("last", R"("on_request_headers": "reply:202")"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, R"({"replied_by":"last"})");
  ASSERT_NE(response->header("x-added"), nullptr);
  EXPECT_EQ(*response->header("x-added"), "yes");
}

TEST_F(ChainTest, ChainWithoutAReplyIs500) {
  ASSERT_TRUE(start(chain("c", "/", script("only"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(openai_error_problem(response->body), "");
}

// ---- STOP and resume ---------------------------------------------------------------------------

TEST_F(ChainTest, StopThenResumeAcrossATimer) {
  ASSERT_TRUE(start(
      chain("c", "/",
            script("waiter",
                   R"("on_request_headers": "stop_then_resume:250", "trace_header": "x-trace")") +
                direct(200, "after-wait"))));
  const auto started = Clock::now();
  auto response = get("/x");
  const auto elapsed = Clock::now() - started;
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "after-wait");
  EXPECT_GE(elapsed, 240ms) << "answered before the filter resumed";
  ASSERT_NE(response->header("x-trace"), nullptr);
  EXPECT_EQ(*response->header("x-trace"), "waiter");
  EXPECT_EQ(metric("sluice_plugin_test_op_done_total", {{"filter", "waiter"}}), 1);
}

TEST_F(ChainTest, StopThenLocalReplyAfterATimer) {
  ASSERT_TRUE(start(chain("c", "/",
                          add_header("x-added", "yes") +
                              script("late", R"("on_request_headers": "stop_then_reply:150:429")") +
                              direct(200, "never"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(openai_error_problem(response->body), "");
  EXPECT_NE(response->body.find("late_reply"), std::string::npos) << response->body;
  ASSERT_NE(response->header("x-added"), nullptr);
}

TEST_F(ChainTest, OtherConnectionsAreServedWhileAFilterWaits) {
  ASSERT_TRUE(start(
      chain("slow", "/slow",
            script("w", R"("on_request_headers": "stop_then_resume:800")") + direct(200, "slow")) +
      chain("fast", "/", direct(200, "fast"))));
  Client slow = Client::connect(server_.port);
  ASSERT_TRUE(slow.ok());
  ASSERT_TRUE(slow.send(get_request("/slow")));
  const auto started = Clock::now();
  auto fast = get("/fast");
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->body, "fast");
  EXPECT_LT(Clock::now() - started, 700ms) << "the worker was blocked by the waiting filter";
  auto response = slow.read_response(5s);
  ASSERT_TRUE(response) << slow.error();
  EXPECT_EQ(response->body, "slow");
}

// ---- failures --------------------------------------------------------------------------------

TEST_F(ChainTest, FailWithPolicyClosedIs500) {
  ASSERT_TRUE(start(
      chain("c", "/", script("broken", R"("on_request_headers": "fail")") + direct(200, "ok"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(openai_error_problem(response->body), "");
  EXPECT_EQ(metric("sluice_filter_failures_total", {{"chain", "c"}, {"filter", "broken"}}), 1);
}

TEST_F(ChainTest, ThrowWithPolicyClosedIs500) {
  ASSERT_TRUE(start(
      chain("c", "/", script("thrower", R"("on_request_headers": "throw")") + direct(200, "ok"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(openai_error_problem(response->body), "");
  EXPECT_TRUE(server_.process.running());
}

TEST_F(ChainTest, FailWithPolicyOpenIsSkipped) {
  ASSERT_TRUE(
      start(chain("c", "/",
                  script("broken", R"("on_request_headers": "fail", "trace_header": "x-trace")",
                         "FAILURE_POLICY_OPEN") +
                      direct(200, "went-on"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "went-on");
  EXPECT_EQ(metric("sluice_filter_failures_total", {{"chain", "c"}, {"filter", "broken"}}), 1);
}

// ---- on_complete on client abort ---------------------------------------------------------------

TEST_F(ChainTest, OnCompleteRunsOncePerInstanceWhenTheClientResets) {
  ASSERT_TRUE(start(chain(
      "abort", "/",
      script("outer") + script("sleeper", R"("on_request_headers": "stop_then_resume:3000")") +
          script("never") + direct(200, "never"))));
  Client client = Client::connect(server_.port);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client.send(get_request("/x")));
  // Wait until the sleeper holds the request, then give up abruptly.
  ASSERT_TRUE(eventually(
      [&] {
        return metric("sluice_plugin_test_instances_total", {{"filter", "sleeper"}}) == 1;
      },
      3s));
  client.reset();
  ASSERT_TRUE(eventually(
      [&] {
        return metric("sluice_plugin_test_completions_total", {{"filter", "outer"}}) >= 1 &&
               metric("sluice_plugin_test_completions_total", {{"filter", "sleeper"}}) >= 1;
      },
      3s))
      << metrics();
  std::this_thread::sleep_for(300ms);  // a second call would land here
  const std::string text = metrics();
  EXPECT_EQ(metric_sum(text, "sluice_plugin_test_completions_total", {{"filter", "outer"}}), 1)
      << text;
  EXPECT_EQ(metric_sum(text, "sluice_plugin_test_completions_total", {{"filter", "sleeper"}}), 1)
      << text;
  EXPECT_EQ(metric_sum(text, "sluice_plugin_test_completions_total",
                       {{"filter", "outer"}, {"aborted", "1"}}),
            1)
      << text;
  EXPECT_EQ(metric_sum(text, "sluice_plugin_test_completions_total",
                       {{"filter", "sleeper"}, {"aborted", "1"}}),
            1)
      << text;
  EXPECT_EQ(
      metric_sum(text, "sluice_plugin_test_instances_total", {{"filter", "never"}}).value_or(0), 0)
      << text;
  EXPECT_EQ(
      metric_sum(text, "sluice_plugin_test_completions_total", {{"filter", "never"}}).value_or(0),
      0)
      << text;
  EXPECT_EQ(
      metric_sum(text, "sluice_requests_total", {{"chain", "abort"}, {"status", "client_abort"}}),
      1)
      << text;
  EXPECT_TRUE(server_.process.running());
}

TEST_F(ChainTest, OnCompleteRunsOncePerInstanceWhenTheClientCloses) {
  // A plain close (FIN) while a filter waits: whether the server treats it as an abort or as a
  // half-close and answers into the void, every instance completes exactly once.
  ASSERT_TRUE(start(chain("closing", "/",
                          script("outer") +
                              script("sleeper", R"("on_request_headers": "stop_then_resume:400")") +
                              direct(200, "late"))));
  Client client = Client::connect(server_.port);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client.send(get_request("/x")));
  ASSERT_TRUE(eventually(
      [&] {
        return metric("sluice_plugin_test_instances_total", {{"filter", "sleeper"}}) == 1;
      },
      3s));
  client.close();
  ASSERT_TRUE(eventually(
      [&] {
        return metric("sluice_plugin_test_completions_total", {{"filter", "outer"}}) >= 1 &&
               metric("sluice_plugin_test_completions_total", {{"filter", "sleeper"}}) >= 1;
      },
      3s))
      << metrics();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(metric("sluice_plugin_test_completions_total", {{"filter", "outer"}}), 1);
  EXPECT_EQ(metric("sluice_plugin_test_completions_total", {{"filter", "sleeper"}}), 1);
  EXPECT_EQ(metric("sluice_requests_total", {{"chain", "closing"}}), 1);
  EXPECT_TRUE(server_.process.running());
}

// ---- chain matching ----------------------------------------------------------------------------

TEST_F(ChainTest, PathNoChainMatchesIs404) {
  ASSERT_TRUE(start(chain("v1", "/v1", direct(200, "v1"))));
  auto ok = get("/v1/chat/completions");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  for (const char* path : {"/other", "/v1x", "/", "/v"}) {
    auto response = get(path, {"X-Request-Id: nf-1"});
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404) << path;
    EXPECT_EQ(openai_error_problem(response->body), "") << path;
    EXPECT_NE(response->body.find("route_not_found"), std::string::npos) << response->body;
    ASSERT_NE(response->header("x-request-id"), nullptr) << path;
    EXPECT_EQ(*response->header("x-request-id"), "nf-1");
  }
}

TEST_F(ChainTest, ChainsMatchByMethod) {
  ASSERT_TRUE(start(chain("posts", "/m", direct(200, "post"), "[POST]") +
                    chain("gets", "/m", direct(200, "get"), "[GET, HEAD]")));
  auto post = roundtrip(server_.port, body_request("POST", "/m", "{}"));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->body, "post");
  auto got = get("/m");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "get");
  auto put = roundtrip(server_.port, body_request("PUT", "/m", "{}"));
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 404);
  EXPECT_EQ(openai_error_problem(put->body), "");
}

TEST_F(ChainTest, FirstMatchingChainWins) {
  ASSERT_TRUE(start(chain("specific", "/v1/special", direct(200, "special")) +
                    chain("general", "/v1", direct(200, "general"))));
  auto special = get("/v1/special/x");
  auto general = get("/v1/other");
  ASSERT_TRUE(special && general);
  EXPECT_EQ(special->body, "special");
  EXPECT_EQ(general->body, "general");
}

// ---- example plugins end to end --------------------------------------------------------------

TEST_F(ChainTest, AddHeaderExampleAddsItsHeader) {
  ASSERT_TRUE(start(chain("c", "/",
                          add_header("X-Served-By", "sluice example") +
                              "      - type: example.add_header\n"
                              "        name: second\n"
                              "        library: " +
                              bin_dir() +
                              "/libexample.add_header.so\n"
                              "        config: {name: x-second, value: '2'}\n" +
                              direct(200, "ok"))));
  auto response = get("/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  ASSERT_NE(response->header("x-served-by"), nullptr);
  EXPECT_EQ(*response->header("x-served-by"), "sluice example");
  ASSERT_NE(response->header("x-second"), nullptr);
  EXPECT_EQ(*response->header("x-second"), "2");
}

TEST_F(ChainTest, AddHeaderExampleAddsItsHeaderToErrors) {
  ASSERT_TRUE(start(
      chain("c", "/v1", add_header("x-added", "yes") + direct(200, "ok")) +
      chain("fail", "/fail",
            add_header("x-added", "yes") + script("broken", R"("on_request_headers": "fail")"))));
  auto failed = get("/fail");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  ASSERT_NE(failed->header("x-added"), nullptr) << "response hooks skipped on a failure reply";
}

std::string require_header(const std::string& config) {
  return "      - type: example.require_header\n"
         "        config: " +
         config + "\n";
}

TEST_F(ChainTest, RequireHeaderExampleRejectsRequestsWithoutTheHeader) {
  ASSERT_TRUE(start(
      chain("c", "/",
            add_header("x-added", "yes") +
                require_header("{header: X-Team, status: 403, message: 'say which team you are'}") +
                direct(200, "passed"))));
  auto rejected = get("/x");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 403);
  EXPECT_EQ(openai_error_problem(rejected->body), "") << rejected->body;
  EXPECT_NE(rejected->body.find("say which team you are"), std::string::npos) << rejected->body;
  EXPECT_NE(rejected->body.find("missing_required_header"), std::string::npos) << rejected->body;
  EXPECT_NE(rejected->body.find("permission_error"), std::string::npos) << rejected->body;
  ASSERT_NE(rejected->header("x-added"), nullptr);

  auto empty = get("/x", {"X-Team:"});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 403) << "an empty value counts as missing";

  auto passed = get("/x", {"x-team: search"});
  ASSERT_TRUE(passed);
  EXPECT_EQ(passed->status, 200);
  EXPECT_EQ(passed->body, "passed");
}

TEST_F(ChainTest, RequireHeaderExampleDefaultsTo400WithAMessage) {
  ASSERT_TRUE(start(chain("c", "/", require_header("{header: x-team}") + direct(200, "ok"))));
  auto rejected = get("/x");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 400);
  EXPECT_EQ(openai_error_problem(rejected->body), "") << rejected->body;
  EXPECT_NE(rejected->body.find("x-team"), std::string::npos) << rejected->body;
  EXPECT_NE(rejected->body.find("invalid_request_error"), std::string::npos) << rejected->body;
}

}  // namespace
}  // namespace sluice::it
