// filters/translate's image-fetch step (fetch_image_urls), through the real runtime with a fake
// upstream transport: the image URLs of a chat request are fetched with guarded calls first
// (what the transport is asked for: isolated, public addresses only unless allowed, the
// deployment's limits), then the provider's request carries the bytes inline; every failure is
// the client's 400 naming the part and why, and nothing reaches the provider.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "providers/support/base64.h"
#include "test/filters/filter_test_support.h"
#include "test/providers/auth/test_server.h"

namespace sluice::filters::testing {
namespace {

using runtime::testing::build;

constexpr const char* kRegistry = R"(providers:
  - name: claude
    type: anthropic
    api_key: ak-secret-1234
    settings: {fetch_image_urls: "true"}
  - name: claude-internal
    type: anthropic
    api_key: ak-secret-1234
    settings: {fetch_image_urls: true, image_fetch_allow_private: true,
               image_fetch_max_bytes: 2000, image_fetch_timeout_ms: 700, allow_image_urls: "true"}
  - name: claude-plain
    type: anthropic
    api_key: ak-secret-1234
  - name: aws
    type: bedrock
    settings: {aws_region_name: us-west-2, aws_access_key_id: AKIDEXAMPLE,
               aws_secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
               fetch_image_urls: "true"}
  - name: goog
    type: gemini
    api_key: g-secret-1234
    settings: {fetch_image_urls: "true"}
models:
  - name: flash
    deployments:
      - {provider: goog, model: gemini-2.0-flash}
  - name: sonnet
    deployments:
      - {provider: claude, model: claude-3-5-sonnet-20241022}
  - name: sonnet-internal
    deployments:
      - {provider: claude-internal, model: claude-3-5-sonnet-20241022}
  - name: sonnet-plain
    deployments:
      - {provider: claude-plain, model: claude-3-5-sonnet-20241022}
  - name: haiku-bedrock
    deployments:
      - {provider: aws, model: "anthropic.claude-3-haiku-20240307-v1:0"}
)";

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "IHDR-tiny-png-body";
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF-tiny-jpeg-body";

std::string chain_yaml(std::string_view registry = kRegistry) {
  return gateway(registry, filter_item("route", "backoff_base_ms: 1") + filter_item("translate"));
}

// A chat request whose user message has `parts` (JSON content parts) after a text part.
std::string chat_with(std::string_view model, const std::vector<std::string>& parts) {
  std::string body = R"({"model":")" + std::string(model) +
                     R"(","max_tokens":16,"messages":[{"role":"user","content":[)" +
                     R"({"type":"text","text":"what is this?"})";
  for (const std::string& part : parts) body += "," + part;
  return body + "]}]}";
}

std::string image_part(std::string_view url) {
  return R"({"type":"image_url","image_url":{"url":")" + std::string(url) + R"("}})";
}

FakeResponse image(std::string bytes, std::string type = "image/png", int status = 200) {
  FakeResponse r;
  r.status = status;
  r.headers = {{"content-type", std::move(type)}};
  r.body = std::move(bytes);
  return r;
}

FakeResponse anthropic_answer() {
  FakeResponse r;
  r.headers = {{"content-type", "application/json"}};
  r.body =
      R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-sonnet-20241022",)"
      R"("content":[{"type":"text","text":"a cat"}],"stop_reason":"end_turn",)"
      R"("usage":{"input_tokens":5,"output_tokens":2}})";
  return r;
}

FakeResponse bedrock_answer() {
  FakeResponse r;
  r.headers = {{"content-type", "application/json"}};
  r.body = R"({"output":{"message":{"role":"assistant","content":[{"text":"a cat"}]}},)"
           R"("stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":2,"totalTokens":7}})";
  return r;
}

class FetchImagesTest : public FilterTest {
 protected:
  void SetUp() override { ASSERT_TRUE(use(chain_yaml())); }
  // The client got a 400 image_fetch_failed whose message holds `why`, and only the fetch went
  // out (nothing reached the provider).
  void expect_refused(std::string_view why, size_t fetches = 1) {
    EXPECT_EQ(sink_.head.status, 400) << sink_.body;
    EXPECT_EQ(error_code(sink_.body), "image_fetch_failed") << sink_.body;
    EXPECT_NE(error_message(sink_.body).find(why), std::string::npos) << sink_.body;
    EXPECT_EQ(transport_->sent.size(), fetches);
    for (const auto& sent : transport_->sent) EXPECT_EQ(sent.request.method, "GET");
  }
};

TEST_F(FetchImagesTest, AnthropicGetsTheFetchedBytesInline) {
  transport_->script({image(kPng), anthropic_answer()});
  post("/v1/chat/completions",
       chat_with("sonnet", {image_part("https://images.example/cat.png?sig=abc")}));
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  EXPECT_EQ(json_at(sink_.body, "/choices/0/message/content"), R"("a cat")");
  ASSERT_EQ(transport_->sent.size(), 2u);
  const UpstreamRequest& fetch = sent(0);
  EXPECT_EQ(fetch.url, "https://images.example/cat.png?sig=abc");
  EXPECT_EQ(fetch.method, "GET");
  EXPECT_TRUE(fetch.isolated);
  EXPECT_TRUE(fetch.public_addresses_only);                               // the default
  EXPECT_EQ(fetch.timeouts.total_ms, 5000u);                              // the default timeout
  EXPECT_EQ(http::find_header(fetch.headers, "authorization"), nullptr);  // no credential
  EXPECT_EQ(http::find_header(fetch.headers, "x-api-key"), nullptr);
  ASSERT_EQ(fetch.headers.size(), 2u);  // only these two
  EXPECT_EQ(*http::find_header(fetch.headers, "accept"),
            "image/jpeg, image/png, image/gif, image/webp");
  EXPECT_EQ(*http::find_header(fetch.headers, "user-agent"), "sluice-image-fetch/1");
  EXPECT_EQ(sent(1).url, "https://api.anthropic.com/v1/messages");
  const std::string body = sent(1).body;
  EXPECT_EQ(json_at(body, "/messages/0/content/1"),
            R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":")" +
                providers::support::base64(kPng) + R"("}})");
}

TEST_F(FetchImagesTest, BedrockGetsTheFetchedBytesInline) {
  transport_->script({image(kJpeg, "image/jpeg; charset=binary"), bedrock_answer()});
  post("/v1/chat/completions",
       chat_with("haiku-bedrock", {image_part("https://images.example/cat.jpg")}));
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 2u);
  const std::string body = sent(1).body;
  EXPECT_EQ(json_at(body, "/messages/0/content/1/image/format"), R"("jpeg")");
  EXPECT_EQ(json_at(body, "/messages/0/content/1/image/source/bytes"),
            "\"" + providers::support::base64(kJpeg) + "\"");
  EXPECT_FALSE(http::find_header(sent(1).headers, "authorization") == nullptr);  // SigV4 signed
}

TEST_F(FetchImagesTest, GeminiGetsTheFetchedBytesAsInlineData) {
  FakeResponse gemini;
  gemini.headers = {{"content-type", "application/json"}};
  gemini.body = R"({"candidates":[{"content":{"role":"model","parts":[{"text":"a cat"}]},)"
                R"("finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,)"
                R"("candidatesTokenCount":2,"totalTokenCount":7}})";
  transport_->script({image(kPng), gemini});
  post("/v1/chat/completions", chat_with("flash", {image_part("https://images.example/c.png")}));
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(json_at(sent(1).body, "/contents/0/parts/1"),
            R"({"inlineData":{"mimeType":"image/png","data":")" + providers::support::base64(kPng) +
                R"("}})");
}

TEST_F(FetchImagesTest, EveryImageOfEveryMessageIsFetchedInEitherForm) {
  const std::string gif = "GIF89a-tiny";
  transport_->script({image(kPng), image(gif, "image/gif"), anthropic_answer()});
  const std::string body =
      R"({"model":"sonnet","max_tokens":16,"messages":[)"
      R"({"role":"user","content":[{"type":"image_url","image_url":"http://a.example/1.png"}]},)"
      R"({"role":"assistant","content":"ok"},)"
      R"({"role":"user","content":[{"type":"image_url","image_url":{"url":"HTTPS://b.example/2"}},)"
      R"({"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]})";
  post("/v1/chat/completions", body);
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 3u);  // two fetches (the data: URL is left alone), then one
  EXPECT_EQ(sent(0).url, "http://a.example/1.png");
  EXPECT_EQ(sent(1).url, "https://b.example/2");  // the scheme in lower case
  const std::string out = sent(2).body;
  EXPECT_EQ(json_at(out, "/messages/0/content/0/source/data"),
            "\"" + providers::support::base64(kPng) + "\"");
  EXPECT_EQ(json_at(out, "/messages/2/content/0/source/media_type"), R"("image/gif")");
  EXPECT_EQ(json_at(out, "/messages/2/content/1/source/data"), R"("AAAA")");
}

TEST_F(FetchImagesTest, WithoutImageUrlsNothingIsFetched) {
  transport_->script({anthropic_answer()});
  post("/v1/chat/completions", chat_with("sonnet", {}));
  EXPECT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(sent(0).url, "https://api.anthropic.com/v1/messages");
}

TEST_F(FetchImagesTest, AnImagePartSpelledWithEscapesIsFetchedToo) {
  // The step skips bodies that cannot hold an image part; an escaped name is still one.
  transport_->script({image(kPng), anthropic_answer()});
  post("/v1/chat/completions",
       chat_with("sonnet", {R"({"type":"image\u005furl","image\u005furl":{"url":")"
                            R"(https://images.example/cat.png"}})"}));
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(sent(0).url, "https://images.example/cat.png");
}

TEST_F(FetchImagesTest, TheDeploymentsLimitsAndAllowPrivateReachTheCall) {
  transport_->script({image(kPng), anthropic_answer()});
  post("/v1/chat/completions",
       chat_with("sonnet-internal", {image_part("http://127.0.0.1:9/cat.png")}));
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_TRUE(sent(0).isolated);
  EXPECT_FALSE(sent(0).public_addresses_only);
  EXPECT_EQ(sent(0).timeouts.total_ms, 700u);
  // Fetching wins over allow_image_urls' pass-through: the provider sees the bytes.
  EXPECT_EQ(json_at(sent(1).body, "/messages/0/content/1/source/type"), R"("base64")");
}

TEST_F(FetchImagesTest, AnImageOverTheBoundIsRefusedAndItsTransferStopped) {
  FakeResponse big = image("", "image/png");
  for (int i = 0; i < 10; ++i) big.chunks.push_back(std::string(1000, 'x'));
  transport_->script({big});
  post("/v1/chat/completions",
       chat_with("sonnet-internal", {image_part("http://127.0.0.1:9/big.png")}));
  expect_refused(
      "messages[0].content[1].image_url: cannot fetch http://127.0.0.1:9/big.png: "
      "the image is larger than 2000 bytes (image_fetch_max_bytes)");
  EXPECT_EQ(transport_->cancelled, 1);
}

TEST_F(FetchImagesTest, AnErrorStatusIsRefusedNamingIt) {
  transport_->script({image("not here", "text/plain", 404)});
  post("/v1/chat/completions", chat_with("sonnet", {image_part("https://x.example/a.png")}));
  expect_refused("cannot fetch https://x.example/a.png: its server answered HTTP 404");
}

TEST_F(FetchImagesTest, ARedirectIsRefusedNotFollowed) {
  FakeResponse redirect = image("", "text/html", 302);
  redirect.headers.push_back({"location", "http://169.254.169.254/latest/meta-data/"});
  transport_->script({redirect, image(kPng)});
  post("/v1/chat/completions", chat_with("sonnet", {image_part("https://x.example/a.png")}));
  expect_refused("answered HTTP 302 (redirects are not followed)");
}

TEST_F(FetchImagesTest, ContentThatIsNotAnImageIsRefused) {
  transport_->script({image("<html>", "text/html")});
  post("/v1/chat/completions", chat_with("sonnet", {image_part("https://x.example/a.png")}));
  expect_refused(
      "its Content-Type 'text/html' is not image/jpeg, image/png, image/gif or "
      "image/webp");
}

TEST_F(FetchImagesTest, BytesThatDoNotMatchTheContentTypeAreRefused) {
  transport_->script({image(kJpeg, "image/png")});
  post("/v1/chat/completions", chat_with("sonnet", {image_part("https://x.example/a.png")}));
  expect_refused("its bytes are not a image/png image");
}

TEST_F(FetchImagesTest, APrivateAddressIsRefusedNamingTheSetting) {
  FakeResponse refused;
  refused.fail = true;
  refused.fail_kind = runtime::UpstreamFailure::refused;
  transport_->script({refused});
  post("/v1/chat/completions",
       chat_with("sonnet", {image_part("http://169.254.169.254/latest/meta-data/x.png")}));
  expect_refused(
      "resolves to a private or internal address, which is refused "
      "(image_fetch_allow_private is off)");
}

TEST_F(FetchImagesTest, ATimeoutIsRefusedNamingTheLimit) {
  FakeResponse slow;
  slow.fail = true;
  slow.fail_kind = runtime::UpstreamFailure::timeout;
  transport_->script({slow});
  post("/v1/chat/completions", chat_with("sonnet", {image_part("https://x.example/a.png")}));
  expect_refused("no complete answer within 5000 ms (image_fetch_timeout_ms)");
}

TEST_F(FetchImagesTest, TheFirstFailureCancelsTheOtherFetches) {
  FakeResponse slow = image(kPng);
  slow.delay_ms = 2000;
  FakeResponse missing = image("", "text/plain", 404);
  transport_->script({slow, missing});
  post("/v1/chat/completions", chat_with("sonnet", {image_part("https://x.example/slow.png"),
                                                    image_part("https://x.example/gone.png")}));
  expect_refused("messages[0].content[2].image_url: cannot fetch https://x.example/gone.png", 2);
  EXPECT_EQ(transport_->cancelled, 1);  // the slow one
}

TEST_F(FetchImagesTest, TheQueryAndUserInformationNeverReachTheMessage) {
  transport_->script({image("", "text/plain", 403)});
  post("/v1/chat/completions",
       chat_with("sonnet", {image_part("https://x.example/a.png?X-Amz-Signature=s3cr3t#f")}));
  expect_refused("cannot fetch https://x.example/a.png?...: its server answered HTTP 403");
  EXPECT_EQ(sink_.body.find("s3cr3t"), std::string::npos);

  reset_client();
  transport_->sent.clear();
  post("/v1/chat/completions",
       chat_with("sonnet", {image_part("https://user:pa55word@x.example/a.png")}));
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_NE(error_message(sink_.body).find("must not carry user information"), std::string::npos);
  EXPECT_EQ(sink_.body.find("pa55word"), std::string::npos);
  EXPECT_TRUE(transport_->sent.empty());
}

TEST_F(FetchImagesTest, MoreImagesThanTheLimitAreRefusedBeforeAnyFetch) {
  std::vector<std::string> parts;
  for (int i = 0; i < 9; ++i) parts.push_back(image_part("https://x.example/" + std::to_string(i)));
  post("/v1/chat/completions", chat_with("sonnet", parts));
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_code(sink_.body), "too_many_image_urls");
  EXPECT_NE(error_message(sink_.body).find("9 image URLs to fetch; at most 8"), std::string::npos)
      << sink_.body;
  EXPECT_TRUE(transport_->sent.empty());
}

TEST_F(FetchImagesTest, WithoutTheSettingTheAdapterStillRefusesUrls) {
  post("/v1/chat/completions", chat_with("sonnet-plain", {image_part("https://x.example/a.png")}));
  EXPECT_EQ(sink_.head.status, 400);
  EXPECT_EQ(error_code(sink_.body), "image_url_not_allowed");
  EXPECT_TRUE(transport_->sent.empty());
}

TEST_F(FetchImagesTest, EachAttemptFetchesAgain) {
  FakeResponse overloaded;
  overloaded.status = 529;
  overloaded.headers = {{"content-type", "application/json"}};
  overloaded.body = R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})";
  transport_->script({image(kPng), overloaded, image(kPng), anthropic_answer()});
  post("/v1/chat/completions", chat_with("sonnet", {image_part("https://x.example/a.png")}));
  EXPECT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 4u);
  EXPECT_EQ(sent(2).url, "https://x.example/a.png");
}

TEST_F(FetchImagesTest, AfterTheImagesTheRequestStillWaitsForCredentials) {
  // A container role whose agent answers slowly: the image arrives first, then the request
  // polls for the source's first credentials and is signed with them.
  namespace auth_testing = providers::auth::testing;
  auth_testing::TestServer agent([](const auth_testing::Received&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    auth_testing::Reply reply;
    reply.body = R"({"AccessKeyId":"ASIASLOWAGENT","SecretAccessKey":"agent-secret",)"
                 R"("Token":"agent-session","Expiration":"2099-01-01T00:00:00Z"})";
    return reply;
  });
  for (const char* name :
       {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"}) {
    unsetenv(name);
  }
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", (agent.url() + "/creds").c_str(), 1);
  ASSERT_TRUE(use(chain_yaml(
      "providers:\n  - {name: aws, type: bedrock, settings: {aws_region_name: us-east-2, "
      "fetch_image_urls: 'true'}}\n"
      "models:\n  - name: m\n    deployments:\n      - {provider: aws, model: x}\n")));
  transport_->script({image(kPng), bedrock_answer()});
  post("/v1/chat/completions", chat_with("m", {image_part("https://x.example/a.png")}));
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  EXPECT_EQ(sink_.head.status, 200) << sink_.body;
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_NE(sent_header(1, "authorization").find("Credential=ASIASLOWAGENT/"), std::string::npos);
  EXPECT_EQ(json_at(sent(1).body, "/messages/0/content/1/image/source/bytes"),
            "\"" + providers::support::base64(kPng) + "\"");
}

// ---- settings ------------------------------------------------------------------------------

std::string one_provider(std::string_view settings) {
  return "providers:\n  - {name: c, type: anthropic, api_key: k, settings: {" +
         std::string(settings) +
         "}}\nmodels:\n  - name: m\n    deployments:\n      - {provider: c, model: x}\n";
}

TEST(FetchImagesSettings, BadValuesFailTheLoadNamingTheSetting) {
  const std::pair<const char*, const char*> cases[] = {
      {"fetch_image_urls: yes", "setting fetch_image_urls must be \"true\" or \"false\""},
      {"image_fetch_allow_private: 1",
       "setting image_fetch_allow_private must be \"true\" or \"false\""},
      {"image_fetch_max_bytes: 0",
       "setting image_fetch_max_bytes must be a whole number of bytes "
       "from 1 to 20971520"},
      {"image_fetch_max_bytes: 20971521", "image_fetch_max_bytes must be a whole number"},
      {"image_fetch_max_bytes: 1.5", "image_fetch_max_bytes must be a whole number"},
      {"image_fetch_timeout_ms: 30001",
       "setting image_fetch_timeout_ms must be a whole number of milliseconds from 1 to 30000"},
      {"image_fetch_timeout_ms: soon", "image_fetch_timeout_ms must be a whole number"},
  };
  for (const auto& [settings, message] : cases) {
    runtime::testing::Built built = build(chain_yaml(one_provider(settings)));
    EXPECT_FALSE(built.runtime) << settings;
    EXPECT_NE(built.errors_text().find("deployment 'm#0' (provider 'c'): "), std::string::npos)
        << built.errors_text();
    EXPECT_NE(built.errors_text().find(message), std::string::npos) << built.errors_text();
  }
}

TEST(FetchImagesSettings, GoodValuesLoadWithoutTheAdapterSeeingThem) {
  runtime::testing::Built built = build(chain_yaml(one_provider(
      "fetch_image_urls: 'true', image_fetch_max_bytes: 20971520, image_fetch_timeout_ms: 30000, "
      "image_fetch_allow_private: 'false'")));
  EXPECT_TRUE(built.runtime) << built.errors_text();
}

}  // namespace
}  // namespace sluice::filters::testing
