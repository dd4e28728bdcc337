// Vertex AI end to end with the fake's own Google OAuth token endpoint: a service-account JWT
// signed with RS256 (by this test, with OpenSSL) is exchanged for an access token, which then
// authorises generateContent / streamGenerateContent. Also every way the exchange is refused
// (signature, algorithm, audience, lifetime, scope, grant type), the bearer checks, token
// expiry, and the key loading.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "test/tools/support.h"
#include "tools/fake-llm/google_oauth.h"
#include "tools/fake-llm/google_oauth_jwt.h"

namespace fake_llm::test {
namespace {

using rapidjson::Value;

std::string str(const Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                          : "<not a string>";
}

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Key make_rsa_key() {
  return Key(EVP_RSA_gen(2048));
}

std::string public_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

std::string rs256_sign(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  EXPECT_EQ(EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key), 1);
  size_t length = 0;
  EXPECT_EQ(EVP_DigestSign(context.get(), nullptr, &length,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()),
            1);
  std::string signature(length, '\0');
  EXPECT_EQ(
      EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()),
      1);
  signature.resize(length);
  return signature;
}

struct Claims {
  std::string aud = "https://oauth2.googleapis.com/token";
  int64_t iat = std::time(nullptr);
  int64_t lifetime = 3600;
  bool scope = true;
  std::string alg = "RS256";
};

std::string make_jwt(EVP_PKEY* key, const Claims& claims) {
  const std::string header = R"({"alg":")" + claims.alg + R"(","typ":"JWT","kid":"k1"})";
  std::string body = R"({"iss":"sa@proj.iam.gserviceaccount.com",)";
  if (claims.scope) body += R"("scope":"https://www.googleapis.com/auth/cloud-platform",)";
  body += R"("aud":")" + claims.aud + R"(","iat":)" + std::to_string(claims.iat) + R"(,"exp":)" +
          std::to_string(claims.iat + claims.lifetime) + "}";
  const std::string signed_part = base64url(header) + "." + base64url(body);
  return signed_part + "." + base64url(rs256_sign(key, signed_part));
}

// POST a form body to the token endpoint.
Response post_form(uint16_t port, std::string_view path, std::string_view form) {
  Client client(port);
  std::string request = "POST " + std::string(path) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                        std::to_string(form.size()) + "\r\n\r\n";
  request += form;
  client.send(request);
  return client.read();
}

std::string grant(std::string_view jwt) {
  return "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" +
         std::string(jwt);
}

constexpr const char* kVertex =
    "/vx/v1/projects/my-proj/locations/us-central1/publishers/google/models/"
    "gemini-2.0-flash-001:generateContent";
constexpr const char* kVertexStream =
    "/vx/v1/projects/my-proj/locations/us-central1/publishers/google/models/"
    "gemini-2.0-flash-001:streamGenerateContent?alt=sse";
constexpr const char* kBody = R"({"contents":[{"role":"user","parts":[{"text":"hi vertex"}]}]})";

class VertexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = make_rsa_key().release();
    other_key_ = make_rsa_key().release();
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(key_);
    EVP_PKEY_free(other_key_);
  }
  static ServerOptions options() {
    ServerOptions options;
    options.google_public_key_pem = public_pem(key_);
    return options;
  }
  // Exchanges a good JWT for a token.
  static std::string token(uint16_t port) {
    const auto response = post_form(port, "/vx/token", grant(make_jwt(key_, Claims{})));
    EXPECT_EQ(response.status, 200) << response.body;
    return str(json(response.body)["access_token"]);
  }
  static void expect_oauth_error(const Response& response, const char* error,
                                 std::string_view description_part) {
    EXPECT_EQ(response.status, 400) << response.body;
    const auto doc = json(response.body);
    ASSERT_TRUE(doc.IsObject()) << response.body;
    EXPECT_EQ(doc.MemberCount(), 2u);
    EXPECT_EQ(str(doc["error"]), error) << response.body;
    EXPECT_NE(str(doc["error_description"]).find(description_part), std::string::npos)
        << response.body;
  }
  static EVP_PKEY* key_;
  static EVP_PKEY* other_key_;
};

EVP_PKEY* VertexTest::key_ = nullptr;
EVP_PKEY* VertexTest::other_key_ = nullptr;

TEST_F(VertexTest, TokenExchangeThenGenerateContent) {
  Server server(options());
  const auto exchange = post_form(server.port(), "/vx/token", grant(make_jwt(key_, Claims{})));
  ASSERT_EQ(exchange.status, 200) << exchange.body;
  const auto answer = json(exchange.body);
  EXPECT_EQ(answer.MemberCount(), 3u);
  EXPECT_EQ(str(answer["access_token"]).rfind("ya29.", 0), 0u);
  EXPECT_EQ(answer["expires_in"].GetInt(), 3600);
  EXPECT_EQ(str(answer["token_type"]), "Bearer");
  const std::string bearer = "Bearer " + str(answer["access_token"]);

  const auto response = post(server.port(), kVertex, kBody, {{"authorization", bearer}});
  ASSERT_EQ(response.status, 200) << response.body;
  const auto doc = json(response.body);
  EXPECT_EQ(str(doc["candidates"][0]["content"]["parts"][0]["text"]), "Echo: hi vertex");
  EXPECT_EQ(str(doc["modelVersion"]), "gemini-2.0-flash-001");
  EXPECT_EQ(str(doc["createTime"]).size(), 27u);  // 2026-01-02T03:04:05.123456Z
  EXPECT_EQ(str(doc["createTime"]).back(), 'Z');

  const auto stream = post(server.port(), kVertexStream, kBody, {{"authorization", bearer}});
  ASSERT_EQ(stream.status, 200) << stream.body;
  EXPECT_EQ(*stream.header("content-type"), "text/event-stream");
  EXPECT_NE(stream.body.find("\r\n\r\n"), std::string::npos);
  EXPECT_NE(stream.body.find(R"("finishReason":"STOP")"), std::string::npos);

  const auto log = request_log(server.port());
  EXPECT_EQ(str(log["requests"][0]["route"]), "token");
  EXPECT_EQ(str(log["requests"][1]["route"]), "vertex.generateContent");
  EXPECT_EQ(str(log["requests"][1]["prefix"]), "/vx");
  EXPECT_EQ(str(log["requests"][2]["route"]), "vertex.streamGenerateContent");
}

TEST_F(VertexTest, TheFakesOwnTokenUrlIsAnAudienceToo) {
  Server server(options());
  Claims claims;
  claims.aud = "http://127.0.0.1/vx/token";
  EXPECT_EQ(post_form(server.port(), "/vx/token", grant(make_jwt(key_, claims))).status, 200);
}

TEST_F(VertexTest, RefusedAssertions) {
  Server server(options());
  const auto refuse = [&](const std::string& form, const char* error, std::string_view part) {
    SCOPED_TRACE(form.substr(0, 120));
    expect_oauth_error(post_form(server.port(), "/token", form), error, part);
  };
  refuse(grant(make_jwt(other_key_, Claims{})), "invalid_grant", "Invalid JWT Signature.");
  Claims claims;
  claims.alg = "HS256";
  refuse(grant(make_jwt(key_, claims)), "invalid_grant", "RS256");
  claims = Claims{};
  claims.aud = "https://example.com/token";
  refuse(grant(make_jwt(key_, claims)), "invalid_grant", "audience");
  claims = Claims{};
  claims.lifetime = 7200;
  refuse(grant(make_jwt(key_, claims)), "invalid_grant", "short-lived");
  claims = Claims{};
  claims.iat = std::time(nullptr) - 7200;  // expired an hour ago
  refuse(grant(make_jwt(key_, claims)), "invalid_grant", "short-lived");
  claims = Claims{};
  claims.scope = false;
  refuse(grant(make_jwt(key_, claims)), "invalid_scope", "scope");
  refuse(grant("not.a-jwt"), "invalid_grant", "Invalid JWT");
  refuse(grant("a.b.c.d"), "invalid_grant", "Invalid JWT");
  refuse("grant_type=client_credentials&assertion=x", "unsupported_grant_type",
         "Invalid grant_type: client_credentials");
  refuse("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", "invalid_request",
         "assertion");
  // A tampered payload breaks the signature.
  std::string jwt = make_jwt(key_, Claims{});
  const size_t dot = jwt.find('.');
  jwt[dot + 5] = jwt[dot + 5] == 'A' ? 'B' : 'A';
  refuse(grant(jwt), "invalid_grant", "Invalid JWT");
}

TEST_F(VertexTest, BearerChecks) {
  Server server(options());
  const auto expect_unauthenticated = [&](const Response& response, const char* reason) {
    EXPECT_EQ(response.status, 401) << response.body;
    const auto doc = json(response.body);
    EXPECT_EQ(doc["error"]["code"].GetInt(), 401);
    EXPECT_EQ(str(doc["error"]["status"]), "UNAUTHENTICATED");
    EXPECT_EQ(str(doc["error"]["details"][0]["reason"]), reason);
    EXPECT_EQ(str(doc["error"]["details"][0]["metadata"]["service"]), "aiplatform.googleapis.com");
  };
  expect_unauthenticated(post(server.port(), kVertex, kBody), "CREDENTIALS_MISSING");
  expect_unauthenticated(
      post(server.port(), kVertex, kBody, {{"authorization", "Bearer ya29.made-up"}}),
      "ACCESS_TOKEN_TYPE_UNSUPPORTED");
  // Tokens are not API keys and API keys are not tokens.
  expect_unauthenticated(post(server.port(), kVertex, kBody, {{"x-goog-api-key", "AIza"}}),
                         "CREDENTIALS_MISSING");
  const std::string bearer = "Bearer " + token(server.port());
  // A rejected request leaves the programmed entry; the token request does not take it either.
  ASSERT_EQ(post(server.port(), "/_fake/program", R"({"responses":[{"status":429}]})").status, 200);
  EXPECT_EQ(post(server.port(), kVertex, kBody).status, 401);
  const auto limited = post(server.port(), kVertex, kBody, {{"authorization", bearer}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(str(json(limited.body)["error"]["status"]), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(post(server.port(), kVertex, kBody, {{"authorization", bearer}}).status, 200);
  // Validation errors are Gemini's.
  const auto invalid =
      post(server.port(), kVertex, R"({"prompt":"x"})", {{"authorization", bearer}});
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(str(json(invalid.body)["error"]["status"]), "INVALID_ARGUMENT");
}

TEST_F(VertexTest, EveryTruncationOfAnAssertionIsRefused) {
  Server server(options());
  const std::string jwt = make_jwt(key_, Claims{});
  for (size_t length = 0; length < jwt.size(); length += 7) {
    const auto response = post_form(server.port(), "/token", grant(jwt.substr(0, length)));
    ASSERT_EQ(response.status, 400) << length;
    EXPECT_TRUE(json(response.body).HasMember("error_description")) << length;
  }
}

TEST_F(VertexTest, WithoutAPublicKeySignaturesAreNotCheckedButClaimsAre) {
  Server server;
  EXPECT_EQ(post_form(server.port(), "/token", grant(make_jwt(other_key_, Claims{}))).status, 200);
  Claims claims;
  claims.aud = "https://elsewhere/token";
  expect_oauth_error(post_form(server.port(), "/token", grant(make_jwt(other_key_, claims))),
                     "invalid_grant", "audience");
}

TEST(GoogleOAuthUnits, TokensExpireAfterAnHour) {
  AccessTokens tokens;
  Random random(7);
  const std::string token = tokens.issue(random, 1000);
  EXPECT_EQ(tokens.check(token, 1000), AccessTokens::Check::valid);
  EXPECT_EQ(tokens.check(token, 1000 + 3599), AccessTokens::Check::valid);
  EXPECT_EQ(tokens.check(token, 1000 + 3600), AccessTokens::Check::expired);
  EXPECT_EQ(tokens.check("ya29.other", 1000), AccessTokens::Check::unknown);
}

TEST(GoogleOAuthUnits, Base64UrlAndKeyLoading) {
  std::string out;
  EXPECT_TRUE(base64url_decode("eyJhIjoxfQ", &out));
  EXPECT_EQ(out, R"({"a":1})");
  EXPECT_TRUE(base64url_decode("_-8", &out));
  EXPECT_EQ(out, "\xff\xef");
  EXPECT_FALSE(base64url_decode("ab+c", &out));
  EXPECT_FALSE(base64url_decode("a", &out));
  std::string error;
  EXPECT_EQ(load_rsa_public_key("not a pem", &error), nullptr);
  EXPECT_FALSE(error.empty());
  Key ec(EVP_EC_gen("P-256"));
  ASSERT_NE(ec, nullptr);
  EXPECT_EQ(load_rsa_public_key(public_pem(ec.get()), &error), nullptr);
  EXPECT_NE(error.find("RSA"), std::string::npos);

  ServerOptions options;
  options.google_public_key_pem = "garbage";
  FakeServer server(options);
  EXPECT_FALSE(server.start(&error));
  EXPECT_NE(error.find("--google-public-key"), std::string::npos);
}

// The binary's exit status for `arguments` (fake-llm sits next to the test binary).
int run_fake_llm(const std::string& arguments) {
  const std::string binary =
      (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "fake-llm").string();
  const int status = std::system((binary + " " + arguments + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(VertexTest, CommandLineKeyOptions) {
  EXPECT_EQ(run_fake_llm("--google-public-key /nonexistent/key.pem"), 2);
  EXPECT_EQ(run_fake_llm("--anthropic-key"), 2);
  EXPECT_EQ(run_fake_llm("--gemini-key="), 2);
  // A readable file that holds no key: the server refuses to start (exit 1).
  const std::string path = ::testing::TempDir() + "fake_llm_not_a_key.pem";
  std::ofstream(path) << "not a key\n";
  EXPECT_EQ(run_fake_llm("--port 0 --google-public-key " + path), 1);
  std::remove(path.c_str());
}

// The key options reach the routes: the binary, started with every one of them, refuses a wrong
// key and serves the right one on each provider.
TEST_F(VertexTest, KeyOptionsReachTheRoutes) {
  const std::string binary =
      (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "fake-llm").string();
  const std::string pem_path = ::testing::TempDir() + "fake_llm_google_key.pem";
  std::ofstream(pem_path) << public_pem(key_);
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    execl(binary.c_str(), binary.c_str(), "--port", "0", "--anthropic-key=ka", "--azure-key", "kz",
          "--gemini-key", "kg", "--google-public-key", pem_path.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(out[1]);
  FILE* stream = fdopen(out[0], "r");
  char line[256] = {0};
  ASSERT_NE(fgets(line, sizeof(line), stream), nullptr);
  const std::string text = line;
  const uint16_t port =
      static_cast<uint16_t>(std::stoi(text.substr(std::string("listening 127.0.0.1:").size())));

  const std::string anthropic =
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]})";
  EXPECT_EQ(post(port, "/v1/messages", anthropic, {{"x-api-key", "no"}, {"anthropic-version", "1"}})
                .status,
            401);
  EXPECT_EQ(post(port, "/v1/messages", anthropic, {{"x-api-key", "ka"}, {"anthropic-version", "1"}})
                .status,
            200);
  const std::string azure = "/openai/deployments/d/chat/completions?api-version=2024-10-21";
  const std::string chat = R"({"messages":[{"role":"user","content":"x"}]})";
  EXPECT_EQ(post(port, azure, chat, {{"api-key", "no"}}).status, 401);
  EXPECT_EQ(post(port, azure, chat, {{"api-key", "kz"}}).status, 200);
  EXPECT_EQ(post(port, "/v1beta/models/g:generateContent?key=no", kBody).status, 400);
  EXPECT_EQ(post(port, "/v1beta/models/g:generateContent?key=kg", kBody).status, 200);
  EXPECT_EQ(post_form(port, "/token", grant(make_jwt(other_key_, Claims{}))).status, 400);
  EXPECT_EQ(post_form(port, "/token", grant(make_jwt(key_, Claims{}))).status, 200);

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  fclose(stream);
  std::remove(pem_path.c_str());
}

}  // namespace
}  // namespace fake_llm::test
