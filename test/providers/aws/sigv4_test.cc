// Signature Version 4 against AWS's published test suite (test/providers/aws/sigv4/, see its
// README), a Bedrock-shaped request, sign_request's headers, and verify_request both ways.

#include "providers/aws/sigv4.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sluice::aws {
namespace {

const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct SuiteRequest {
  std::string method;
  std::string target;
  HeaderList headers;
  std::string body;
};

// Parses a suite .req file: "METHOD target HTTP/1.1", "Name:value" lines (a line starting with
// whitespace is another value of the previous header), a blank line, the body.
SuiteRequest parse_req(const std::string& text) {
  SuiteRequest request;
  std::vector<std::string> lines;
  size_t start = 0;
  size_t body_at = std::string::npos;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() && !lines.empty()) {
      body_at = start;
      break;
    }
    lines.push_back(line);
  }
  if (body_at != std::string::npos && body_at <= text.size()) request.body = text.substr(body_at);
  const std::string& first = lines.at(0);
  const size_t space = first.find(' ');
  const size_t version = first.rfind(" HTTP/");
  request.method = first.substr(0, space);
  request.target = first.substr(space + 1, version - space - 1);
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      request.headers.emplace_back(request.headers.back().first, line);
      continue;
    }
    const size_t colon = line.find(':');
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return request;
}

std::string header_value(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

class SuiteCase : public testing::TestWithParam<const char*> {};

TEST_P(SuiteCase, MatchesEveryStep) {
  const std::string name = GetParam();
  const std::string base =
      std::string(SLUICE_SOURCE_DIR) + "/test/providers/aws/sigv4/" + name + "/" + name;
  const std::string req = read_file(base + ".req");
  ASSERT_FALSE(req.empty()) << base;
  const SuiteRequest request = parse_req(req);
  const std::string date = header_value(request.headers, "X-Amz-Date");
  Credentials credentials = kSuiteCredentials;
  SigningInput input;
  input.method = request.method;
  input.target = request.target;
  input.headers = &request.headers;
  input.body = request.body;
  input.region = "us-east-1";
  input.service = "service";
  input.amz_date = date;
  const Signature signature = compute_signature(input, credentials);
  EXPECT_EQ(signature.canonical_request, read_file(base + ".creq"));
  EXPECT_EQ(signature.string_to_sign, read_file(base + ".sts"));
  EXPECT_EQ(signature.authorization, read_file(base + ".authz"));

  // The verifier accepts what the suite signed, and refuses it with any other secret.
  HeaderList received = request.headers;
  received.emplace_back("Authorization", read_file(base + ".authz"));
  std::string detail;
  EXPECT_EQ(verify_request(request.method, request.target, received, request.body, credentials,
                           "service", &detail),
            VerifyResult::ok)
      << detail;
  credentials.secret_access_key.back() = 'X';
  EXPECT_EQ(verify_request(request.method, request.target, received, request.body, credentials,
                           "service", &detail),
            VerifyResult::mismatch);
}

INSTANTIATE_TEST_SUITE_P(
    AwsSuite, SuiteCase,
    testing::Values("get-header-key-duplicate", "get-header-value-multiline",
                    "get-header-value-order", "get-header-value-trim", "get-relative",
                    "get-relative-relative", "get-slash", "get-slash-dot-slash",
                    "get-slash-pointless-dot", "get-slashes", "get-space", "get-unreserved",
                    "get-utf8", "get-vanilla", "get-vanilla-empty-query-key", "get-vanilla-query",
                    "get-vanilla-query-order-key", "get-vanilla-query-order-key-case",
                    "get-vanilla-query-order-value", "get-vanilla-query-unreserved",
                    "get-vanilla-utf8-query", "post-header-key-case", "post-header-key-sort",
                    "post-header-value-case", "post-sts-header-before", "post-vanilla",
                    "post-vanilla-empty-query-value", "post-vanilla-query",
                    "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"),
    [](const testing::TestParamInfo<const char*>& info) {
      std::string name = info.param;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

TEST(AmzDate, FormatsUtc) {
  EXPECT_EQ(amz_date(0), "19700101T000000Z");
  EXPECT_EQ(amz_date(1440938160), "20150830T123600Z");
  EXPECT_EQ(amz_date(951782400), "20000229T000000Z");  // a leap day
  EXPECT_EQ(amz_date(4102444799), "20991231T235959Z");
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// A Converse call to a model id with ':' in it: the path segment goes out once encoded ("%3A") and
// is signed twice encoded ("%253A"), as AWS requires of every service but S3.
TEST(SignRequest, BedrockConverse) {
  const Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  const std::string body = R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}]})";
  HeaderList headers = {{"content-type", "application/json"}};
  std::string error;
  ASSERT_TRUE(sign_request("POST",
                           "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
                           "anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
                           body, "us-east-1", "bedrock", credentials, 1440938160, &headers, &error))
      << error;
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[1], (std::pair<std::string, std::string>{"x-amz-date", "20150830T123600Z"}));
  EXPECT_EQ(headers[2].first, "authorization");

  SigningInput input;
  HeaderList signed_headers = {{"content-type", "application/json"},
                               {"host", "bedrock-runtime.us-east-1.amazonaws.com"},
                               {"x-amz-date", "20150830T123600Z"}};
  input.method = "POST";
  input.target = "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse";
  input.headers = &signed_headers;
  input.body = body;
  input.region = "us-east-1";
  input.service = "bedrock";
  input.amz_date = "20150830T123600Z";
  const Signature signature = compute_signature(input, credentials);
  EXPECT_EQ(signature.canonical_request,
            "POST\n"
            "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse\n"
            "\n"
            "content-type:application/json\n"
            "host:bedrock-runtime.us-east-1.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n"
            "\n"
            "content-type;host;x-amz-date\n" +
                sha256_hex(body));
  EXPECT_EQ(signature.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/bedrock/aws4_request\n" +
                sha256_hex(signature.canonical_request));
  EXPECT_EQ(headers[2].second, signature.authorization);
  EXPECT_TRUE(signature.authorization.starts_with(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, Signature="));
  // Cross-checked once against botocore 1.43's SigV4Auth for the same request.
  EXPECT_EQ(signature.signature,
            "68bd8c1403d522a90564452d1a50bfab282fd1f136a75add92048aaa969afaee");
}

// A secret longer than HMAC's 64-byte block is hashed first (RFC 2104); cross-checked once
// against botocore 1.43 for the same request.
TEST(SignRequest, LongSecret) {
  const Credentials credentials{"AKIDEXAMPLE", std::string(100, 'S'), ""};
  HeaderList headers;
  std::string error;
  ASSERT_TRUE(sign_request("POST",
                           "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse", "{}",
                           "us-east-1", "bedrock", credentials, 1440938160, &headers, &error));
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_TRUE(headers[1].second.ends_with(
      "Signature=2e86540bf59b5c90c7642c26b871a50aa93bdb09060017b91a7d7b26c46f980f"))
      << headers[1].second;
}

TEST(SignRequest, SessionTokenIsSignedAndSent) {
  const Credentials credentials{"AKID", "secret", "token-value"};
  HeaderList headers;
  std::string error;
  ASSERT_TRUE(sign_request("POST", "http://127.0.0.1:18001/model/m/converse", "{}", "us-west-2",
                           "bedrock", credentials, 1440938160, &headers, &error));
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[1].first, "x-amz-security-token");
  EXPECT_EQ(headers[1].second, "token-value");
  EXPECT_NE(headers[2].second.find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  // The host the verifier sees keeps the non-default port.
  HeaderList received = headers;
  received.emplace_back("Host", "127.0.0.1:18001");
  std::string detail;
  EXPECT_EQ(
      verify_request("POST", "/model/m/converse", received, "{}", credentials, "bedrock", &detail),
      VerifyResult::ok)
      << detail;
}

TEST(SignRequest, ResigningReplacesThePreviousSignature) {
  const Credentials credentials{"AKID", "secret", "token"};
  HeaderList once = {{"content-type", "application/json"}};
  std::string error;
  ASSERT_TRUE(sign_request("POST", "https://example.com/x", "{}", "r", "s", credentials, 100, &once,
                           &error));
  HeaderList twice = once;
  ASSERT_TRUE(sign_request("POST", "https://example.com/x", "{}", "r", "s", credentials, 100,
                           &twice, &error));
  EXPECT_EQ(twice, once);
  ASSERT_TRUE(sign_request("POST", "https://example.com/x", "{}", "r", "s", credentials, 200,
                           &twice, &error));
  ASSERT_EQ(twice.size(), 4u);
  EXPECT_EQ(twice[1].second, "19700101T000320Z");
  EXPECT_NE(twice[3].second, once[3].second);
}

TEST(SignRequest, DefaultPortDroppedAndBadUrlsRefused) {
  const Credentials credentials{"AKID", "secret", ""};
  HeaderList a;
  HeaderList b;
  std::string error;
  ASSERT_TRUE(
      sign_request("POST", "https://example.com:443/x", "", "r", "s", credentials, 0, &a, &error));
  ASSERT_TRUE(
      sign_request("POST", "https://example.com/x", "", "r", "s", credentials, 0, &b, &error));
  EXPECT_EQ(a, b);
  HeaderList c;
  EXPECT_FALSE(
      sign_request("POST", "ftp://example.com/x", "", "r", "s", credentials, 0, &c, &error));
  EXPECT_NE(error.find("http://"), std::string::npos);
  EXPECT_FALSE(sign_request("POST", "https://", "", "r", "s", credentials, 0, &c, &error));
  EXPECT_FALSE(
      sign_request("POST", "https://user@host/x", "", "r", "s", credentials, 0, &c, &error));
  EXPECT_TRUE(c.empty());
}

class Verify : public testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(sign_request("POST", "http://localhost:9000/model/a%3A0/converse?x=1", body_,
                             "us-east-1", "bedrock", credentials_, 1440938160, &headers_, &error));
    headers_.emplace_back("Host", "localhost:9000");
  }
  VerifyResult verify(const HeaderList& headers, std::string_view body,
                      std::string_view target = "/model/a%3A0/converse?x=1") {
    return verify_request("POST", target, headers, body, credentials_, "bedrock", &detail_);
  }
  std::string* header(HeaderList& headers, std::string_view name) {
    for (auto& [key, value] : headers) {
      if (key == name) return &value;
    }
    return nullptr;
  }

  const Credentials credentials_{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  const std::string body_ = R"({"messages":[]})";
  HeaderList headers_ = {{"content-type", "application/json"}};
  std::string detail_;
};

TEST_F(Verify, AcceptsTheSignedRequest) {
  EXPECT_EQ(verify(headers_, body_), VerifyResult::ok) << detail_;
}

TEST_F(Verify, RefusesChangedBodyPathQueryOrHeader) {
  EXPECT_EQ(verify(headers_, R"({"messages":[1]})"), VerifyResult::mismatch);
  EXPECT_EQ(verify(headers_, body_, "/model/a%3A1/converse?x=1"), VerifyResult::mismatch);
  EXPECT_EQ(verify(headers_, body_, "/model/a%3A0/converse?x=2"), VerifyResult::mismatch);
  HeaderList changed = headers_;
  *header(changed, "content-type") = "text/plain";
  EXPECT_EQ(verify(changed, body_), VerifyResult::mismatch);
  EXPECT_EQ(detail_, "the signature does not match");
}

TEST_F(Verify, MissingUnknownAndMalformed) {
  HeaderList none = {{"host", "localhost:9000"}};
  EXPECT_EQ(verify(none, body_), VerifyResult::missing);
  HeaderList bearer = none;
  bearer.emplace_back("authorization", "Bearer abc");
  EXPECT_EQ(verify(bearer, body_), VerifyResult::missing);

  HeaderList other_key = headers_;
  std::string* authorization = header(other_key, "authorization");
  authorization->replace(authorization->find("AKIDEXAMPLE"), 11, "AKIDOTHER");
  EXPECT_EQ(verify(other_key, body_), VerifyResult::unknown_access_key);

  HeaderList no_signature = headers_;
  authorization = header(no_signature, "authorization");
  authorization->erase(authorization->find(", Signature="));
  EXPECT_EQ(verify(no_signature, body_), VerifyResult::malformed);

  HeaderList wrong_date = headers_;
  *header(wrong_date, "x-amz-date") = "20150831T123600Z";
  EXPECT_EQ(verify(wrong_date, body_), VerifyResult::malformed);

  HeaderList no_host = headers_;
  no_host.pop_back();
  EXPECT_EQ(verify(no_host, body_), VerifyResult::malformed);
  EXPECT_NE(detail_.find("'host'"), std::string::npos);
}

TEST_F(Verify, DetailNeverHoldsTheSecret) {
  HeaderList changed = headers_;
  *header(changed, "content-type") = "x";
  verify(changed, body_);
  EXPECT_EQ(detail_.find(credentials_.secret_access_key), std::string::npos);
}

TEST_F(Verify, GarbageAuthorizationNeverCrashes) {
  const char* values[] = {"AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ,,,,",
                          "AWS4-HMAC-SHA256 Credential=/, SignedHeaders=;, Signature=",
                          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2/3/4/aws4_request, "
                          "SignedHeaders=;;host, Signature=00",
                          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE////aws4_request, "
                          "SignedHeaders=host;x-amz-date, Signature=zz"};
  for (const char* value : values) {
    HeaderList headers = headers_;
    *header(headers, "authorization") = value;
    EXPECT_NE(verify(headers, body_), VerifyResult::ok) << value;
  }
}

}  // namespace
}  // namespace sluice::aws
