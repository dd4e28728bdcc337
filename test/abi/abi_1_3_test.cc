// ABI 1.3 host functions through a real plugin (plugin_v1_3.c): meta_get_many with present,
// absent, empty and NULL keys, count 0, NULL arguments and many keys; headers_clear in every hook,
// done where header_set may write and refused elsewhere. And the C++ SDK's use of them, with its
// fallback on a host older than 1.3. Part of runtime_tests.

#include <gtest/gtest.h>

#include <sluice/filter.hpp>

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

std::string fixture() {
  return bin_path("libsluice_abi_v1_3.so");
}

std::string abi13_entry(std::string_view type, std::string_view name) {
  return fmt::format("      - {{name: {}, type: {}, library: {}}}\n", name, type, fixture());
}

class Abi13Test : public RuntimeTest {
 protected:
  int64_t cleared(std::string_view hook, std::string_view part, std::string_view outcome) const {
    return metric_delta(
        fmt::format(R"(sluice_plugin_abi13_clear_total{{hook="{}",part="{}",outcome="{}"}})", hook,
                    part, outcome));
  }
  // Every hook's outcome for both parts, as "hook part outcome" lines of the hooks that ran.
  std::vector<std::string> clear_outcomes() const {
    std::vector<std::string> lines;
    for (const char* hook : {"on_request_headers", "on_request_body", "on_response_headers",
                             "on_response_body", "on_complete"}) {
      for (const char* part : {"request", "response"}) {
        for (const char* outcome : {"cleared", "refused", "inconsistent"}) {
          if (int64_t n = cleared(hook, part, outcome)) {
            lines.push_back(fmt::format("{} {} {} x{}", hook, part, outcome, n));
          }
        }
      }
    }
    return lines;
  }
};

TEST_F(Abi13Test, MetaGetManyReadsPresentAbsentAndEmptyKeysAndHandlesEdgeCases) {
  ASSERT_TRUE(use(config_yaml({chain(
      "meta", "{path_prefix: /}",
      {script("a", "meta_set: {abi.given: 'yes', abi.empty: ''}"), abi13_entry("abi13.meta", "m"),
       script("b", R"(on_request_headers: "reply:200")")})})));
  send("GET", "/v1/x");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-abi13-meta"),
            "found=5;request.method=GET;abi.absent=<absent>;request.path=/v1/x;abi.given=yes;"
            "(empty)=<absent>;(null)=<absent>;request.chain=meta;timing.total_us=<absent>;"
            "abi.empty="
            ";zero=0,untouched;null_stream=0,absent;null_keys=0,absent;null_out=0;many=20,ok");
  // In on_complete, the host's completion metadata is there too.
  EXPECT_EQ(metric_delta("sluice_plugin_abi13_meta_total{report=\"found=2;response.status=200;"
                         "abi.absent=<absent>;request.method=GET\"}"),
            1);
}

TEST_F(Abi13Test, HeadersClearWorksWhereHeaderSetDoesAndIsRefusedElsewhere) {
  ASSERT_TRUE(use(config_yaml(
      {chain("clear", "{path_prefix: /}",
             {abi13_entry("abi13.clear", "c"),
              filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m}]"),
              filter("test.upstream", "u", R"(url: "http://up/{deployment}")")})})));
  FakeResponse response;
  response.headers = {{"content-type", "application/json"}, {"x-upstream", "1"}};
  transport_->script({response});
  send("POST", "/v1/chat", R"({"model":"m"})",
       {{"content-type", "application/json"}, {"x-client", "1"}, {"x-client", "2"}});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("x-upstream"), "<absent>");  // cleared in on_response_headers
  EXPECT_EQ(sink_.header("content-type"), "<absent>");
  EXPECT_EQ(sink_.header("x-abi13-clear"), "after");  // what was set after the clear stays
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(http::find_header(transport_->sent[0].request.headers, "x-client"), nullptr);
  EXPECT_EQ(http::find_header(transport_->sent[0].request.headers, "content-type"), nullptr);
  EXPECT_EQ(clear_outcomes(), (std::vector<std::string>{
                                  "on_request_headers request cleared x1",
                                  "on_request_headers response refused x1",
                                  "on_request_body request cleared x1",
                                  "on_request_body response refused x1",
                                  "on_response_headers request refused x1",
                                  "on_response_headers response cleared x1",
                                  "on_response_body request refused x1",
                                  "on_response_body response cleared x1",
                                  "on_complete request refused x1",
                                  "on_complete response refused x1",
                              }));
}

TEST_F(Abi13Test, HeadersClearInAPerAttemptFilterClearsThatAttemptsRequest) {
  ASSERT_TRUE(use(config_yaml(
      {chain("clear-attempt", "{path_prefix: /}",
             {script("a", "request_header_set: {x-before-router: '1'}"),
              filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m}]"),
              abi13_entry("abi13.clear", "c"),
              filter("test.upstream", "u", R"(url: "http://up/{deployment}")")})})));
  transport_->script({FakeResponse{}});
  send("POST", "/v1/chat", R"({"model":"m"})",
       {{"content-type", "application/json"}, {"x-client", "1"}});
  EXPECT_EQ(sink_.head.status, 200);
  ASSERT_EQ(transport_->sent.size(), 1u);
  const http::Headers& sent = transport_->sent[0].request.headers;
  EXPECT_EQ(http::find_header(sent, "x-client"), nullptr);
  EXPECT_EQ(http::find_header(sent, "x-before-router"), nullptr);
  EXPECT_EQ(http::find_header(sent, "content-type"), nullptr);
  EXPECT_EQ(cleared("on_request_headers", "request", "cleared"), 1);
  EXPECT_EQ(cleared("on_response_headers", "response", "cleared"), 1);
  EXPECT_EQ(cleared("on_complete", "request", "refused"), 1);
}

TEST_F(Abi13Test, HeadersClearOfAStreamedResponseIsRefusedOnceItsHeadIsSent) {
  ASSERT_TRUE(use(config_yaml(
      {chain("clear-stream", "{path_prefix: /}",
             {abi13_entry("abi13.clear", "c"),
              filter("test.router", "r", "targets: [{deployment: d0, provider: p, model: m}]"),
              filter("test.upstream", "u", R"(url: "http://up/{deployment}")")})})));
  FakeResponse response;
  response.headers = {{"content-type", "text/event-stream"}};
  response.body.clear();
  response.chunks = {"data: {\"n\":1}\n\n", "data: [DONE]\n\n"};
  transport_->script({response});
  send("POST", "/v1/chat", R"({"model":"m","stream":true})");
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.header("content-type"), "<absent>");  // cleared before the head went
  EXPECT_EQ(cleared("on_response_headers", "response", "cleared"), 1);
  // Two events and the closing pass, each after the head went to the client.
  EXPECT_EQ(cleared("on_response_body", "response", "refused"), 3);
  EXPECT_EQ(cleared("on_response_body", "response", "cleared"), 0);
}

// ---- the C++ SDK on this host and on a 1.2 host ----------------------------------------------

// A host table over a plain map of metadata and one list of request headers, in which every hook
// may write. `minor` 2 gives the 1.2 table: it ends before meta_get_many.
struct FakeHost {
  static inline FakeHost* current = nullptr;
  std::map<std::string, std::string> meta;
  std::vector<std::pair<std::string, std::string>> headers;
  int many_calls = 0, get_calls = 0, clear_calls = 0, set_calls = 0;
  sluice_host_api api{};

  explicit FakeHost(uint32_t minor) {
    current = this;
    api.struct_size =
        minor >= 3 ? sizeof(sluice_host_api) : offsetof(sluice_host_api, meta_get_many);
    api.abi_major = 1;
    api.abi_minor = minor;
    api.meta_get = [](sluice_stream*, sluice_str key, sluice_str* out) -> int {
      ++current->get_calls;
      return lookup(key, out);
    };
    api.header_count = [](sluice_stream*, sluice_part) -> size_t {
      return current->headers.size();
    };
    api.header_at = [](sluice_stream*, sluice_part, size_t i, sluice_header* out) -> int {
      if (i >= current->headers.size()) return 0;
      const auto& [name, value] = current->headers[i];
      *out = sluice_header{{name.data(), name.size()}, {value.data(), value.size()}};
      return 1;
    };
    api.header_set = [](sluice_stream*, sluice_part, sluice_str name, sluice_str value) -> int {
      ++current->set_calls;
      std::string key(name.ptr, name.len);
      std::erase_if(current->headers, [&](const auto& h) { return h.first == key; });
      if (value.ptr) current->headers.emplace_back(key, std::string(value.ptr, value.len));
      return 1;
    };
    if (minor >= 3) {
      api.meta_get_many = [](sluice_stream*, const sluice_str* keys, size_t count,
                             sluice_str* out) -> size_t {
        ++current->many_calls;
        size_t found = 0;
        for (size_t i = 0; i < count; ++i) {
          out[i] = sluice_str{nullptr, 0};
          found += lookup(keys[i], &out[i]);
        }
        return found;
      };
      api.headers_clear = [](sluice_stream*, sluice_part) -> int {
        ++current->clear_calls;
        current->headers.clear();
        return 1;
      };
    }
  }
  ~FakeHost() { current = nullptr; }

  static int lookup(sluice_str key, sluice_str* out) {
    auto it = current->meta.find(std::string(key.ptr, key.len));
    if (it == current->meta.end()) return 0;
    *out = sluice_str{it->second.data(), it->second.size()};
    return 1;
  }
};

void check_sdk(uint32_t minor) {
  FakeHost host(minor);
  host.meta = {{"a", "1"}, {"empty", ""}};
  host.headers = {{"x", "1"}, {"y", "2"}, {"x", "3"}};
  sluice::Stream stream(&host.api, nullptr, nullptr);
  const sluice_str keys[] = {SLUICE_LIT("a"), SLUICE_LIT("none"), SLUICE_LIT("empty")};
  sluice_str out[3] = {SLUICE_LIT("junk"), SLUICE_LIT("junk"), SLUICE_LIT("junk")};
  EXPECT_EQ(stream.meta_many(keys, 3, out), 2u);
  EXPECT_EQ(std::string_view(out[0].ptr, out[0].len), "1");
  EXPECT_EQ(out[1].ptr, nullptr);
  EXPECT_EQ(out[1].len, 0u);
  EXPECT_NE(out[2].ptr, nullptr);
  EXPECT_EQ(out[2].len, 0u);
  EXPECT_TRUE(stream.clear_headers(sluice::Part::request));
  EXPECT_TRUE(host.headers.empty());
  if (minor >= 3) {
    EXPECT_EQ(host.many_calls, 1);
    EXPECT_EQ(host.get_calls, 0);
    EXPECT_EQ(host.clear_calls, 1);
    EXPECT_EQ(host.set_calls, 0);
  } else {
    EXPECT_EQ(host.get_calls, 3);  // one meta_get per key
    EXPECT_EQ(host.set_calls, 2);  // one header_set per name
  }
}

TEST(Abi13Sdk, UsesTheBatchedFunctionsOnA1_3Host) {
  check_sdk(3);
}

TEST(Abi13Sdk, FallsBackToOneCallPerKeyAndPerNameOnA1_2Host) {
  check_sdk(2);
}

}  // namespace
}  // namespace sluice::runtime::testing
