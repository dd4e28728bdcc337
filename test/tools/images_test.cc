// fake-llm's image endpoint (tools/fake-llm/images.h): formats and their signatures, padding,
// chunked framing, status and Location, Content-Type override, bad options, and its log entry.

#include <gtest/gtest.h>

#include <string>

#include "test/tools/support.h"

namespace fake_llm::test {
namespace {

TEST(FakeImages, EachFormatComesWithItsTypeAndSignature) {
  Server server;
  const struct {
    const char* name;
    const char* type;
    std::string signature;
  } cases[] = {
      {"cat.png", "image/png", std::string("\x89PNG\r\n\x1a\n", 8)},
      {"cat.jpg", "image/jpeg", std::string("\xFF\xD8\xFF", 3)},
      {"cat.jpeg", "image/jpeg", std::string("\xFF\xD8\xFF", 3)},
      {"cat.gif", "image/gif", "GIF89a"},
      {"cat.webp", "image/webp", "RIFF"},
      {"cat.txt", "text/plain", "not an image"},
  };
  for (const auto& c : cases) {
    Response r = call(server.port(), "GET", std::string("/_fake/images/") + c.name);
    EXPECT_EQ(r.status, 200) << c.name;
    ASSERT_NE(r.header("content-type"), nullptr);
    EXPECT_EQ(*r.header("content-type"), c.type);
    EXPECT_TRUE(r.body.starts_with(c.signature)) << c.name;
  }
  Response png = call(server.port(), "GET", "/_fake/images/cat.png");
  EXPECT_EQ(png.body.size(), 70u);  // the whole 1x1 PNG
  EXPECT_TRUE(png.body.ends_with("IEND\xae\x42\x60\x82"));
}

TEST(FakeImages, PaddingChunkingTypeAndStatusOptions) {
  Server server;
  Response padded = call(server.port(), "GET", "/d1/_fake/images/a.png?bytes=200000&chunked=1");
  EXPECT_EQ(padded.status, 200);
  EXPECT_TRUE(padded.chunked);
  EXPECT_EQ(padded.header("content-length"), nullptr);
  EXPECT_EQ(padded.body.size(), 200000u);
  EXPECT_EQ(padded.body.back(), '\0');

  Response typed = call(server.port(), "GET", "/_fake/images/a.jpg?type=image%2Fpng");
  EXPECT_EQ(*typed.header("content-type"), "image/png");
  EXPECT_TRUE(typed.body.starts_with("\xFF\xD8\xFF"));

  Response moved =
      call(server.port(), "GET", "/_fake/images/a.png?status=302&location=http%3A%2F%2Fx%2Fy");
  EXPECT_EQ(moved.status, 302);
  EXPECT_EQ(*moved.header("location"), "http://x/y");
  EXPECT_TRUE(moved.body.empty());

  Response missing = call(server.port(), "GET", "/_fake/images/a.png?status=404");
  EXPECT_EQ(missing.status, 404);
}

TEST(FakeImages, ADelayHoldsTheHeadBack) {
  Server server;
  Response slow = call(server.port(), "GET", "/_fake/images/a.png?delay_ms=150");
  EXPECT_EQ(slow.status, 200);
  EXPECT_GE(slow.head_ms, 140);
}

TEST(FakeImages, BadOptionsAndMethodsAreRefused) {
  Server server;
  Response bad = call(server.port(), "GET", "/_fake/images/a.png?bytes=lots");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "bytes must be a whole number up to 67108864\n");
  EXPECT_EQ(call(server.port(), "GET", "/_fake/images/a.png?bytes=67108865").status, 400);
  EXPECT_EQ(call(server.port(), "GET", "/_fake/images/a.png?status=42").status, 400);
  EXPECT_EQ(call(server.port(), "POST", "/_fake/images/a.png").status, 405);
}

TEST(FakeImages, FetchesAreLoggedAsImageRequests) {
  Server server;
  call(server.port(), "GET", "/_fake/images/a.png", {}, {{"accept", "image/png"}});
  rapidjson::Document log = request_log(server.port());
  ASSERT_EQ(log["requests"].Size(), 1u);
  const auto& entry = log["requests"][0];
  EXPECT_STREQ(entry["route"].GetString(), "image");
  EXPECT_STREQ(entry["path"].GetString(), "/_fake/images/a.png");
  EXPECT_EQ(entry["status"].GetInt(), 200);
}

}  // namespace
}  // namespace fake_llm::test
