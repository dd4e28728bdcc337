// Google service-account tokens against a fake token endpoint on 127.0.0.1 that verifies the
// JWT's RS256 signature with the public half of a key made here, and its claims.

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>

#include "providers/auth/google_token_source.h"
#include "providers/auth/jwt.h"
#include "test/providers/auth/files.h"
#include "test/providers/auth/test_server.h"

namespace sluice::providers::auth {
namespace {

using testing::EventLog;
using testing::FakeClock;
using testing::form_fields;
using testing::Received;
using testing::Reply;
using testing::TempDir;
using testing::TestServer;

constexpr const char* kEmail = "sluice@my-project.iam.gserviceaccount.com";
constexpr const char* kKeyId = "0123456789abcdef0123456789abcdef01234567";

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;

// Keys are slow to make: one of each kind for the whole binary.
EVP_PKEY* rsa_key() {
  static Key key(EVP_RSA_gen(2048));
  return key.get();
}
EVP_PKEY* other_rsa_key() {
  static Key key(EVP_RSA_gen(2048));
  return key.get();
}

std::string pem(EVP_PKEY* key, bool traditional = false) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (traditional) {
    PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string json_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string key_json(const std::string& private_key_pem, const std::string& token_uri,
                     const std::string& type = "service_account") {
  return "{\"type\":\"" + type + "\",\"project_id\":\"my-project\",\"private_key_id\":\"" + kKeyId +
         "\",\"private_key\":\"" + json_escape(private_key_pem) + "\",\"client_email\":\"" +
         kEmail + "\",\"client_id\":\"1\",\"token_uri\":\"" + token_uri + "\"}";
}

std::string base64url_decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '-') {
      value = 62;
    } else if (c == '_') {
      value = 63;
    } else {
      return "<bad base64url>";
    }
    buffer = buffer << 6 | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// What the fake endpoint found in an assertion; `problem` empty when it is good.
struct Checked {
  std::string problem;
  rapidjson::Document header;
  rapidjson::Document claims;
};

Checked check_assertion(const std::string& jwt, EVP_PKEY* public_key) {
  Checked checked;
  const size_t dot1 = jwt.find('.');
  const size_t dot2 = jwt.find('.', dot1 + 1);
  if (dot1 == std::string::npos || dot2 == std::string::npos) {
    checked.problem = "not three parts";
    return checked;
  }
  const std::string signature = base64url_decode(jwt.substr(dot2 + 1));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, public_key) != 1 ||
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(jwt.data()),
                       dot2) != 1) {
    checked.problem = "Invalid JWT Signature.";
    return checked;
  }
  checked.header.Parse(base64url_decode(jwt.substr(0, dot1)).c_str());
  checked.claims.Parse(base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)).c_str());
  if (!checked.header.IsObject() || !checked.claims.IsObject()) checked.problem = "not JSON";
  return checked;
}

class GoogleTokenTest : public ::testing::Test {
 protected:
  std::string token_uri() const { return endpoint.url() + "/token"; }

  std::unique_ptr<GoogleTokenSource> make(std::string credentials, Environment environment = {}) {
    GoogleSourceOptions options;
    options.credentials = std::move(credentials);
    options.environment = std::move(environment);
    options.clock = clock.clock();
    options.events = events.sink();
    std::string error;
    auto source = GoogleTokenSource::create(std::move(options), &error);
    EXPECT_TRUE(source) << error;
    return source;
  }
  std::string create_error(std::string credentials, Environment environment = {}) {
    GoogleSourceOptions options;
    options.credentials = std::move(credentials);
    options.environment = std::move(environment);
    std::string error;
    EXPECT_FALSE(GoogleTokenSource::create(std::move(options), &error));
    return error;
  }
  // Google's endpoint as far as a client can tell: checks the form, the signature and the
  // claims, then hands out numbered tokens valid for an hour.
  void serve_tokens() {
    endpoint.set_handler([this](const Received& request) {
      const auto fields = form_fields(request.body);
      if (request.headers.at("content-type") != "application/x-www-form-urlencoded" ||
          fields.count("grant_type") == 0 ||
          fields.at("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" ||
          fields.count("assertion") == 0) {
        return Reply{400, "{\"error\":\"unsupported_grant_type\"}"};
      }
      Checked checked = check_assertion(fields.at("assertion"), rsa_key());
      if (!checked.problem.empty()) {
        return Reply{
            400, "{\"error\":\"invalid_grant\",\"error_description\":\"" + checked.problem + "\"}"};
      }
      last_header.CopyFrom(checked.header, last_header.GetAllocator());
      last_claims.CopyFrom(checked.claims, last_claims.GetAllocator());
      return Reply{200, "{\"access_token\":\"ya29.token-" + std::to_string(++issued) +
                            "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}"};
    });
  }

  TempDir files;
  FakeClock clock;
  EventLog events;
  int issued = 0;
  rapidjson::Document last_header;
  rapidjson::Document last_claims;
  TestServer endpoint{[](const Received&) { return Reply{500, ""}; }};
};

TEST_F(GoogleTokenTest, MintsATokenWithAnRs256Assertion) {
  serve_tokens();
  auto source = make(key_json(pem(rsa_key()), token_uri()));
  EXPECT_EQ(source->description(),
            std::string("service account ") + kEmail + ", token endpoint " + token_uri());
  source->current(clock.now);  // starts the first fetch
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  EXPECT_EQ(source->current(clock.now), "ya29.token-1") << source->status().message;
  EXPECT_EQ(source->status().valid_until, clock.now + 3599);

  ASSERT_TRUE(last_header.IsObject());
  EXPECT_STREQ(last_header["alg"].GetString(), "RS256");
  EXPECT_STREQ(last_header["typ"].GetString(), "JWT");
  EXPECT_STREQ(last_header["kid"].GetString(), kKeyId);
  EXPECT_STREQ(last_claims["iss"].GetString(), kEmail);
  EXPECT_STREQ(last_claims["scope"].GetString(), "https://www.googleapis.com/auth/cloud-platform");
  EXPECT_EQ(last_claims["aud"].GetString(), token_uri());
  EXPECT_EQ(last_claims["iat"].GetInt64(), clock.now.load());
  EXPECT_EQ(last_claims["exp"].GetInt64(), clock.now + 3600);
  EXPECT_FALSE(last_claims.HasMember("sub"));
  const std::string reported = events.all() + source->status().message + source->description();
  EXPECT_EQ(reported.find("ya29"), std::string::npos) << reported;
  EXPECT_EQ(reported.find("PRIVATE KEY"), std::string::npos) << reported;
  EXPECT_NE(reported.find("Google access token for"), std::string::npos) << reported;
}

TEST_F(GoogleTokenTest, RefreshesBeforeExpiryWithAFreshAssertion) {
  serve_tokens();
  auto source = make(files.write("key.json", key_json(pem(rsa_key()), token_uri())));
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  const int64_t start = clock.now;
  EXPECT_EQ(source->status().next_attempt, start + 2879);  // 80 % of 3599 s
  clock.now = start + 2879;
  EXPECT_TRUE(source->current(clock.now).has_value());
  ASSERT_TRUE(source->wait_for_attempts(2, std::chrono::seconds(10)));
  EXPECT_EQ(source->current(clock.now), "ya29.token-2");
  EXPECT_EQ(last_claims["iat"].GetInt64(), start + 2879);
}

TEST_F(GoogleTokenTest, OAuthErrorsAreReportedWithoutTheAssertionAndTheLastTokenKept) {
  serve_tokens();
  auto source = make(key_json(pem(rsa_key()), token_uri()));
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  const int64_t start = clock.now;
  std::string assertion;
  endpoint.set_handler([&assertion](const Received& request) {
    assertion = form_fields(request.body).at("assertion");
    return Reply{400, "{\"error\":\"invalid_grant\",\"error_description\":\"Bad assertion " +
                          assertion + "\"}"};
  });
  clock.now = start + 2879;
  EXPECT_EQ(source->current(clock.now), "ya29.token-1");
  ASSERT_TRUE(source->wait_for_attempts(2, std::chrono::seconds(10)));
  EXPECT_EQ(source->status().message,
            std::string("Google token for ") + kEmail +
                ": token endpoint answered HTTP 400: invalid_grant: Bad assertion [redacted]");
  EXPECT_FALSE(assertion.empty());
  EXPECT_EQ(events.all().find(assertion), std::string::npos);
  clock.now = start + 3598;
  EXPECT_EQ(source->current(clock.now), "ya29.token-1");
  clock.now = start + 3599;
  EXPECT_FALSE(source->current(clock.now).has_value());
}

TEST_F(GoogleTokenTest, AnAssertionSignedWithAnotherKeyIsRefusedByTheEndpoint) {
  serve_tokens();
  auto source = make(key_json(pem(other_rsa_key()), token_uri()));
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  EXPECT_FALSE(source->current(clock.now).has_value());
  EXPECT_EQ(source->status().message,
            std::string("Google token for ") + kEmail +
                ": token endpoint answered HTTP 400: invalid_grant: Invalid JWT Signature.");
}

TEST_F(GoogleTokenTest, UnusableAnswersAreFailures) {
  auto source = make(key_json(pem(rsa_key()), token_uri()));
  const std::vector<std::pair<Reply, std::string>> cases = {
      {{200, "not json"}, "token endpoint answer is not a JSON object"},
      {{200, "{\"expires_in\":3600}"}, "token endpoint answer has no usable access_token"},
      {{200, "{\"access_token\":\"a b\",\"expires_in\":3600}"},
       "token endpoint answer has no usable access_token"},
      {{200, "{\"access_token\":\"t\"}"}, "token endpoint answer has no usable expires_in"},
      {{200, "{\"access_token\":\"t\",\"expires_in\":\"3600\"}"},
       "token endpoint answer has no usable expires_in"},
      {{200, "{\"access_token\":\"t\",\"expires_in\":0}"},
       "token endpoint answer has no usable expires_in"},
      {{200, "{\"access_token\":\"t\",\"expires_in\":60,\"token_type\":\"mac\"}"},
       "token endpoint answered token_type \"mac\", not Bearer"},
      {{200, "{\"access_token\":\"t\",\"expires_in\":60,\"token_type\":\"b\"}"},
       "token endpoint answered token_type \"b\", not Bearer"},
      {{503, "upstream unavailable", "text/plain"},
       "token endpoint answered HTTP 503: upstream unavailable"},
  };
  uint64_t attempt = 0;
  for (const auto& [reply, message] : cases) {
    endpoint.set_handler([reply](const Received&) { return reply; });
    clock.now = std::max(clock.now.load(), source->status().next_attempt);
    source->current(clock.now);
    ASSERT_TRUE(source->wait_for_attempts(++attempt, std::chrono::seconds(10)));
    EXPECT_EQ(source->status().message, std::string("Google token for ") + kEmail + ": " + message);
    EXPECT_FALSE(source->current(clock.now).has_value());
  }
}

TEST_F(GoogleTokenTest, TheKeyComesFromTheSettingElseGoogleApplicationCredentials) {
  serve_tokens();
  const std::string path = files.write("adc.json", key_json(pem(rsa_key(), true), token_uri()));
  auto source = make("", {{"GOOGLE_APPLICATION_CREDENTIALS", path}});
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  EXPECT_EQ(source->current(clock.now), "ya29.token-1") << source->status().message;

  const std::string error = create_error("", {});
  EXPECT_EQ(error,
            "no Google credentials: set vertex_credentials (a service account key file or its "
            "JSON), or GOOGLE_APPLICATION_CREDENTIALS where sluice runs");
}

TEST_F(GoogleTokenTest, TheTokenUriCanBeOverridden) {
  serve_tokens();
  GoogleSourceOptions options;
  options.credentials = key_json(pem(rsa_key()), "https://oauth2.googleapis.com/token");
  options.token_uri = token_uri();
  options.clock = clock.clock();
  std::string error;
  auto source = GoogleTokenSource::create(std::move(options), &error);
  ASSERT_TRUE(source) << error;
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  EXPECT_EQ(source->current(clock.now), "ya29.token-1") << source->status().message;
  EXPECT_EQ(last_claims["aud"].GetString(), token_uri());
}

TEST_F(GoogleTokenTest, BadKeysAreRefusedAtCreationWithoutKeyMaterial) {
  const std::string good_pem = pem(rsa_key());
  std::unique_ptr<EVP_PKEY, KeyDeleter> ec_key(EVP_EC_gen("P-256"));
  const std::string ec_pem = pem(ec_key.get());
  const std::string missing = files.path("missing.json");
  const std::string truncated_pem = good_pem.substr(0, 300) + "\n-----END PRIVATE KEY-----\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "the service account JSON is not a JSON object"},
      {"{\"client_email\":\"a\"}",
       "the service account JSON has no \"type\" (a service account key has \"service_account\")"},
      {key_json(good_pem, token_uri(), "authorized_user"),
       "the service account JSON has type \"authorized_user\"; only \"service_account\" keys are "
       "supported"},
      {"{\"type\":\"service_account\",\"private_key\":\"" + json_escape(good_pem) + "\"}",
       "the service account JSON has no \"client_email\""},
      {"{\"type\":\"service_account\",\"client_email\":\"a@b\"}",
       "the service account JSON has no \"private_key\""},
      {key_json("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", token_uri()),
       "the service account JSON \"private_key\" is not a PEM private key"},
      {key_json(truncated_pem, token_uri()),
       "the service account JSON \"private_key\" is not a PEM private key"},
      {key_json(ec_pem, token_uri()),
       "the service account JSON \"private_key\" is not an RSA key (RS256 needs one)"},
      {key_json(good_pem, "http://oauth2.googleapis.com/token"),
       "the service account JSON \"token_uri\" must be an https URL (http only to a loopback "
       "address)"},
      {missing,
       "service account key file cannot read '" + missing + "': No such file or directory"},
      {files.write("empty.json", ""),
       "service account key file '" + files.path("empty.json") + "' is not a JSON object"},
  };
  for (const auto& [credentials, message] : cases) {
    const std::string error = create_error(credentials);
    EXPECT_EQ(error, message);
    EXPECT_EQ(error.find("MII"), std::string::npos);  // no base64 DER of any key
  }
}

TEST(Jwt, Base64UrlHasNoPadding) {
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
}

TEST(Jwt, SignsWhatTheKeyVerifies) {
  std::string error;
  auto signer = RsaSigner::from_pem(pem(rsa_key()), &error);
  ASSERT_TRUE(signer) << error;
  JwtClaims claims;
  claims.issuer = "a\"b@c";  // escaped, not pasted
  claims.scope = "s";
  claims.audience = "https://x/token";
  claims.issued_at = 1000;
  std::string jwt;
  ASSERT_TRUE(make_jwt(claims, *signer, &jwt));
  Checked checked = check_assertion(jwt, rsa_key());
  ASSERT_EQ(checked.problem, "");
  EXPECT_FALSE(checked.header.HasMember("kid"));  // no key id: no kid
  EXPECT_STREQ(checked.claims["iss"].GetString(), "a\"b@c");
  EXPECT_EQ(checked.claims["exp"].GetInt64(), 4600);
  EXPECT_EQ(check_assertion(jwt, other_rsa_key()).problem, "Invalid JWT Signature.");
}

}  // namespace
}  // namespace sluice::providers::auth
