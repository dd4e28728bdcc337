#pragma once
// The fixture the CurlTransport tests share: one loop, a scripted origin and a transport on it,
// no proxy variables in the environment.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/upstream/curl_transport.h"
#include "test/unit/upstream/upstream_test_support.h"

namespace sluice::upstream::test {

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clear_proxy_environment();
    origin = std::make_unique<Origin>(loop.base());
    transport = make_transport();
  }

  std::unique_ptr<CurlTransport> make_transport(CurlTransportOptions options = {}) {
    std::string error;
    auto made = CurlTransport::create(loop.base(), options, &error);
    EXPECT_TRUE(made) << error;
    return made;
  }

  runtime::UpstreamRequest request(std::string_view path, std::string method = "GET") const {
    runtime::UpstreamRequest r;
    r.url = origin->url(path);
    r.method = std::move(method);
    return r;
  }

  bool wait(const Recorder& recorder, int timeout_ms = 5000) {
    return loop.run_until([&] { return recorder.finished(); }, timeout_ms);
  }

  Loop loop;
  std::unique_ptr<Origin> origin;
  std::unique_ptr<CurlTransport> transport;
};

}  // namespace sluice::upstream::test
