// ABI 1.5 through a real plugin (plugin_v1_5.c): http_call_guarded's request (isolated, public
// addresses only, its timeouts), its body bound (declared and counted, the transfer stopped at
// once), its results (ok with any status and no redirect followed, timeout, refused address), its
// argument checks and the per-stream bounds on guarded calls. And the C++ SDK's wrapper, which
// does nothing on a 1.4 host. Part of runtime_tests.

#include <gtest/gtest.h>

#include <sluice/filter.hpp>

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

std::string fetch_chain() {
  return config_yaml({chain("fetch", "{path_prefix: /}",
                            {fmt::format("      - {{name: f, type: abi15.fetch, library: {}}}\n",
                                         bin_path("libsluice_abi_v1_5.so"))})});
}

class Abi15Test : public RuntimeTest {
 protected:
  void SetUp() override { ASSERT_TRUE(use(fetch_chain())); }
  // One request to the fixture with these x-fetch-* headers; the report body.
  std::string fetch(http::Headers headers) {
    headers.push_back({"x-fetch-url", "http://images.example/cat.png"});
    send("GET", "/img", "", headers);
    EXPECT_EQ(sink_.head.status, 200) << sink_.body;
    return sink_.body;
  }
};

TEST_F(Abi15Test, AGuardedCallIsIsolatedAndCarriesItsLimits) {
  FakeResponse image;
  image.headers = {{"content-type", "image/png"}};
  image.body = "PNGDATA";
  transport_->script({image});
  EXPECT_EQ(fetch({{"x-fetch-public", "1"}, {"x-fetch-timeout", "700"}, {"x-fetch-max", "7"}}),
            "1:0:200:7:PNGDATA\n");
  ASSERT_EQ(transport_->sent.size(), 1u);
  const UpstreamRequest& sent = transport_->sent[0].request;
  EXPECT_EQ(sent.url, "http://images.example/cat.png");
  EXPECT_EQ(sent.method, "GET");
  EXPECT_TRUE(sent.isolated);
  EXPECT_TRUE(sent.public_addresses_only);
  EXPECT_EQ(sent.timeouts.connect_ms, 700u);
  EXPECT_EQ(sent.timeouts.first_byte_ms, 700u);
  EXPECT_EQ(sent.timeouts.idle_ms, 700u);
  EXPECT_EQ(sent.timeouts.total_ms, 700u);
}

TEST_F(Abi15Test, PublicOnlyIsTheCallersChoice) {
  transport_->script({FakeResponse{}});
  fetch({{"x-fetch-public", "0"}});
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_TRUE(transport_->sent[0].request.isolated);
  EXPECT_FALSE(transport_->sent[0].request.public_addresses_only);
}

TEST_F(Abi15Test, ADeclaredLengthOverTheBoundEndsTheOpAtTheHead) {
  FakeResponse big;
  big.headers = {{"content-length", "5000"}};
  big.body.clear();
  big.chunks = {std::string(1000, 'x'), std::string(1000, 'x')};
  transport_->script({big});
  EXPECT_EQ(fetch({{"x-fetch-max", "4999"}}), "1:4:0:0:\n");  // SLUICE_OP_TOO_LARGE, no body
  EXPECT_EQ(transport_->cancelled, 1);                        // stopped before any chunk was read
}

TEST_F(Abi15Test, AHeadAnswersLengthIsNotABody) {
  FakeResponse head;
  head.headers = {{"content-length", "99999999"}};
  head.body.clear();
  transport_->script({head});
  EXPECT_EQ(fetch({{"x-fetch-method", "HEAD"}, {"x-fetch-max", "10"}}), "1:0:200:0:\n");
  EXPECT_EQ(transport_->sent[0].request.method, "HEAD");
}

TEST_F(Abi15Test, ACountedBodyOverTheBoundStopsTheTransferThere) {
  FakeResponse endless;
  endless.body.clear();
  for (int i = 0; i < 50; ++i) endless.chunks.push_back(std::string(1000, 'x'));
  transport_->script({endless});
  EXPECT_EQ(fetch({{"x-fetch-max", "2500"}}), "1:4:0:0:\n");
  EXPECT_EQ(transport_->cancelled, 1);  // the transfer stopped, the other 47 chunks never read
  EXPECT_EQ(transport_->answered, 0);
}

TEST_F(Abi15Test, ABodyOfExactlyTheBoundIsDelivered) {
  FakeResponse exact;
  exact.headers = {{"content-length", "2000"}};
  exact.body.clear();
  exact.chunks = {std::string(1000, 'a'), std::string(1000, 'b')};
  transport_->script({exact});
  EXPECT_EQ(fetch({{"x-fetch-max", "2000"}}), "1:0:200:2000:" + std::string(64, 'a') + "\n");
}

TEST_F(Abi15Test, ARedirectIsTheResultAndIsNotFollowed) {
  FakeResponse redirect;
  redirect.status = 302;
  redirect.headers = {{"location", "http://169.254.169.254/latest/meta-data/"}};
  redirect.body.clear();
  transport_->script({redirect, FakeResponse{}});
  EXPECT_EQ(fetch({}), "1:0:302:0:\n");
  EXPECT_EQ(transport_->sent.size(), 1u);
}

TEST_F(Abi15Test, TimeoutAndRefusedAddressHaveTheirOwnResults) {
  FakeResponse timeout;
  timeout.fail = true;
  timeout.fail_kind = UpstreamFailure::timeout;
  FakeResponse refused;
  refused.fail = true;
  refused.fail_kind = UpstreamFailure::refused;
  refused.delay_ms = 10;  // completions in token order
  FakeResponse connect;
  connect.fail = true;
  connect.delay_ms = 20;
  transport_->script({timeout, refused, connect});
  EXPECT_EQ(fetch({{"x-fetch-count", "3"}}), "1:2:0:0:\n2:5:0:0:\n3:3:0:0:\n");
}

// Each of these x-fetch-* headers alone makes the limits unacceptable.
class Abi15LimitsTest : public Abi15Test,
                        public ::testing::WithParamInterface<std::pair<const char*, const char*>> {
};

TEST_P(Abi15LimitsTest, LimitsOutOfRangeAreRefused) {
  const auto& [name, value] = GetParam();
  EXPECT_EQ(fetch({{name, value}}), "1:refused\n");
  EXPECT_TRUE(transport_->sent.empty());
}

INSTANTIATE_TEST_SUITE_P(Limits, Abi15LimitsTest,
                         ::testing::Values(std::pair{"x-fetch-no-limits", "1"},
                                           std::pair{"x-fetch-timeout", "0"},
                                           std::pair{"x-fetch-timeout", "60001"},
                                           std::pair{"x-fetch-max", "0"},
                                           std::pair{"x-fetch-max", "33554433"}));

TEST_F(Abi15Test, AStreamHasAtMostEightGuardedCallsPending) {
  std::vector<FakeResponse> answers(8);
  transport_->script(answers);
  const std::string report = fetch({{"x-fetch-count", "9"}});
  EXPECT_EQ(report.substr(0, 10), "9:refused\n");
  EXPECT_EQ(transport_->sent.size(), 8u);
}

TEST_F(Abi15Test, AStreamsPendingGuardedCallsReserveAtMost64MiB) {
  transport_->script({FakeResponse{}, FakeResponse{}});
  const std::string report =
      fetch({{"x-fetch-count", "3"}, {"x-fetch-max", std::to_string(30 * 1024 * 1024)}});
  EXPECT_EQ(report.substr(0, 10), "3:refused\n");  // 90 MiB would be reserved
  EXPECT_EQ(transport_->sent.size(), 2u);
}

TEST_F(Abi15Test, AWorkersRequestsTogetherReserveAtMost256MiB) {
  // Four requests each keep two 32 MiB fetches pending (answers that take seconds): 256 MiB.
  FakeResponse slow;
  slow.delay_ms = 10000;
  transport_->script(std::vector<FakeResponse>(8, slow));
  const std::string max = std::to_string(32 * 1024 * 1024);
  std::vector<std::unique_ptr<http::Exchange>> pending;
  for (int i = 0; i < 4; ++i) {
    start("GET", "/img", "",
          {{"x-fetch-url", "http://images.example/cat.png"},
           {"x-fetch-count", "2"},
           {"x-fetch-max", max}});
    run_for(5);
    ASSERT_FALSE(sink_.done) << sink_.body;
    pending.push_back(std::move(exchange_));
  }
  ASSERT_EQ(transport_->sent.size(), 8u);
  // A fifth request, well within its own bounds, finds the worker's spent.
  EXPECT_EQ(fetch({{"x-fetch-max", "1024"}}), "1:refused\n");
  EXPECT_EQ(transport_->sent.size(), 8u);
  // Once those requests are gone, their reservations are back.
  pending.clear();
  finish_exchange();
  sink_ = FakeSink();
  FakeResponse image;
  image.headers = {{"content-type", "image/png"}};
  image.body = "PNGDATA";
  transport_->script({image});
  EXPECT_EQ(fetch({{"x-fetch-max", "1024"}}), "1:0:200:7:PNGDATA\n");
}

// ---- the C++ SDK on this host and on a 1.4 host ----------------------------------------------

struct GuardedHost {
  static inline int calls = 0;
  static inline sluice_http_limits seen{};
  sluice_host_api api{};

  explicit GuardedHost(uint32_t minor) {
    calls = 0;
    seen = {};
    api.struct_size =
        minor >= 5 ? sizeof(sluice_host_api) : offsetof(sluice_host_api, http_call_guarded);
    api.abi_major = 1;
    api.abi_minor = minor;
    api.http_call_guarded = [](sluice_stream*, sluice_str, sluice_str, const sluice_header*, size_t,
                               sluice_str, const sluice_http_limits* limits, uint64_t) -> uint64_t {
      ++calls;
      seen = *limits;
      return 7;
    };
  }
};

TEST(Abi15Sdk, PassesTheLimitsOnA1_5Host) {
  GuardedHost host(5);
  sluice::Stream stream(&host.api, nullptr, nullptr);
  EXPECT_EQ(stream.http_call_guarded("GET", "https://x/y.png", "", {250, 4096, true}, 1), 7u);
  EXPECT_EQ(GuardedHost::calls, 1);
  EXPECT_EQ(GuardedHost::seen.struct_size, sizeof(sluice_http_limits));
  EXPECT_EQ(GuardedHost::seen.timeout_ms, 250u);
  EXPECT_EQ(GuardedHost::seen.max_body_bytes, 4096u);
  EXPECT_EQ(GuardedHost::seen.public_addresses_only, 1);
}

TEST(Abi15Sdk, RefusesOnA1_4HostInsteadOfCallingWithoutTheGuard) {
  GuardedHost host(4);
  sluice::Stream stream(&host.api, nullptr, nullptr);
  EXPECT_EQ(stream.http_call_guarded("GET", "https://x/y.png", "", {250, 4096, true}, 1), 0u);
  EXPECT_EQ(GuardedHost::calls, 0);
}

}  // namespace
}  // namespace sluice::runtime::testing
