#pragma once
// AwsCredentialSource: AWS credentials for SigV4, chosen as the AWS SDKs' default chain does
// and kept fresh. The links, in order; the first one configured is used:
//   1. static keys given by the caller (the deployment's aws_access_key_id / ..._secret_...);
//   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) in the environment;
//   3. web identity (IRSA): AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME)
//      through STS AssumeRoleWithWebIdentity;
//   4. container credentials (ECS task role, EKS Pod Identity):
//      AWS_CONTAINER_CREDENTIALS_FULL_URI, or http://169.254.170.2 +
//      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, authorised by AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
//      (re-read each time) or AWS_CONTAINER_AUTHORIZATION_TOKEN.
// The choice is made once, at create(); a chosen link that fails is retried, not skipped (so a
// transient STS error never silently switches identities).
//
// Thread safety: one source is shared by every worker thread of a configuration. current() never
// blocks on I/O: it copies the latest credentials under a mutex. Links 3 and 4 fetch on a thread
// of the source's own, started by the first current() (or wait_for_attempts()), and joined by
// the destructor.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "providers/auth/aws_fetch.h"
#include "providers/auth/environment.h"
#include "providers/auth/http_fetch.h"
#include "providers/auth/refresh_loop.h"
#include "providers/aws/sigv4.h"

namespace sluice::providers::auth {

enum class AwsLink { static_keys, environment, web_identity, container };

struct AwsSourceOptions {
  // Link 1: both empty when the caller has none; one without the other is refused.
  aws::Credentials static_credentials;
  // The region for STS's regional endpoint; empty: AWS_REGION, else AWS_DEFAULT_REGION, else the
  // global endpoint https://sts.amazonaws.com.
  std::string region;
  // What the chain reads; process_environment() in production.
  Environment environment;
  // Overrides for tests and private endpoints: STS's base URL (no trailing '/'), and the base the
  // RELATIVE_URI is appended to.
  std::string sts_endpoint;
  std::string container_base = "http://169.254.170.2";
  HttpTimeouts timeouts;
  RefreshPolicy refresh;
  Clock clock;       // empty: the system clock
  EventSink events;  // may be empty; gets the choice of link, refreshes and failures
};

class AwsCredentialSource {
 public:
  // The source for the first configured link; null with *error when none is configured or the
  // configuration is unusable (half a key pair, a role without a token file, a container URL the
  // SDKs would refuse). Nothing is fetched yet.
  static std::unique_ptr<AwsCredentialSource> create(AwsSourceOptions options, std::string* error);
  // Made only by create(); the key keeps the constructor out of other hands.
  struct Key {
   private:
    Key() = default;
    friend class AwsCredentialSource;
  };
  explicit AwsCredentialSource(Key) {}
  ~AwsCredentialSource();

  // The credentials valid at `now` (Unix seconds), or nullopt while none are known: the first
  // fetch is under way (this call starts it) or every fetch so far failed and the last good
  // credentials expired. Never blocks on I/O.
  std::optional<aws::Credentials> current(int64_t now);

  AwsLink link() const { return link_; }
  // Which link and where it fetches from ("web identity: role arn:..., STS https://..."); no
  // secret.
  const std::string& description() const { return description_; }
  // The refresh state; status().message says why nothing is known yet.
  RefreshStatus status() const;
  // See RefreshLoop::wait_for_attempts (true at once for the static links). Control thread and
  // tests only.
  bool wait_for_attempts(uint64_t attempts, std::chrono::milliseconds timeout);

 private:
  AwsLink link_ = AwsLink::static_keys;
  std::string description_;
  Latest<aws::Credentials> latest_;
  std::unique_ptr<RefreshLoop> loop_;  // null for the static links; destroyed first
};

}  // namespace sluice::providers::auth
