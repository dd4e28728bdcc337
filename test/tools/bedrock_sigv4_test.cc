// fake-llm with --aws-credentials: every Bedrock route checks the SigV4 signature (made here
// with sluice's own signer) and answers a missing, foreign or wrong one with 403 in AWS's shape;
// OpenAI routes are not affected.

#include <gtest/gtest.h>

#include <string>

#include "providers/aws/sigv4.h"
#include "test/tools/support.h"
#include "tools/fake-llm/bedrock_auth.h"

namespace fake_llm::test {
namespace {

constexpr const char* kAccessKeyId = "AKIDFAKELLM";
constexpr const char* kSecret = "fake-llm-secret-key";
constexpr const char* kPath = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";
constexpr const char* kBody = R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})";
constexpr int64_t kNow = 1763800000;

ServerOptions checking_options() {
  ServerOptions options;
  options.aws_keys.access_key_id = kAccessKeyId;
  options.aws_keys.secret_access_key = kSecret;
  return options;
}

// The headers to add to a test request (whose Host is 127.0.0.1 and Content-Type
// application/json, both signed) for a signature by `id`:`secret`.
HeaderList signed_headers(std::string_view path, std::string_view body,
                          std::string_view id = kAccessKeyId, std::string_view secret = kSecret,
                          std::string_view token = "") {
  sluice::aws::HeaderList headers = {{"content-type", "application/json"}};
  std::string error;
  const sluice::aws::Credentials credentials{std::string(id), std::string(secret),
                                             std::string(token)};
  EXPECT_TRUE(sluice::aws::sign_request("POST", "http://127.0.0.1" + std::string(path), body,
                                        "us-west-2", "bedrock", credentials, kNow, &headers,
                                        &error))
      << error;
  return HeaderList(headers.begin() + 1, headers.end());  // make_request adds content-type
}

void expect_refused(const Response& response, const char* type) {
  EXPECT_EQ(response.status, 403) << response.body;
  ASSERT_NE(response.header("x-amzn-errortype"), nullptr);
  EXPECT_EQ(*response.header("x-amzn-errortype"), type);
  const auto doc = json(response.body);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_TRUE(doc["message"].IsString());
  EXPECT_EQ(response.body.find(kSecret), std::string::npos);
}

TEST(BedrockSignatures, SignedRequestsPass) {
  Server server(checking_options());
  EXPECT_EQ(post(server.port(), kPath, kBody, signed_headers(kPath, kBody)).status, 200);
  const std::string stream_path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream";
  EXPECT_EQ(post(server.port(), stream_path, kBody, signed_headers(stream_path, kBody)).status,
            200);
  const std::string invoke_path = "/model/amazon.titan-embed-text-v2%3A0/invoke";
  const std::string invoke_body = R"({"inputText":"x"})";
  EXPECT_EQ(post(server.port(), invoke_path, invoke_body, signed_headers(invoke_path, invoke_body))
                .status,
            200);
  // Session credentials: the token is signed and sent; the key pair is what is checked.
  EXPECT_EQ(post(server.port(), kPath, kBody,
                 signed_headers(kPath, kBody, kAccessKeyId, kSecret, "session-token"))
                .status,
            200);
}

TEST(BedrockSignatures, MissingOrForeignKeyIsUnrecognized) {
  Server server(checking_options());
  expect_refused(post(server.port(), kPath, kBody), "UnrecognizedClientException");
  expect_refused(post(server.port(), kPath, kBody, {{"authorization", "Bearer some-key"}}),
                 "UnrecognizedClientException");
  expect_refused(post(server.port(), kPath, kBody, signed_headers(kPath, kBody, "AKIDOTHER")),
                 "UnrecognizedClientException");
}

TEST(BedrockSignatures, WrongSignatureIsInvalid) {
  Server server(checking_options());
  expect_refused(
      post(server.port(), kPath, kBody, signed_headers(kPath, kBody, kAccessKeyId, "wrong")),
      "InvalidSignatureException");
  // Signed for another body, path or host than the one sent.
  expect_refused(post(server.port(), kPath, R"({"messages":[]})", signed_headers(kPath, kBody)),
                 "InvalidSignatureException");
  const std::string other_path = "/model/anthropic.claude-3-haiku-20240307-v1%3A1/converse";
  expect_refused(post(server.port(), kPath, kBody, signed_headers(other_path, kBody)),
                 "InvalidSignatureException");
}

TEST(BedrockSignatures, RefusalConsumesNoProgramAndOpenAiIsUnchecked) {
  Server server(checking_options());
  ASSERT_EQ(post(server.port(), "/_fake/program", R"({"responses":[{"status":500}]})").status, 200);
  expect_refused(post(server.port(), kPath, kBody), "UnrecognizedClientException");
  EXPECT_EQ(json(call(server.port(), "GET", "/_fake/program").body)["pending"].GetInt(), 1);
  // The programmed 500 goes to the next request that passes the check.
  EXPECT_EQ(post(server.port(), kPath, kBody, signed_headers(kPath, kBody)).status, 500);
  // OpenAI routes ignore --aws-credentials.
  EXPECT_EQ(post(server.port(), "/v1/chat/completions", chat_body("hi")).status, 200);
  const auto log = request_log(server.port());
  ASSERT_EQ(log["requests"].Size(), 3u);
  EXPECT_EQ(log["requests"][0]["status"].GetInt(), 403);
  EXPECT_FALSE(log["requests"][0]["programmed"].GetBool());
  EXPECT_TRUE(log["requests"][1]["programmed"].GetBool());
}

TEST(BedrockSignatures, KeyPairOption) {
  AwsKeyPair keys;
  ASSERT_TRUE(parse_aws_key_pair("AKID:se:cret", &keys));
  EXPECT_EQ(keys.access_key_id, "AKID");
  EXPECT_EQ(keys.secret_access_key, "se:cret");  // only the first ':' separates
  EXPECT_TRUE(keys.enabled());
  for (const char* bad : {"", "AKID", "AKID:", ":secret"}) {
    AwsKeyPair none;
    EXPECT_FALSE(parse_aws_key_pair(bad, &none)) << bad;
    EXPECT_FALSE(none.enabled());
  }
}

TEST(BedrockSignatures, UncheckedWithoutCredentials) {
  Server server;
  EXPECT_EQ(post(server.port(), kPath, kBody).status, 200);
}

}  // namespace
}  // namespace fake_llm::test
