// Container credentials (ECS task roles, EKS Pod Identity) against a fake agent on 127.0.0.1
// that checks the Authorization token.

#include <gtest/gtest.h>

#include "providers/auth/aws_credential_source.h"
#include "providers/auth/iso8601.h"
#include "test/providers/auth/files.h"
#include "test/providers/auth/test_server.h"

namespace sluice::providers::auth {
namespace {

using testing::EventLog;
using testing::FakeClock;
using testing::Received;
using testing::Reply;
using testing::TempDir;
using testing::TestServer;

class ContainerTest : public ::testing::Test {
 protected:
  std::unique_ptr<AwsCredentialSource> make(Environment environment) {
    AwsSourceOptions options;
    options.environment = std::move(environment);
    options.container_base = agent.url();
    options.clock = clock.clock();
    options.events = events.sink();
    std::string error;
    auto source = AwsCredentialSource::create(std::move(options), &error);
    EXPECT_TRUE(source) << error;
    return source;
  }
  // The agent: credentials numbered by request for the expected token, else 401.
  void serve(std::string expected_token, int64_t lifetime) {
    agent.set_handler([this, expected_token, lifetime](const Received& request) {
      const auto authorization = request.headers.find("authorization");
      if (authorization == request.headers.end() || authorization->second != expected_token) {
        return Reply{401, "{\"Message\":\"bad token\"}"};
      }
      const std::string n = std::to_string(++issued);
      return Reply{200, "{\"AccessKeyId\":\"ASIAC" + n +
                            "\",\"SecretAccessKey\":\"container-secret-" + n +
                            "\",\"Token\":\"container-session-" + n + "\",\"Expiration\":\"" +
                            format_iso8601(clock.now + lifetime) +
                            "\",\"RoleArn\":\"arn:aws:iam::1:role/task\"}"};
    });
  }
  RefreshStatus fetch_once(AwsCredentialSource& source, uint64_t attempt) {
    clock.now = std::max(clock.now.load(), source.status().next_attempt);
    source.current(clock.now);
    EXPECT_TRUE(source.wait_for_attempts(attempt, std::chrono::seconds(10)));
    return source.status();
  }

  TempDir files;
  FakeClock clock;
  EventLog events;
  int issued = 0;
  TestServer agent{[](const Received&) { return Reply{500, ""}; }};
};

TEST_F(ContainerTest, PodIdentityReadsTheTokenFileOnEveryFetch) {
  serve("pod-token-1", 1000);
  auto source =
      make({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url() + "/v1/credentials"},
            {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", files.write("eks-token", "pod-token-1\n")},
            {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-a-file-is-given"}});
  fetch_once(*source, 1);
  auto credentials = source->current(clock.now);
  ASSERT_TRUE(credentials.has_value()) << source->status().message;
  EXPECT_EQ(credentials->access_key_id, "ASIAC1");
  EXPECT_EQ(credentials->secret_access_key, "container-secret-1");
  EXPECT_EQ(credentials->session_token, "container-session-1");
  EXPECT_EQ(agent.requests().at(0).method, "GET");
  EXPECT_EQ(agent.requests().at(0).target, "/v1/credentials");

  // The agent rotates the token; the next refresh must send the new one.
  files.write("eks-token", "pod-token-2");
  serve("pod-token-2", 1000);
  fetch_once(*source, 2);
  credentials = source->current(clock.now);
  ASSERT_TRUE(credentials.has_value()) << source->status().message;
  EXPECT_EQ(credentials->access_key_id, "ASIAC2");
  EXPECT_EQ(agent.requests().at(1).headers.at("authorization"), "pod-token-2");
}

TEST_F(ContainerTest, EcsRelativeUriWithATokenFromTheEnvironment) {
  serve("ecs-token", 21600);
  auto source = make({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-1"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-token"}});
  fetch_once(*source, 1);
  ASSERT_TRUE(source->current(clock.now).has_value()) << source->status().message;
  EXPECT_EQ(agent.requests().at(0).target, "/v2/credentials/task-1");
  EXPECT_EQ(source->status().valid_until, clock.now + 21600);
  EXPECT_EQ(source->status().next_attempt, clock.now + 17280);  // 80 % of six hours comes first
}

TEST_F(ContainerTest, ErrorsAreReportedWithoutTheToken) {
  agent.set_handler([](const Received& request) {
    return Reply{
        403, "{\"Message\":\"token " + request.headers.at("authorization") + " is not valid\"}"};
  });
  auto source = make({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url() + "/creds"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-pod-token"}});
  RefreshStatus status = fetch_once(*source, 1);
  EXPECT_EQ(status.message,
            "container credentials endpoint answered HTTP 403: {\"Message\":\"token [redacted] "
            "is not valid\"}");
  EXPECT_EQ(events.all().find("secret-pod-token"), std::string::npos);

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "container credentials answer is not a JSON object"},
      {"[1]", "container credentials answer is not a JSON object"},
      {"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2100-01-01T00:00:00Z\"}",
       "container credentials answer lacks a usable access key id, secret key or token"},
      {"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Token\":\"t\"}",
       "container credentials answer has no readable Expiration"},
      {"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"2001-"
       "01-01T00:00:00Z\"}",
       "container credentials answer has credentials that expired at 2001-01-01T00:00:00Z"},
  };
  uint64_t attempt = 1;
  for (const auto& [body, message] : cases) {
    agent.set_handler([body](const Received&) { return Reply{200, body}; });
    status = fetch_once(*source, ++attempt);
    EXPECT_EQ(status.message, message) << body;
    EXPECT_FALSE(source->current(clock.now).has_value());
  }
}

TEST_F(ContainerTest, AnOversizedAnswerIsCutOffAndRefused) {
  agent.set_handler([](const Received&) { return Reply{200, std::string(70 * 1024, ' ')}; });
  auto source = make({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url() + "/creds"}});
  EXPECT_EQ(fetch_once(*source, 1).message, "container credentials failed: the answer from " +
                                                agent.url() + "/creds is larger than 65536 bytes");
}

TEST_F(ContainerTest, ATokenWithALineBreakIsNeverSent) {
  auto source = make({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url() + "/creds"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "abc\r\nX-Injected: 1"}});
  EXPECT_EQ(fetch_once(*source, 1).message, "container authorization token holds a line break");
  EXPECT_TRUE(agent.requests().empty());
}

TEST_F(ContainerTest, AnUnreachableAgentIsAFailureToRetry) {
  auto source = make({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds"}});
  const RefreshStatus status = fetch_once(*source, 1);
  EXPECT_TRUE(
      status.message.starts_with("container credentials failed: http://127.0.0.1:1/creds: "))
      << status.message;
  EXPECT_EQ(status.next_attempt, clock.now + 1);
}

}  // namespace
}  // namespace sluice::providers::auth
