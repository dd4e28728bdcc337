// filters/translate/image_fetch and image_fetch_settings, directly: which URLs are found, how a
// completion is judged (status, Content-Type, signature) and what it becomes, how URLs are shown
// in messages, and how settings are read and taken out of the adapter's view.

#include "filters/translate/image_fetch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "filters/translate/image_fetch_settings.h"

namespace sluice::filters::translate {
namespace {

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "rest";

TEST(ImageFetch, FindsHttpUrlsInBothFormsAndLeavesTheRest) {
  std::vector<ImageRef> found;
  std::string error;
  ASSERT_TRUE(find_image_urls(
      R"([{"role":"user","content":"plain text"},
          {"role":"user","content":[
            {"type":"text","text":"http://not.an/image"},
            {"type":"image_url","image_url":"http://a.example/1"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,AA"}},
            {"type":"image_url","image_url":{"url":"ftp://a.example/2"}},
            {"type":"image_url","image_url":{"detail":"high"}},
            {"type":"image_url","image_url":{"url":"Https://b.example/3","detail":"low"}},
            "junk", 7]}])",
      &found, &error));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].pointer, "/messages/1/content/1/image_url");
  EXPECT_EQ(found[0].url, "http://a.example/1");
  EXPECT_EQ(image_where(found[0]), "messages[1].content[1].image_url");
  EXPECT_EQ(found[1].pointer, "/messages/1/content/5/image_url/url");
  EXPECT_EQ(found[1].url, "Https://b.example/3");
  EXPECT_FALSE(find_image_urls(R"({"not":"an array"})", &found, &error));
  EXPECT_EQ(error, "messages must be an array");
}

TEST(ImageFetch, SniffsTheFourFormats) {
  EXPECT_EQ(sniff_image_type(kPng), "image/png");
  EXPECT_EQ(sniff_image_type(std::string("\xFF\xD8\xFF\xDB", 4)), "image/jpeg");
  EXPECT_EQ(sniff_image_type("GIF87a..."), "image/gif");
  EXPECT_EQ(sniff_image_type("GIF89a..."), "image/gif");
  EXPECT_EQ(sniff_image_type(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(sniff_image_type(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)), std::nullopt);
  EXPECT_EQ(sniff_image_type("<svg>"), std::nullopt);
  EXPECT_EQ(sniff_image_type(""), std::nullopt);
  EXPECT_EQ(sniff_image_type(std::string("\x89PNG", 4)), std::nullopt);  // cut short
}

sluice_op_done completion(sluice_op_result result, uint32_t status, const sluice_header* headers,
                          size_t count, std::string_view body) {
  sluice_op_done done{};
  done.struct_size = sizeof(done);
  done.kind = SLUICE_OP_HTTP;
  done.result = result;
  done.http_status = status;
  done.headers = headers;
  done.header_count = count;
  done.body = sluice_str_of(body.data(), body.size());
  return done;
}

TEST(ImageFetch, AGoodImageBecomesADataUrl) {
  const sluice_header type = {SLUICE_LIT("content-type"), SLUICE_LIT(" Image/PNG ; q=1")};
  FetchedImage fetched = judge_fetch(completion(SLUICE_OP_OK, 200, &type, 1, kPng), 100, 10);
  EXPECT_EQ(fetched.problem, "");
  EXPECT_EQ(fetched.data_url, "data:image/png;base64,iVBORw0KGgpyZXN0");
}

TEST(ImageFetch, EachFailureSaysWhy) {
  const sluice_header png = {SLUICE_LIT("content-type"), SLUICE_LIT("image/png")};
  const sluice_header html = {SLUICE_LIT("content-type"), SLUICE_LIT("text/html")};
  const struct {
    sluice_op_done done;
    const char* problem;
  } cases[] = {
      {completion(SLUICE_OP_TOO_LARGE, 0, nullptr, 0, ""),
       "the image is larger than 100 bytes (image_fetch_max_bytes)"},
      {completion(SLUICE_OP_TIMEOUT, 0, nullptr, 0, ""),
       "no complete answer within 10 ms (image_fetch_timeout_ms)"},
      {completion(SLUICE_OP_REFUSED, 0, nullptr, 0, ""),
       "its host resolves to a private or internal address, which is refused "
       "(image_fetch_allow_private is off)"},
      {completion(SLUICE_OP_FAILED, 0, nullptr, 0, ""), "the connection to its host failed"},
      {completion(SLUICE_OP_OK, 301, &png, 1, ""),
       "its server answered HTTP 301 (redirects are not followed)"},
      {completion(SLUICE_OP_OK, 204, &png, 1, ""), "its server answered HTTP 204"},
      {completion(SLUICE_OP_OK, 200, &html, 1, kPng),
       "its Content-Type 'text/html' is not image/jpeg, image/png, image/gif or image/webp"},
      {completion(SLUICE_OP_OK, 200, nullptr, 0, kPng),
       "its Content-Type '' is not image/jpeg, image/png, image/gif or image/webp"},
      {completion(SLUICE_OP_OK, 200, &png, 1, "GIF89a"),
       "its bytes are not a image/png image (the Content-Type does not match)"},
      {completion(SLUICE_OP_OK, 200, &png, 1, ""),
       "its bytes are not a image/png image (the Content-Type does not match)"},
  };
  for (const auto& c : cases) {
    FetchedImage fetched = judge_fetch(c.done, 100, 10);
    EXPECT_EQ(fetched.problem, c.problem);
    EXPECT_EQ(fetched.data_url, "");
  }
}

TEST(ImageFetch, ShownUrlsDropUserInformationQueryAndFragment) {
  EXPECT_EQ(shown_url("https://x.example/a.png"), "https://x.example/a.png");
  EXPECT_EQ(shown_url("https://x.example/a.png?sig=1#f"), "https://x.example/a.png?...");
  EXPECT_EQ(shown_url("https://u:p@x.example:8443/a"), "https://x.example:8443/a");
  EXPECT_EQ(shown_url("http://x.example?token=1"), "http://x.example?...");
  EXPECT_EQ(shown_url("http://x.example#frag"), "http://x.example?...");
}

TEST(ImageFetch, UnfetchableUrlsAndTheFetchedSpelling) {
  EXPECT_EQ(unfetchable_url("https://x.example/a?b=c@d"), "");  // '@' past the host is fine
  EXPECT_EQ(unfetchable_url("https://u:p@x.example/a"),
            "an image URL must not carry user information");
  EXPECT_EQ(unfetchable_url("https://x.example/a b"),
            "an image URL must not hold spaces or control characters");
  EXPECT_EQ(unfetchable_url("https://x.example/" + std::string(8200, 'a')),
            "an image URL must be at most 8192 bytes");
  EXPECT_EQ(fetch_url("HTTPS://X.example/A.PNG"), "https://X.example/A.PNG");
}

using Settings = std::map<std::string, std::string, std::less<>>;

TEST(ImageFetchSettings, DefaultsWhenAbsentAndOtherSettingsKept) {
  Settings settings = {{"allow_image_urls", "true"}};
  ImageFetchSettings out;
  std::string error;
  ASSERT_TRUE(take_image_fetch_settings(&settings, &out, &error));
  EXPECT_FALSE(out.enabled);
  EXPECT_FALSE(out.any_given);
  EXPECT_EQ(out.max_bytes, 5u * 1024 * 1024);
  EXPECT_EQ(out.timeout_ms, 5000u);
  EXPECT_FALSE(out.allow_private);
  EXPECT_EQ(out.max_images(), 8u);
  EXPECT_EQ(settings, (Settings{{"allow_image_urls", "true"}}));
}

TEST(ImageFetchSettings, ValuesAreReadAndTakenOut) {
  Settings settings = {{"fetch_image_urls", "true"},
                       {"image_fetch_max_bytes", "20971520.0"},
                       {"image_fetch_timeout_ms", "250"},
                       {"image_fetch_allow_private", "true"},
                       {"anthropic_version", "2023-06-01"}};
  ImageFetchSettings out;
  std::string error;
  ASSERT_TRUE(take_image_fetch_settings(&settings, &out, &error)) << error;
  EXPECT_TRUE(out.enabled);
  EXPECT_TRUE(out.any_given);
  EXPECT_EQ(out.max_bytes, 20u * 1024 * 1024);
  EXPECT_EQ(out.timeout_ms, 250u);
  EXPECT_TRUE(out.allow_private);
  EXPECT_EQ(out.max_images(), 3u);  // 3 x 20 MiB fit in the host's 64 MiB, 4 would not
  EXPECT_EQ(settings, (Settings{{"anthropic_version", "2023-06-01"}}));
}

}  // namespace
}  // namespace sluice::filters::translate
