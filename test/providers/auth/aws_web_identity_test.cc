// Web identity (IRSA) against a fake STS on 127.0.0.1: the request, the XML answer, errors, the
// token file re-read on every refresh, and refresh before expiry with a fake clock.

#include <gtest/gtest.h>

#include "providers/auth/aws_credential_source.h"
#include "providers/auth/iso8601.h"
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

constexpr const char* kRole = "arn:aws:iam::123456789012:role/sluice";

std::string sts_answer(const std::string& key_id, const std::string& secret,
                       const std::string& token, int64_t expires_at) {
  return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
         "<AssumeRoleWithWebIdentityResult>"
         "<SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>"
         "<Audience>sts.amazonaws.com</Audience>"
         "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/sluice/s</Arn>"
         "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>"
         "<Credentials><SessionToken>" +
         token + "</SessionToken><SecretAccessKey>" + secret + "</SecretAccessKey><Expiration>" +
         format_iso8601(expires_at) + "</Expiration><AccessKeyId>" + key_id +
         "</AccessKeyId></Credentials>"
         "<Provider>arn:aws:iam::123456789012:oidc-provider/example</Provider>"
         "</AssumeRoleWithWebIdentityResult>"
         "<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>"
         "</ResponseMetadata></AssumeRoleWithWebIdentityResponse>";
}

std::string sts_error(const std::string& code, const std::string& message) {
  return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
         "<Type>Sender</Type><Code>" +
         code + "</Code><Message>" + message +
         "</Message></Error><RequestId>1</RequestId></ErrorResponse>";
}

class WebIdentityTest : public ::testing::Test {
 protected:
  std::unique_ptr<AwsCredentialSource> make(Environment extra = {}) {
    AwsSourceOptions options;
    options.environment = {{"AWS_WEB_IDENTITY_TOKEN_FILE", files.write("token", "web-token-1\n")},
                           {"AWS_ROLE_ARN", kRole}};
    options.environment.merge(extra);
    options.sts_endpoint = sts.url();
    options.clock = clock.clock();
    options.events = events.sink();
    options.timeouts = {2000, 5000};
    std::string error;
    auto source = AwsCredentialSource::create(std::move(options), &error);
    EXPECT_TRUE(source) << error;
    return source;
  }
  // Answers with credentials numbered by request, valid for `lifetime` seconds.
  void answer_for(int64_t lifetime) {
    sts.set_handler([this, lifetime](const Received&) {
      const std::string n = std::to_string(++issued);
      return Reply{
          200, sts_answer("ASIA" + n, "sts-secret-" + n, "sts-session-" + n, clock.now + lifetime),
          "text/xml"};
    });
  }
  void expect_no_secret_reported(AwsCredentialSource& source) {
    const std::string reported = events.all() + source.status().message + source.description();
    for (const char* secret : {"web-token", "sts-secret", "sts-session"}) {
      EXPECT_EQ(reported.find(secret), std::string::npos) << secret << " in " << reported;
    }
  }

  TempDir files;
  FakeClock clock;
  EventLog events;
  int issued = 0;
  TestServer sts{[](const Received&) { return Reply{500, "", "text/plain"}; }};
};

TEST_F(WebIdentityTest, AssumesTheRoleWithTheTokenFromTheFile) {
  answer_for(3600);
  auto source = make({{"AWS_ROLE_SESSION_NAME", "my-session"}});
  source->current(clock.now);  // starts the first fetch
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  const auto credentials = source->current(clock.now);
  ASSERT_TRUE(credentials.has_value()) << source->status().message;
  EXPECT_EQ(credentials->access_key_id, "ASIA1");
  EXPECT_EQ(credentials->secret_access_key, "sts-secret-1");
  EXPECT_EQ(credentials->session_token, "sts-session-1");
  EXPECT_EQ(source->status().valid_until, clock.now + 3600);

  const std::vector<Received> requests = sts.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/");
  EXPECT_EQ(requests[0].headers.at("content-type"),
            "application/x-www-form-urlencoded; charset=utf-8");
  const auto fields = form_fields(requests[0].body);
  EXPECT_EQ(fields.at("Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(fields.at("Version"), "2011-06-15");
  EXPECT_EQ(fields.at("RoleArn"), kRole);
  EXPECT_EQ(fields.at("RoleSessionName"), "my-session");
  EXPECT_EQ(fields.at("WebIdentityToken"), "web-token-1");    // trailing newline trimmed
  EXPECT_EQ(requests[0].headers.count("authorization"), 0u);  // the call is unsigned
  expect_no_secret_reported(*source);
}

TEST_F(WebIdentityTest, RefreshesBeforeExpiryReReadingTheTokenFile) {
  answer_for(1000);
  auto source = make();
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  const int64_t start = clock.now;
  EXPECT_EQ(source->status().next_attempt, start + 700);  // five minutes before expiry
  files.write("token", "web-token-2");                    // the kubelet rotated it
  clock.now = start + 699;
  EXPECT_EQ(source->current(clock.now)->access_key_id, "ASIA1");
  EXPECT_EQ(sts.requests().size(), 1u);
  clock.now = start + 700;
  EXPECT_TRUE(source->current(clock.now).has_value());
  ASSERT_TRUE(source->wait_for_attempts(2, std::chrono::seconds(10)));
  EXPECT_EQ(source->current(clock.now)->access_key_id, "ASIA2");
  const std::vector<Received> requests = sts.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(form_fields(requests[1].body).at("WebIdentityToken"), "web-token-2");
  // Without AWS_ROLE_SESSION_NAME each session is named after the time it began.
  EXPECT_EQ(form_fields(requests[1].body).at("RoleSessionName"),
            "sluice-" + std::to_string(start + 700));
  expect_no_secret_reported(*source);
}

TEST_F(WebIdentityTest, StsErrorsAreReportedAndTheLastGoodCredentialsKept) {
  answer_for(100);
  auto source = make();
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  const int64_t start = clock.now;
  sts.set_handler([](const Received& request) {
    // An error that echoes the token must not carry it further.
    return Reply{400,
                 sts_error("InvalidIdentityToken",
                           "Token " + form_fields(request.body).at("WebIdentityToken") +
                               " &amp; its issuer are not trusted"),
                 "text/xml"};
  });
  clock.now = start + 80;
  EXPECT_EQ(source->current(clock.now)->access_key_id, "ASIA1");
  ASSERT_TRUE(source->wait_for_attempts(2, std::chrono::seconds(10)));
  const RefreshStatus status = source->status();
  EXPECT_EQ(status.failures, 1u);
  EXPECT_EQ(status.message,
            "web identity for role " + std::string(kRole) +
                ": STS answered HTTP 400: InvalidIdentityToken: Token [redacted] & its issuer are "
                "not trusted");
  clock.now = start + 99;
  EXPECT_EQ(source->current(clock.now)->access_key_id, "ASIA1");  // kept until it expires
  clock.now = start + 100;
  EXPECT_FALSE(source->current(clock.now).has_value());
  answer_for(100);
  ASSERT_TRUE(testing::eventually([&] {
    return source->current(clock.now).has_value();  // each call pokes; the retry is due
  }));
  EXPECT_EQ(source->current(clock.now)->access_key_id, "ASIA2");
  EXPECT_EQ(source->status().failures, 0u);
  expect_no_secret_reported(*source);
}

TEST_F(WebIdentityTest, AnswersThatCannotBeUsedAreFailures) {
  auto source = make();
  struct Case {
    Reply reply;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{200, "<html>not sts</html>", "text/html"},
       "STS answer is not an AssumeRoleWithWebIdentityResponse with Credentials"},
      {{200, sts_answer("ASIA", "", "tok", clock.now + 100), "text/xml"},
       "STS answer lacks a usable access key id, secret key or token"},
      {{200, sts_answer("AS IA", "s", "tok", clock.now + 100), "text/xml"},
       "STS answer lacks a usable access key id, secret key or token"},
      {{200,
        "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>A</AccessKeyId>"
        "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
        "<Expiration>tomorrow</Expiration></Credentials></AssumeRoleWithWebIdentityResult>",
        "text/xml"},
       "STS answer has no readable Expiration"},
      {{200, sts_answer("ASIA", "s", "t", clock.now), "text/xml"},
       "STS answer has credentials that expired at " + format_iso8601(clock.now)},
      {{503, "", "text/plain"}, "STS answered HTTP 503"},
  };
  uint64_t attempts = 0;
  for (const Case& c : cases) {
    sts.set_handler([&c](const Received&) { return c.reply; });
    clock.now = std::max(clock.now.load(), source->status().next_attempt);
    source->current(clock.now);
    ASSERT_TRUE(source->wait_for_attempts(++attempts, std::chrono::seconds(10)));
    EXPECT_EQ(source->status().message,
              "web identity for role " + std::string(kRole) + ": " + c.message);
    EXPECT_FALSE(source->current(clock.now).has_value());
  }
}

TEST_F(WebIdentityTest, AMissingOrEmptyTokenFileIsReportedByName) {
  auto source = make();
  const std::string path = files.path("token");
  std::filesystem::remove(path);
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  EXPECT_EQ(source->status().message,
            "web identity token: cannot read '" + path + "': No such file or directory");
  files.write("token", " \n");
  clock.now = source->status().next_attempt;
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(2, std::chrono::seconds(10)));
  EXPECT_EQ(source->status().message, "web identity token: '" + path + "' is empty");
  EXPECT_TRUE(sts.requests().empty());
}

TEST_F(WebIdentityTest, AnStsThatNeverAnswersTimesOut) {
  sts.set_handler([](const Received&) { return Reply{200, "", "text/xml", true}; });
  AwsSourceOptions options;
  options.environment = {{"AWS_WEB_IDENTITY_TOKEN_FILE", files.write("token", "t")},
                         {"AWS_ROLE_ARN", kRole}};
  options.sts_endpoint = sts.url();
  options.clock = clock.clock();
  options.timeouts = {200, 300};
  std::string error;
  auto source = AwsCredentialSource::create(std::move(options), &error);
  ASSERT_TRUE(source) << error;
  source->current(clock.now);
  ASSERT_TRUE(source->wait_for_attempts(1, std::chrono::seconds(10)));
  EXPECT_TRUE(source->status().message.starts_with(
      "STS AssumeRoleWithWebIdentity failed: " + sts.url() + "/: "))
      << source->status().message;
  EXPECT_EQ(source->status().failures, 1u);
}

TEST_F(WebIdentityTest, DestroyingTheSourceCancelsAFetchInProgress) {
  sts.set_handler([](const Received&) { return Reply{200, "", "text/xml", true}; });
  auto source = make();  // 5 s total timeout
  source->current(clock.now);
  ASSERT_TRUE(testing::eventually([&] { return !sts.requests().empty(); }));
  const auto before = std::chrono::steady_clock::now();
  source.reset();
  // Cancelled through curl's progress callback rather than waiting out the 5 s timeout; the
  // bound is generous for a loaded machine but below the timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(4500));
}

TEST(StsAnswer, ReadsTheCredentialsAndRefusesExpiredOnes) {
  AwsFetched fetched;
  std::string error;
  ASSERT_TRUE(read_sts_answer(200, sts_answer("ASIAX", "sec/+=", "tok&amp;en", 2000), "", 1000,
                              &fetched, &error))
      << error;
  EXPECT_EQ(fetched.credentials.access_key_id, "ASIAX");
  EXPECT_EQ(fetched.credentials.secret_access_key, "sec/+=");
  EXPECT_EQ(fetched.credentials.session_token, "tok&en");
  EXPECT_EQ(fetched.expires_at, 2000);
  EXPECT_FALSE(read_sts_answer(200, sts_answer("A", "s", "t", 1000), "", 1000, &fetched, &error));
  EXPECT_FALSE(read_sts_answer(403, "not xml", "", 1000, &fetched, &error));
  EXPECT_EQ(error, "STS answered HTTP 403");
}

}  // namespace
}  // namespace sluice::providers::auth
