// Tests for prepare_request: URL and method checks, libcurl request modes, header lines.

#include "core/upstream/request_prep.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::upstream {
namespace {

using Mode = PreparedRequest::Mode;

runtime::UpstreamRequest make(std::string method, std::string body = "") {
  runtime::UpstreamRequest request;
  request.url = "http://127.0.0.1:8080/v1/chat";
  request.method = std::move(method);
  request.body = std::move(body);
  return request;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST(RequestPrep, MapsMethodsOntoLibcurlModes) {
  PreparedRequest out;
  std::string error;
  ASSERT_TRUE(prepare_request(make("GET"), &out, &error)) << error;
  EXPECT_EQ(out.mode, Mode::plain);
  EXPECT_EQ(out.custom_method, "");
  EXPECT_EQ(out.scheme, "http");
  ASSERT_TRUE(prepare_request(make("HEAD"), &out, &error));
  EXPECT_EQ(out.mode, Mode::head);
  EXPECT_EQ(out.custom_method, "");
  ASSERT_TRUE(prepare_request(make("POST"), &out, &error));  // empty body: Content-Length: 0
  EXPECT_EQ(out.mode, Mode::upload);
  EXPECT_EQ(out.custom_method, "");
  ASSERT_TRUE(prepare_request(make("PUT", "x"), &out, &error));
  EXPECT_EQ(out.mode, Mode::upload);
  EXPECT_EQ(out.custom_method, "PUT");
  ASSERT_TRUE(prepare_request(make("DELETE"), &out, &error));
  EXPECT_EQ(out.mode, Mode::plain);
  EXPECT_EQ(out.custom_method, "DELETE");
  ASSERT_TRUE(prepare_request(make("GET", "{}"), &out, &error));  // a GET with a body
  EXPECT_EQ(out.mode, Mode::upload);
  EXPECT_EQ(out.custom_method, "GET");
  auto https = make("GET");
  https.url = "HTTPS://example.com/x";
  ASSERT_TRUE(prepare_request(https, &out, &error));
  EXPECT_EQ(out.scheme, "https");
}

TEST(RequestPrep, HeaderLinesKeepOrderDropFramingAndSwitchOffLibcurlAdditions) {
  auto request = make("POST", "{}");
  request.headers = {{"Authorization", "Bearer sk-123456"},
                     {"X-Custom", "Value One"},
                     {"Content-Length", "999"},
                     {"transfer-encoding", "chunked"},
                     {"Connection", "keep-alive"},
                     {"X-Empty", ""},
                     {"X-Blank", "  "},
                     {"Host", "api.example.com"}};
  PreparedRequest out;
  std::string error;
  ASSERT_TRUE(prepare_request(request, &out, &error)) << error;
  const std::vector<std::string> expected = {"Authorization: Bearer sk-123456",
                                             "X-Custom: Value One",
                                             "X-Empty;",
                                             "X-Blank;",
                                             "Host: api.example.com",
                                             "Expect:",
                                             "Accept:",
                                             "Content-Type:"};
  EXPECT_EQ(out.header_lines, expected);

  // Set by the request: kept, and libcurl's own versions are not switched off twice.
  request.headers = {{"Accept", "text/event-stream"},
                     {"Content-Type", "application/json"},
                     {"Expect", "100-continue"}};
  ASSERT_TRUE(prepare_request(request, &out, &error));
  EXPECT_EQ(out.header_lines,
            (std::vector<std::string>{"Accept: text/event-stream", "Content-Type: application/json",
                                      "Expect: 100-continue"}));
  // Without a body there is no Content-Type to switch off.
  ASSERT_TRUE(prepare_request(make("GET"), &out, &error));
  EXPECT_EQ(out.header_lines, (std::vector<std::string>{"Expect:", "Accept:"}));
}

TEST(RequestPrep, RejectsWhatCannotBeSent) {
  PreparedRequest out;
  std::string error;
  for (const char* url :
       {"ftp://example.com/", "/relative/path", "example.com/x", "", "http://exa mple.com/"}) {
    auto request = make("GET");
    request.url = url;
    EXPECT_FALSE(prepare_request(request, &out, &error)) << url;
    EXPECT_FALSE(error.empty());
  }
  for (const char* method : {"", "GE T", "GET\r\n", "P(OST)"}) {
    EXPECT_FALSE(prepare_request(make(method), &out, &error)) << method;
    EXPECT_EQ(error, "request method is not a token");
  }
  auto injected = make("GET");
  injected.headers = {{"X-A", "v\r\nX-Injected: 1"}};
  EXPECT_FALSE(prepare_request(injected, &out, &error));
  EXPECT_EQ(error, "request header value contains CR, LF or NUL");
  injected.headers = {{"X-A", std::string("a\0b", 3)}};
  EXPECT_FALSE(prepare_request(injected, &out, &error));
  injected.headers = {{"X A", "v"}};
  EXPECT_FALSE(prepare_request(injected, &out, &error));
  EXPECT_EQ(error, "request header name is not a token");
  injected.headers = {{"X-A:", "v"}};
  EXPECT_FALSE(prepare_request(injected, &out, &error));
  EXPECT_FALSE(prepare_request(make("HEAD", "body"), &out, &error));
  EXPECT_EQ(error, "HEAD request with a body");
}

TEST(RequestPrep, CollectsSecrets) {
  auto request = make("GET");
  request.url = "https://user%21:p%40ss@example.com/x";
  request.headers = {{"Authorization", "Bearer sk-secret"}, {"X-Short", "abc"}};
  PreparedRequest out;
  std::string error;
  ASSERT_TRUE(prepare_request(request, &out, &error)) << error;
  for (const char* secret : {"user%21", "user!", "p%40ss", "p@ss", "Bearer sk-secret"}) {
    EXPECT_TRUE(has(out.secrets, secret)) << secret;
  }
  EXPECT_FALSE(has(out.secrets, "abc"));  // too short to mask without mangling the reason
}

}  // namespace
}  // namespace sluice::upstream
