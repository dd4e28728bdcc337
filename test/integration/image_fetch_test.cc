// Image URLs fetched by a real `sluice` (translate's fetch_image_urls over the host's guarded
// calls) from fake-llm's image endpoint on 127.0.0.1, then sent inline to fake-llm's Anthropic
// Messages and Bedrock Converse routes. What reached fake-llm is read from its request log:
// the provider request carries exactly the served bytes in base64, and a refused fetch leaves
// no provider request behind. Without image_fetch_allow_private, the same loopback URL is
// refused before any connection.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <vector>

#include "providers/support/base64.h"
#include "test/integration/fake_llm_process.h"
#include "test/integration/harness.h"
#include "test/integration/http_client.h"

namespace sluice::it {
namespace {

constexpr size_t kMaxBytes = 200000;

class ImageFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(fake_.port(), 0) << "fake-llm did not start";
    const std::string base = "http://127.0.0.1:" + std::to_string(fake_.port());
    ServerConfig config;
    config.chains =
        "  - name: chat\n"
        "    match: {path_prefix: /}\n"
        "    filters:\n"
        "      - type: route\n"
        "        config: {num_retries: 0}\n"
        "      - type: translate\n";
    config.extra =
        "providers:\n"
        "  - name: claude-internal\n"
        "    type: anthropic\n"
        "    api_base: " +
        base +
        "\n"
        "    api_key: ak-it-1234\n"
        "    settings: {fetch_image_urls: 'true', image_fetch_allow_private: 'true',\n"
        "               image_fetch_max_bytes: " +
        std::to_string(kMaxBytes) +
        ",\n"
        "               image_fetch_timeout_ms: 500}\n"
        "  - name: claude-public\n"
        "    type: anthropic\n"
        "    api_base: " +
        base +
        "\n"
        "    api_key: ak-it-1234\n"
        "    settings: {fetch_image_urls: 'true'}\n"
        "  - name: aws\n"
        "    type: bedrock\n"
        "    api_base: " +
        base +
        "\n"
        "    settings: {aws_region_name: us-east-1, aws_access_key_id: AKIDIT,\n"
        "               aws_secret_access_key: it-secret, fetch_image_urls: 'true',\n"
        "               image_fetch_allow_private: 'true'}\n"
        "models:\n"
        "  - name: claude\n"
        "    deployments: [{provider: claude-internal, model: claude-3-5-sonnet-20241022}]\n"
        "  - name: claude-public\n"
        "    deployments: [{provider: claude-public, model: claude-3-5-sonnet-20241022}]\n"
        "  - name: nova\n"
        "    deployments: [{provider: aws, model: amazon.nova-lite-v1:0}]\n";
    ASSERT_TRUE(server_.start(config));
  }

  // A chat request to `model` with a text part and one image part of `url`.
  Response ask(const std::string& model, const std::string& url) {
    const std::string body = R"({"model":")" + model +
                             R"(","max_tokens":16,"messages":[{"role":"user","content":[)" +
                             R"({"type":"text","text":"what is this?"},)" +
                             R"({"type":"image_url","image_url":{"url":")" + url + R"("}}]}]})";
    std::string error;
    std::optional<Response> response = roundtrip(
        server_.port,
        body_request("POST", "/v1/chat/completions", body, {"content-type: application/json"}),
        std::chrono::seconds(10), &error);
    EXPECT_TRUE(response) << error;
    return response.value_or(Response{});
  }

  // fake-llm's log entries whose route is `route`.
  std::vector<rapidjson::Document> logged(const std::string& route) {
    std::vector<rapidjson::Document> entries;
    rapidjson::Document log;
    log.Parse(fake_.request_log().c_str());
    if (log.HasParseError() || !log.HasMember("requests")) return entries;
    for (const auto& entry : log["requests"].GetArray()) {
      if (route != entry["route"].GetString()) continue;
      rapidjson::Document copy;
      copy.CopyFrom(entry, copy.GetAllocator());
      entries.push_back(std::move(copy));
    }
    return entries;
  }

  // The bytes fake-llm serves at `path`, fetched directly.
  std::string served(const std::string& path) {
    std::optional<Response> response = roundtrip(fake_.port(), get_request(path));
    EXPECT_TRUE(response && response->status == 200);
    return response ? response->body : std::string();
  }

  // The client got 400 image_fetch_failed saying `why`, and no provider request was made.
  void expect_refused(const Response& response, const std::string& why) {
    EXPECT_EQ(response.status, 400) << response.body;
    rapidjson::Document error;
    error.Parse(response.body.c_str());
    ASSERT_FALSE(error.HasParseError()) << response.body;
    EXPECT_STREQ(error["error"]["code"].GetString(), "image_fetch_failed");
    EXPECT_NE(std::string(error["error"]["message"].GetString()).find(why), std::string::npos)
        << response.body;
    EXPECT_TRUE(logged("messages").empty());
    EXPECT_TRUE(logged("converse").empty());
  }

  FakeLlmProcess fake_;
  TestServer server_;
};

TEST_F(ImageFetchTest, AnthropicReceivesTheServedBytesInBase64) {
  const Response response = ask("claude", fake_.url("/_fake/images/cat.png"));
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(logged("image").size(), 1u);
  const std::vector<rapidjson::Document> messages = logged("messages");
  ASSERT_EQ(messages.size(), 1u);
  rapidjson::Document sent;
  sent.Parse(messages[0]["body"].GetString());
  ASSERT_FALSE(sent.HasParseError());
  const auto& source = sent["messages"][0]["content"][1]["source"];
  EXPECT_STREQ(sent["messages"][0]["content"][1]["type"].GetString(), "image");
  EXPECT_STREQ(source["type"].GetString(), "base64");
  EXPECT_STREQ(source["media_type"].GetString(), "image/png");
  EXPECT_EQ(source["data"].GetString(),
            providers::support::base64(served("/_fake/images/cat.png")));
}

TEST_F(ImageFetchTest, BedrockConverseReceivesTheServedBytes) {
  const Response response = ask("nova", fake_.url("/_fake/images/cat.jpg"));
  ASSERT_EQ(response.status, 200) << response.body;
  const std::vector<rapidjson::Document> converse = logged("converse");
  ASSERT_EQ(converse.size(), 1u);
  rapidjson::Document sent;
  sent.Parse(converse[0]["body"].GetString());
  ASSERT_FALSE(sent.HasParseError());
  const auto& image = sent["messages"][0]["content"][1]["image"];
  EXPECT_STREQ(image["format"].GetString(), "jpeg");
  EXPECT_EQ(image["source"]["bytes"].GetString(),
            providers::support::base64(served("/_fake/images/cat.jpg")));
}

TEST_F(ImageFetchTest, ALoopbackUrlIsRefusedWithoutAllowPrivateAndNothingIsFetched) {
  const Response response = ask("claude-public", fake_.url("/_fake/images/cat.png"));
  expect_refused(response, "resolves to a private or internal address, which is refused");
  EXPECT_TRUE(logged("image").empty());  // no connection reached fake-llm
}

TEST_F(ImageFetchTest, ADeclaredLengthOverTheLimitIsRefused) {
  const Response response =
      ask("claude", fake_.url("/_fake/images/big.png?bytes=" + std::to_string(kMaxBytes + 1)));
  expect_refused(response, "the image is larger than 200000 bytes");
}

TEST_F(ImageFetchTest, AStreamedImageOverTheLimitIsAbortedEarly) {
  // 16 MiB in 64 KiB chunks, 20 ms apart (over 5 s in all): the fetch stops after about 200 KB.
  const auto started = std::chrono::steady_clock::now();
  const Response response =
      ask("claude", fake_.url("/_fake/images/big.png?bytes=16777216&chunked=1&chunk_ms=20"));
  expect_refused(response, "the image is larger than 200000 bytes");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  ASSERT_TRUE(eventually(
      [&] {
        auto images = logged("image");
        return images.size() == 1 && images[0]["client_disconnected"].GetBool();
      },
      std::chrono::seconds(3)));
  const auto images = logged("image");
  EXPECT_FALSE(images[0]["completed"].GetBool());
  EXPECT_LT(images[0]["chunks"].GetUint(), 16u);  // of 256
}

TEST_F(ImageFetchTest, ASlowImageTimesOut) {
  const Response response = ask("claude", fake_.url("/_fake/images/cat.png?delay_ms=3000"));
  expect_refused(response, "no complete answer within 500 ms");
}

TEST_F(ImageFetchTest, ContentThatIsNotAnImageIsRefused) {
  const Response response = ask("claude", fake_.url("/_fake/images/notes.txt"));
  expect_refused(response, "its Content-Type 'text/plain' is not image/jpeg");
}

TEST_F(ImageFetchTest, ARedirectIsNotFollowed) {
  const Response response =
      ask("claude", fake_.url("/_fake/images/cat.png?status=302&location=" +
                              std::string("http%3A%2F%2F127.0.0.1%3A") +
                              std::to_string(fake_.port()) + "%2F_fake%2Fimages%2Fother.png"));
  expect_refused(response, "its server answered HTTP 302 (redirects are not followed)");
  EXPECT_EQ(logged("image").size(), 1u);  // the redirect's target was never asked for
}

TEST_F(ImageFetchTest, AMissingImageIsRefusedWithItsStatus) {
  const Response response = ask("claude", fake_.url("/_fake/images/cat.png?status=404"));
  expect_refused(response, "messages[0].content[1].image_url: cannot fetch http://127.0.0.1:");
  expect_refused(response, "its server answered HTTP 404");
}

}  // namespace
}  // namespace sluice::it
