// Tests for ProxyEnvironment: variable precedence, the all_proxy fallback, credentials.

#include "core/upstream/proxy_env.h"

#include <gtest/gtest.h>

#include <map>

namespace sluice::upstream {
namespace {

ProxyEnvironment from(std::map<std::string, std::string> vars) {
  return ProxyEnvironment::read([vars](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(ProxyEnv, UpperCaseCountsLowerCaseWins) {
  auto env = from({{"HTTP_PROXY", "http://upper:1"},
                   {"HTTPS_PROXY", "http://upper:2"},
                   {"NO_PROXY", "127.0.0.1"}});
  EXPECT_EQ(env.for_scheme("http"), "http://upper:1");
  EXPECT_EQ(env.for_scheme("https"), "http://upper:2");
  EXPECT_EQ(env.no_proxy, "127.0.0.1");
  env = from({{"HTTP_PROXY", "http://upper:1"},
              {"http_proxy", "http://lower:1"},
              {"no_proxy", "lower"},
              {"NO_PROXY", "upper"}});
  EXPECT_EQ(env.http, "http://lower:1");
  EXPECT_EQ(env.https, "");
  EXPECT_EQ(env.no_proxy, "lower");
}

TEST(ProxyEnv, AllProxyIsTheFallbackAndEmptyMeansUnset) {
  auto env = from({{"ALL_PROXY", "http://all:3"}, {"https_proxy", ""}});
  EXPECT_EQ(env.http, "http://all:3");
  EXPECT_EQ(env.https, "http://all:3");
  env = from({});
  EXPECT_EQ(env.for_scheme("http"), "");
  EXPECT_EQ(env.for_scheme("https"), "");
}

TEST(ProxyEnv, CredentialsAreSecrets) {
  const auto env = from({{"https_proxy", "alice:s3cr%40t@proxy.internal:3128"}});
  const std::vector<std::string> secrets = env.secrets();
  for (const char* secret : {"alice", "s3cr%40t", "s3cr@t"}) {
    EXPECT_NE(std::find(secrets.begin(), secrets.end(), secret), secrets.end()) << secret;
  }
}

}  // namespace
}  // namespace sluice::upstream
