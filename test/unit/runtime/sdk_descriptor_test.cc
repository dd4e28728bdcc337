// The C++ SDK's filter descriptor (plugins/include/sluice/filter.hpp): a hook the filter class does
// not override goes to the host as NULL, which the host skips instead of calling a Continue; a
// hook it overrides, itself or through a class in between, goes as its trampoline. The filters
// of this repository are built so, and the runtime, integration and end-to-end tests run them.

#include <gtest/gtest.h>

#include <sluice/filter.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace sluice::sdk_test {
namespace {

struct NoConfig {
  static std::unique_ptr<NoConfig> create(ConfigContext&, std::string_view, std::string&) {
    return std::make_unique<NoConfig>();
  }
};

// Only what a log filter has.
class CompleteOnly : public Filter {
 public:
  CompleteOnly(const NoConfig&, Stream stream) : Filter(stream) {}
  void on_complete(bool) override {}
};

class RequestBodyOnly : public Filter {
 public:
  RequestBodyOnly(const NoConfig&, Stream stream) : Filter(stream) {}
  Status on_request_body() noexcept override { return Continue; }  // noexcept is allowed
};

// The override is the intermediate class's; the final class adds none.
class ResponseBase : public Filter {
 public:
  using Filter::Filter;
  Status on_response_headers(bool) override { return Continue; }
  void on_op_done(const sluice_op_done&) override {}
};
class FromResponseBase : public ResponseBase {
 public:
  FromResponseBase(const NoConfig&, Stream stream) : ResponseBase(stream) {}
};

// Names the SDK cannot resolve to one member: an overloaded hook name, a hook hidden by a const
// member of the same name. These compiled before and must still, with their hooks called.
class Overloaded : public Filter {
 public:
  Overloaded(const NoConfig&, Stream stream) : Filter(stream) {}
  using Filter::on_request_headers;
  Status on_request_headers(bool end_of_stream, int) { return on_request_headers(end_of_stream); }
};
class HiddenByConst : public Filter {
 public:
  HiddenByConst(const NoConfig&, Stream stream) : Filter(stream) {}
  void on_complete(bool) const {}
};

class Router : public RouteFilter {
 public:
  Router(const NoConfig&, Stream stream) : RouteFilter(stream) {}
  Status on_request_body() override { return Continue; }
};

TEST(SdkDescriptor, HooksTheClassDoesNotOverrideAreNull) {
  const sluice_filter* d = SLUICE_FILTER_TYPE("sdk.complete_only", NoConfig, CompleteOnly);
  EXPECT_EQ(d->on_request_headers, nullptr);
  EXPECT_EQ(d->on_request_body, nullptr);
  EXPECT_EQ(d->on_response_headers, nullptr);
  EXPECT_EQ(d->on_response_body, nullptr);
  EXPECT_EQ(d->on_op_done, nullptr);
  EXPECT_NE(d->on_complete, nullptr);
  EXPECT_EQ(d->on_attempt_done, nullptr);
  // What every filter needs whatever it overrides.
  EXPECT_NE(d->config_new, nullptr);
  EXPECT_NE(d->config_destroy, nullptr);
  EXPECT_NE(d->stream_new, nullptr);
  EXPECT_NE(d->stream_destroy, nullptr);

  d = SLUICE_FILTER_TYPE("sdk.request_body_only", NoConfig, RequestBodyOnly);
  EXPECT_EQ(d->on_request_headers, nullptr);
  EXPECT_NE(d->on_request_body, nullptr);
  EXPECT_EQ(d->on_response_headers, nullptr);
  EXPECT_EQ(d->on_complete, nullptr);
}

TEST(SdkDescriptor, WhatItCannotTellCountsAsOverridden) {
  const sluice_filter* d = SLUICE_FILTER_TYPE("sdk.overloaded", NoConfig, Overloaded);
  EXPECT_NE(d->on_request_headers, nullptr);
  EXPECT_EQ(d->on_request_body, nullptr);
  d = SLUICE_FILTER_TYPE("sdk.hidden_by_const", NoConfig, HiddenByConst);
  EXPECT_NE(d->on_complete, nullptr);
  EXPECT_EQ(d->on_response_body, nullptr);
}

TEST(SdkDescriptor, AnOverrideInAClassBetweenCounts) {
  const sluice_filter* d = SLUICE_FILTER_TYPE("sdk.from_base", NoConfig, FromResponseBase);
  EXPECT_NE(d->on_response_headers, nullptr);
  EXPECT_NE(d->on_op_done, nullptr);
  EXPECT_EQ(d->on_response_body, nullptr);
  EXPECT_EQ(d->on_request_headers, nullptr);

  d = SLUICE_FILTER_TYPE("sdk.router", NoConfig, Router);
  EXPECT_NE(d->on_attempt_done, nullptr);  // RouteFilter's: what makes the host route
  EXPECT_NE(d->on_request_body, nullptr);
  EXPECT_EQ(d->on_request_headers, nullptr);
}

}  // namespace
}  // namespace sluice::sdk_test
