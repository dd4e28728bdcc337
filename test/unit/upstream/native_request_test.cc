// The native client's URL parsing and request bytes (native_request.h).

#include "core/upstream/native_request.h"

#include <gtest/gtest.h>

#include "core/http/token.h"

namespace sluice::upstream {
namespace {

HttpUrl parse_ok(std::string_view text) {
  HttpUrl url;
  std::string error;
  EXPECT_TRUE(parse_http_url(text, &url, &error)) << text << ": " << error;
  return url;
}

std::string parse_error(std::string_view text) {
  HttpUrl url;
  std::string error;
  EXPECT_FALSE(parse_http_url(text, &url, &error)) << text;
  return error;
}

TEST(NativeRequestUrl, HostPortAndTarget) {
  HttpUrl url = parse_ok("http://Example.COM:8080/v1/chat?x=1#frag");
  EXPECT_EQ(url.host, "example.com");
  EXPECT_FALSE(url.ip_literal);
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.authority, "example.com:8080");
  EXPECT_EQ(url.target, "/v1/chat?x=1");
  EXPECT_EQ(url.pool_key, "example.com:8080");

  url = parse_ok("HTTP://10.0.0.1");
  EXPECT_TRUE(url.ip_literal);
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.authority, "10.0.0.1");
  EXPECT_EQ(url.target, "/");

  url = parse_ok("http://[::1]:9000?q");
  EXPECT_EQ(url.host, "::1");
  EXPECT_TRUE(url.ip_literal);
  EXPECT_EQ(url.authority, "[::1]:9000");
  EXPECT_EQ(url.target, "/?q");

  url = parse_ok("http://h:/x");
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.authority, "h");
}

TEST(NativeRequestUrl, Refusals) {
  EXPECT_NE(parse_error("https://example.com/").find("http://"), std::string::npos);
  EXPECT_NE(parse_error("/relative").find("http://"), std::string::npos);
  const std::string userinfo = parse_error("http://user:secret@example.com/");
  EXPECT_EQ(userinfo.find("secret"), std::string::npos);
  parse_error("http:///path");
  parse_error("http://host:0/");
  parse_error("http://host:65536/");
  parse_error("http://host:12a/");
  parse_error("http://[::1/");
  parse_error("http://[nonsense]/");
  parse_error("http://ho st/");
  parse_error("http://host/a b");
  parse_error("http://host/\x7f");
  parse_error("http://host/caf\xc3\xa9");
}

std::string serialize_ok(const runtime::UpstreamRequest& request) {
  HttpUrl url;
  std::string error;
  EXPECT_TRUE(parse_http_url(request.url, &url, &error)) << error;
  std::string bytes;
  EXPECT_TRUE(serialize_request(request, url, &bytes, &error)) << error;
  return bytes;
}

TEST(NativeRequestBytes, PostWithBodyAndDroppedFraming) {
  runtime::UpstreamRequest r;
  r.url = "http://127.0.0.1:4010/v1/chat/completions";
  r.method = "POST";
  r.headers = {{"Authorization", "Bearer sk-1"},
               {"content-type", "application/json"},
               {"Connection", "keep-alive"},
               {"Transfer-Encoding", "chunked"},
               {"content-length", "99"},
               {"TE", "trailers"},
               {"Upgrade", "h2c"},
               {"Keep-Alive", "timeout=5"},
               {"Proxy-Connection", "keep-alive"},
               {"x-empty", ""}};
  r.body = "{\"a\":1}";
  EXPECT_EQ(serialize_ok(r),
            "POST /v1/chat/completions HTTP/1.1\r\n"
            "Host: 127.0.0.1:4010\r\n"
            "Authorization: Bearer sk-1\r\n"
            "content-type: application/json\r\n"
            "x-empty:\r\n"
            "Content-Length: 7\r\n"
            "\r\n"
            "{\"a\":1}");
}

TEST(NativeRequestBytes, GivenHostWinsAndGetHasNoLength) {
  runtime::UpstreamRequest r;
  r.url = "http://backend/models";
  r.method = "GET";
  r.headers = {{"host", "api.example"}};
  EXPECT_EQ(serialize_ok(r), "GET /models HTTP/1.1\r\nhost: api.example\r\n\r\n");
}

TEST(NativeRequestBytes, EmptyBodiedWritesCarryZeroLength) {
  for (const char* method : {"POST", "PUT", "PATCH"}) {
    runtime::UpstreamRequest r;
    r.url = "http://h/";
    r.method = method;
    EXPECT_EQ(serialize_ok(r),
              std::string(method) + " / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  }
  runtime::UpstreamRequest del;
  del.url = "http://h/x";
  del.method = "DELETE";
  del.body = "z";
  EXPECT_EQ(serialize_ok(del), "DELETE /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nz");
}

TEST(NativeRequestBytes, Refusals) {
  HttpUrl url;
  std::string error;
  ASSERT_TRUE(parse_http_url("http://h/", &url, &error));
  std::string bytes;
  runtime::UpstreamRequest r;
  r.url = "http://h/";
  r.method = "GE T";
  EXPECT_FALSE(serialize_request(r, url, &bytes, &error));
  EXPECT_EQ(error, "request method is not a token");
  r.method = "GET";
  r.headers = {{"bad name", "v"}};
  EXPECT_FALSE(serialize_request(r, url, &bytes, &error));
  EXPECT_EQ(error, "request header name is not a token");
  for (const std::string& value :
       {std::string("a\r\nx: y"), std::string("a\nb"), std::string("a\0b", 3)}) {
    r.headers = {{"x", value}};
    EXPECT_FALSE(serialize_request(r, url, &bytes, &error));
    EXPECT_EQ(error, "request header value contains CR, LF or NUL");
  }
  r.headers.clear();
  r.method = "HEAD";
  r.body = "x";
  EXPECT_FALSE(serialize_request(r, url, &bytes, &error));
  EXPECT_EQ(error, "HEAD request with a body");
}

TEST(NativeRequestBytes, EveryValueByteAtEveryPlaceIsCheckedLikeTheSharedRule) {
  HttpUrl url;
  std::string error;
  ASSERT_TRUE(parse_http_url("http://h/", &url, &error));
  runtime::UpstreamRequest r;
  r.url = "http://h/";
  r.method = "GET";
  // Long enough that a scan many bytes at a time has a head, a middle and a tail.
  const std::string base(70, 'v');
  for (int byte = 0; byte < 256; ++byte) {
    for (const size_t at : {size_t{0}, size_t{1}, size_t{31}, size_t{32}, size_t{69}}) {
      std::string value = base;
      value[at] = static_cast<char>(byte);
      r.headers = {{"x-a", "ok"}, {"x-b", value}};
      std::string bytes;
      error.clear();
      const bool sent = serialize_request(r, url, &bytes, &error);
      EXPECT_EQ(sent, !http::has_cr_lf_or_nul(value)) << byte << " at " << at;
      if (sent) {
        EXPECT_NE(bytes.find("\r\nx-b: " + value + "\r\n"), std::string::npos) << byte;
      } else {
        EXPECT_EQ(error, "request header value contains CR, LF or NUL");
      }
    }
  }
}

TEST(NativeRequestBytes, FramingNamesDroppedInAnyCaseOthersOfTheirLengthKept) {
  runtime::UpstreamRequest r;
  r.url = "http://h/";
  r.method = "GET";
  r.headers = {{"tE", "trailers"},         {"UPGRADE", "h2c"},
               {"Connection", "close"},    {"KEEP-alive", "x"},
               {"Content-LENGTH", "9"},    {"proxy-Connection", "x"},
               {"transfer-encodinG", "x"}, {"tx", "2"},
               {"upgradX", "7"},           {"connectioN2", "11"},
               {"keep-alivf", "10"},       {"content-lengtx", "14"},
               {"proxy-connectioX", "16"}, {"transfer-encodinX", "17"}};
  EXPECT_EQ(serialize_ok(r),
            "GET / HTTP/1.1\r\nHost: h\r\ntx: 2\r\nupgradX: 7\r\nconnectioN2: 11\r\n"
            "keep-alivf: 10\r\ncontent-lengtx: 14\r\nproxy-connectioX: 16\r\n"
            "transfer-encodinX: 17\r\n\r\n");
}

}  // namespace
}  // namespace sluice::upstream
