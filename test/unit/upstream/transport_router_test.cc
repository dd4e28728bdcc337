// TransportRouter: which client carries which request, proven by the clients' own counters.

#include "core/upstream/transport_router.h"

#include <gtest/gtest.h>

#include "test/unit/upstream/upstream_test_support.h"

namespace sluice::upstream::test {
namespace {

class TransportRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clear_proxy_environment();
    origin = std::make_unique<Origin>(loop.base());
  }

  std::unique_ptr<TransportRouter> make_router(ProxyEnvironment proxies = {}) {
    std::string error;
    auto native = NativeTransport::create(loop.base(), {}, &error);
    EXPECT_TRUE(native) << error;
    auto curl = CurlTransport::create(loop.base(), {}, &error);
    EXPECT_TRUE(curl) << error;
    return std::make_unique<TransportRouter>(std::move(native), std::move(curl), proxies);
  }

  bool fetch(TransportRouter& router, const std::string& url) {
    runtime::UpstreamRequest r;
    r.url = url;
    r.method = "GET";
    Recorder recorder;
    auto call = router.start(r, recorder);
    if (!call) return false;
    return loop.run_until([&] { return recorder.finished(); }) && recorder.completed == 1;
  }

  Loop loop;
  std::unique_ptr<Origin> origin;
};

TEST_F(TransportRouterTest, PlainHttpGoesToTheNativeClient) {
  auto router = make_router();
  ASSERT_TRUE(fetch(*router, origin->url("/echo")));
  EXPECT_EQ(router->native()->connections_opened(), 1u);
  ASSERT_TRUE(fetch(*router, origin->url("/echo")));
  EXPECT_EQ(router->native()->connections_opened(), 1u);  // kept alive and reused
}

TEST_F(TransportRouterTest, WhatTheNativeClientDoesNotCarryGoesToLibcurl) {
  auto router = make_router();
  EXPECT_TRUE(router->goes_native("http://127.0.0.1:8000/v1/chat/completions"));
  EXPECT_TRUE(router->goes_native("HTTP://vllm.internal/v1"));
  EXPECT_FALSE(router->goes_native("https://api.openai.com/v1/chat/completions"));
  EXPECT_FALSE(router->goes_native("http://user:secret@127.0.0.1:8000/v1"));
  EXPECT_TRUE(router->goes_native("http://127.0.0.1:8000/v1?next=a@b"));  // '@' past the host

  // A URL with credentials is carried by libcurl: the native client opens nothing.
  std::string url = origin->url("/echo");
  url.insert(std::string("http://").size(), "user:pass@");
  ASSERT_TRUE(fetch(*router, url));
  EXPECT_EQ(router->native()->connections_opened(), 0u);
}

TEST_F(TransportRouterTest, AnHttpProxySendsEveryPlainRequestThroughLibcurl) {
  ProxyEnvironment proxies;
  proxies.http = "http://127.0.0.1:9";  // never reached: the origin is in no_proxy
  proxies.no_proxy = "127.0.0.1";
  auto router = make_router(proxies);
  EXPECT_FALSE(router->goes_native(origin->url("/echo")));
  ASSERT_TRUE(fetch(*router, origin->url("/echo")));
  EXPECT_EQ(router->native()->connections_opened(), 0u);
}

TEST_F(TransportRouterTest, WithoutANativeClientEverythingGoesToLibcurl) {
  std::string error;
  auto curl = CurlTransport::create(loop.base(), {}, &error);
  ASSERT_TRUE(curl) << error;
  TransportRouter router(nullptr, std::move(curl), {});
  EXPECT_FALSE(router.goes_native(origin->url("/echo")));
  EXPECT_TRUE(fetch(router, origin->url("/echo")));
}

}  // namespace
}  // namespace sluice::upstream::test
