// Tests for the plain message helpers, the OpenAI error body and the limit defaults.

#include <gtest/gtest.h>

#include "core/http/error_body.h"
#include "core/http/limits.h"
#include "core/http/message.h"
#include "test/unit/http/test_support.h"

namespace sluice::http {
namespace {

TEST(Message, FindHeaderReturnsFirstValue) {
  const Headers headers = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  ASSERT_NE(find_header(headers, "a"), nullptr);
  EXPECT_EQ(*find_header(headers, "a"), "1");
  EXPECT_EQ(*find_header(headers, "b"), "2");
  EXPECT_EQ(find_header(headers, "c"), nullptr);
  EXPECT_EQ(find_header({}, "a"), nullptr);
}

TEST(Message, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(408), "Request Timeout");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(414), "URI Too Long");
  EXPECT_EQ(reason_phrase(417), "Expectation Failed");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
  EXPECT_EQ(reason_phrase(799), "Unknown");
}

TEST(ErrorBody, ShapeAndDefaultTypes) {
  EXPECT_EQ(
      openai_error_body(400, "bad"),
      R"({"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}})");
  EXPECT_EQ(
      openai_error_body(429, "slow down", "rate_limited"),
      R"({"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limited"}})");
  EXPECT_EQ(openai_error_body(500, "x", {}, "custom_type"),
            R"({"error":{"message":"x","type":"custom_type","param":null,"code":null}})");
  EXPECT_EQ(default_error_type(401), "authentication_error");
  EXPECT_EQ(default_error_type(403), "permission_error");
  EXPECT_EQ(default_error_type(429), "rate_limit_error");
  EXPECT_EQ(default_error_type(404), "invalid_request_error");
  EXPECT_EQ(default_error_type(502), "server_error");
  EXPECT_TRUE(test::is_openai_error(openai_error_body(413, "too big")));
}

TEST(ErrorBody, EscapesJsonStrings) {
  const std::string body = openai_error_body(400, "q\"b\\n\n\r\t\x01\x1f/");
  EXPECT_NE(body.find(R"("message":"q\"b\\n\n\r\t\u0001\u001f/")"), std::string::npos) << body;
}

TEST(ErrorBody, KeepsValidUtf8AndReplacesInvalid) {
  // é (2 bytes), € (3 bytes), 😀 (4 bytes) pass; a lone continuation byte, a truncated sequence,
  // an overlong encoding and a UTF-16 surrogate become U+FFFD.
  const std::string valid = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  EXPECT_NE(openai_error_body(400, valid).find(valid), std::string::npos);
  const std::string body = openai_error_body(400,
                                             "a\x80"
                                             "b\xE2\x82"
                                             "c\xC0\xAF"
                                             "d\xED\xA0\x80");
  EXPECT_EQ(body.find('\x80'), std::string::npos);
  EXPECT_NE(body.find("a\xEF\xBF\xBD"
                      "b"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("\xEF\xBF\xBD\xEF\xBF\xBD"
                      "c"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("\xEF\xBF\xBD\xEF\xBF\xBD"
                      "d"),
            std::string::npos)
      << body;
}

TEST(Limits, DefaultsMatchTheProto) {
  const ServerLimits limits;
  EXPECT_EQ(limits.max_header_bytes, 65536u);
  EXPECT_EQ(limits.max_header_count, 100u);
  EXPECT_EQ(limits.max_url_bytes, 8192u);
  EXPECT_EQ(limits.max_body_bytes, 32ull * 1024 * 1024);
  EXPECT_EQ(limits.header_timeout_ms, 10000u);
  EXPECT_EQ(limits.body_idle_timeout_ms, 30000u);
  EXPECT_EQ(limits.keepalive_idle_timeout_ms, 60000u);
  EXPECT_EQ(limits.max_connections_per_worker, 10000u);
  EXPECT_EQ(limits.max_json_depth, 64u);
  EXPECT_EQ(limits.max_response_buffer_bytes, 1024u * 1024u);
}

}  // namespace
}  // namespace sluice::http
