// The AWS credential chain's choice of link, its order, and configurations it refuses.

#include <gtest/gtest.h>

#include "providers/auth/aws_credential_source.h"
#include "test/providers/auth/files.h"
#include "test/providers/auth/test_server.h"

namespace sluice::providers::auth {
namespace {

using testing::EventLog;
using testing::TempDir;

Environment everything(const TempDir& files) {
  return {{"AWS_ACCESS_KEY_ID", "AKIDENV"},
          {"AWS_SECRET_ACCESS_KEY", "env-secret-key"},
          {"AWS_SESSION_TOKEN", "env-session-token"},
          {"AWS_WEB_IDENTITY_TOKEN_FILE", files.write("token", "web-token")},
          {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/sluice"},
          {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds"}};
}

std::unique_ptr<AwsCredentialSource> create(AwsSourceOptions options, std::string* error) {
  return AwsCredentialSource::create(std::move(options), error);
}

TEST(AwsChain, StaticKeysComeFirstAndNeedNoFetch) {
  TempDir files;
  EventLog events;
  AwsSourceOptions options;
  options.static_credentials = {"AKIDSTATIC", "static-secret-key", ""};
  options.environment = everything(files);
  options.events = events.sink();
  std::string error;
  auto source = create(options, &error);
  ASSERT_TRUE(source) << error;
  EXPECT_EQ(source->link(), AwsLink::static_keys);
  const auto credentials = source->current(1);  // at once: nothing to wait for
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->access_key_id, "AKIDSTATIC");
  EXPECT_EQ(credentials->secret_access_key, "static-secret-key");
  EXPECT_TRUE(source->current(INT64_MAX - 1).has_value());  // never expires
  EXPECT_TRUE(source->wait_for_attempts(1, std::chrono::milliseconds(0)));
  EXPECT_EQ(events.all(), "AWS credentials: static keys from the provider settings\n");
}

TEST(AwsChain, EnvironmentKeysComeSecond) {
  TempDir files;
  AwsSourceOptions options;
  options.environment = everything(files);
  std::string error;
  auto source = create(options, &error);
  ASSERT_TRUE(source) << error;
  EXPECT_EQ(source->link(), AwsLink::environment);
  const auto credentials = source->current(1);
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(credentials->secret_access_key, "env-secret-key");
  EXPECT_EQ(credentials->session_token, "env-session-token");
  EXPECT_EQ(source->description().find("env-secret-key"), std::string::npos);
}

TEST(AwsChain, WebIdentityComesThirdWithARegionalStsEndpoint) {
  TempDir files;
  AwsSourceOptions options;
  options.environment = everything(files);
  options.environment.erase("AWS_ACCESS_KEY_ID");
  options.environment.erase("AWS_SECRET_ACCESS_KEY");
  options.environment.erase("AWS_SESSION_TOKEN");
  options.region = "eu-west-3";
  options.environment["AWS_REGION"] = "us-west-2";  // the deployment's region wins
  std::string error;
  auto source = create(options, &error);
  ASSERT_TRUE(source) << error;
  EXPECT_EQ(source->link(), AwsLink::web_identity);
  EXPECT_NE(source->description().find("role arn:aws:iam::123456789012:role/sluice"),
            std::string::npos);
  EXPECT_NE(source->description().find("STS https://sts.eu-west-3.amazonaws.com"),
            std::string::npos)
      << source->description();
  EXPECT_EQ(source->description().find("web-token"), std::string::npos);

  options.region.clear();
  source = create(options, &error);
  ASSERT_TRUE(source) << error;
  EXPECT_NE(source->description().find("STS https://sts.us-west-2.amazonaws.com"),
            std::string::npos);
  options.environment.erase("AWS_REGION");
  options.environment["AWS_DEFAULT_REGION"] = "ap-south-1";
  source = create(options, &error);
  ASSERT_TRUE(source) << error;
  EXPECT_NE(source->description().find("STS https://sts.ap-south-1.amazonaws.com"),
            std::string::npos);
  options.environment.erase("AWS_DEFAULT_REGION");
  source = create(options, &error);
  ASSERT_TRUE(source) << error;
  EXPECT_NE(source->description().find("STS https://sts.amazonaws.com"), std::string::npos);
  options.region = "us-east-1.evil.com/";
  EXPECT_FALSE(create(options, &error));
  EXPECT_NE(error.find("is not a region name"), std::string::npos);
}

TEST(AwsChain, ContainerCredentialsComeLastPreferringTheRelativeUri) {
  AwsSourceOptions options;
  options.environment = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/full"},
                         {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-token"}};
  std::string error;
  auto source = create(options, &error);
  ASSERT_TRUE(source) << error;
  EXPECT_EQ(source->link(), AwsLink::container);
  EXPECT_EQ(source->description(),
            "container credentials: http://127.0.0.1:9/full, authorization token from "
            "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  options.environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  source = create(options, &error);
  ASSERT_TRUE(source) << error;
  EXPECT_NE(source->description().find("http://169.254.170.2/v2/credentials/abc"),
            std::string::npos);
}

TEST(AwsChain, NothingConfiguredSaysWhatWouldDo) {
  std::string error;
  EXPECT_FALSE(create(AwsSourceOptions(), &error));
  EXPECT_NE(error.find("no AWS credentials"), std::string::npos);
  EXPECT_NE(error.find("AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos);
  EXPECT_NE(error.find("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), std::string::npos);
}

TEST(AwsChain, RefusesHalfConfiguredLinksWithoutQuotingThem) {
  std::string error;
  AwsSourceOptions options;
  options.static_credentials = {"AKIDSTATIC", "", ""};
  EXPECT_FALSE(create(options, &error));
  EXPECT_EQ(error, "aws_access_key_id and aws_secret_access_key must be set together");

  options = {};
  options.environment = {{"AWS_SECRET_ACCESS_KEY", "lonely-secret"}};
  EXPECT_FALSE(create(options, &error));
  EXPECT_EQ(error, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");

  options.environment = {{"AWS_SESSION_TOKEN", "lonely-token"}};
  EXPECT_FALSE(create(options, &error));
  EXPECT_EQ(error.find("lonely"), std::string::npos);

  options.environment = {{"AWS_ROLE_ARN", "arn:aws:iam::1:role/x"}};
  EXPECT_FALSE(create(options, &error));
  EXPECT_EQ(error, "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together");

  options.environment = {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/x"}};
  EXPECT_FALSE(create(options, &error));
  EXPECT_EQ(error, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");

  for (const char* url : {"http://example.com/creds", "http://169.254.169.254/latest",
                          "ftp://127.0.0.1/x", "http://127.0.0.1.nip.io/x"}) {
    options.environment = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}};
    EXPECT_FALSE(create(options, &error)) << url;
    EXPECT_NE(error.find("must be https"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace sluice::providers::auth
