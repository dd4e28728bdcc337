// http_call: a filter's HTTP callout on the worker's upstream client, completed through
// on_op_done with status, headers and body, and cancelled with its filter.

#include <gtest/gtest.h>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

std::string callout_chain() {
  return config_yaml({chain("callout", "{path_prefix: /}",
                            {filter("test.callout", "c", R"(url: "http://idp.test/check")")})});
}

class HttpCallTest : public RuntimeTest {};

TEST_F(HttpCallTest, ResponseReachesOnOpDoneWithTheCallersToken) {
  ASSERT_TRUE(use(callout_chain()));
  FakeResponse answer;
  answer.status = 201;
  answer.headers = {{"content-type", "text/plain"}};
  answer.body = "pong";
  transport_->script({answer});
  send("GET", "/anything", "", {});
  EXPECT_EQ(sink_.head.status, 200);
  EXPECT_EQ(sink_.body, "0|201|42|pong");  // SLUICE_OP_OK, status, token, body
  ASSERT_EQ(transport_->sent.size(), 1u);
  const UpstreamRequest& request = transport_->sent[0].request;
  EXPECT_EQ(request.url, "http://idp.test/check");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body, "ping");
  ASSERT_NE(http::find_header(request.headers, "x-callout"), nullptr);
  EXPECT_EQ(*http::find_header(request.headers, "x-callout"), "yes");
  EXPECT_EQ(request.timeouts.total_ms, 500u);
}

TEST_F(HttpCallTest, FailureIsReportedWithoutAStatus) {
  ASSERT_TRUE(use(callout_chain()));
  FakeResponse failure;
  failure.fail = true;
  transport_->script({failure});
  send("GET", "/anything", "", {});
  EXPECT_EQ(sink_.body, "3|0|42|");  // SLUICE_OP_FAILED
}

TEST_F(HttpCallTest, ClientAbortCancelsThePendingCall) {
  ASSERT_TRUE(use(callout_chain()));
  FakeResponse slow;
  slow.delay_ms = 500;
  transport_->script({slow});
  start("GET", "/anything", "", {});
  run_for(20);
  ASSERT_EQ(transport_->live, 1);
  exchange_->on_abort();
  finish_exchange();
  run_for(20);
  EXPECT_EQ(transport_->cancelled, 1);
  EXPECT_EQ(transport_->live, 0);
  EXPECT_FALSE(sink_.done);
}

}  // namespace
}  // namespace sluice::runtime::testing
