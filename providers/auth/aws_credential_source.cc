// The AWS credential chain: see aws_credential_source.h.

#include "providers/auth/aws_credential_source.h"

#include <cctype>

#include "providers/auth/url_rules.h"

namespace sluice::providers::auth {
namespace {

bool valid_region(std::string_view region) {
  if (region.empty() || region.size() > 32) return false;
  for (char c : region) {
    if (!std::islower(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

// Link 1 or 2 from a key pair; false with *error when only half of it is there.
bool static_pair(const aws::Credentials& credentials, std::string_view names, bool* present,
                 std::string* error) {
  const bool has_id = !credentials.access_key_id.empty();
  const bool has_secret = !credentials.secret_access_key.empty();
  *present = has_id && has_secret;
  if (has_id != has_secret) {
    *error = std::string(names) + " must be set together";
    return false;
  }
  if (!has_id && !credentials.session_token.empty()) {
    *error = std::string(names) + " are needed with a session token";
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<AwsCredentialSource> AwsCredentialSource::create(AwsSourceOptions options,
                                                                 std::string* error) {
  auto source = std::make_unique<AwsCredentialSource>(Key());
  const Environment& env = options.environment;
  const Clock clock = options.clock ? options.clock : system_clock();
  auto report = [&](const std::string& line) {
    if (options.events) options.events(line);
  };

  bool present = false;
  if (!static_pair(options.static_credentials, "aws_access_key_id and aws_secret_access_key",
                   &present, error)) {
    return nullptr;
  }
  if (present) {
    source->link_ = AwsLink::static_keys;
    source->description_ = "static keys from the provider settings";
    source->latest_.set(options.static_credentials, kNeverExpires);
    report("AWS credentials: " + source->description_);
    return source;
  }

  aws::Credentials from_environment{std::string(lookup(env, "AWS_ACCESS_KEY_ID")),
                                    std::string(lookup(env, "AWS_SECRET_ACCESS_KEY")),
                                    std::string(lookup(env, "AWS_SESSION_TOKEN"))};
  if (!static_pair(from_environment, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", &present,
                   error)) {
    return nullptr;
  }
  if (present) {
    source->link_ = AwsLink::environment;
    source->description_ = "AWS_ACCESS_KEY_ID from the environment";
    source->latest_.set(std::move(from_environment), kNeverExpires);
    report("AWS credentials: " + source->description_);
    return source;
  }

  RefreshLoop::Fetch fetch;
  const std::string_view token_file = lookup(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  const std::string_view role_arn = lookup(env, "AWS_ROLE_ARN");
  const std::string_view full_uri = lookup(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  const std::string_view relative_uri = lookup(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  if (!token_file.empty() || !role_arn.empty()) {
    if (token_file.empty() || role_arn.empty()) {
      *error = "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together";
      return nullptr;
    }
    WebIdentityLink link;
    link.role_arn = role_arn;
    link.token_file = token_file;
    link.session_name = lookup(env, "AWS_ROLE_SESSION_NAME");
    std::string region = options.region;
    if (region.empty()) region = lookup(env, "AWS_REGION");
    if (region.empty()) region = lookup(env, "AWS_DEFAULT_REGION");
    if (!options.sts_endpoint.empty()) {
      link.sts_url = options.sts_endpoint;
    } else if (region.empty()) {
      link.sts_url = "https://sts.amazonaws.com";
    } else if (valid_region(region)) {
      link.sts_url = "https://sts." + region + ".amazonaws.com";
    } else {
      *error = "AWS region '" + region + "' is not a region name";
      return nullptr;
    }
    source->link_ = AwsLink::web_identity;
    source->description_ = "web identity: role " + link.role_arn + ", token file " +
                           link.token_file + ", STS " + link.sts_url;
    fetch = [source = source.get(), link, timeouts = options.timeouts,
             clock](const std::atomic<bool>& cancel) {
      AwsFetched fetched;
      Attempt attempt = fetch_web_identity(link, timeouts, clock(), cancel, &fetched);
      if (attempt.ok) source->latest_.set(std::move(fetched.credentials), fetched.expires_at);
      return attempt;
    };
  } else if (!full_uri.empty() || !relative_uri.empty()) {
    ContainerLink link;
    if (!relative_uri.empty()) {  // the SDKs prefer it: it can only reach the ECS agent
      if (!relative_uri.starts_with('/')) {
        *error = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'";
        return nullptr;
      }
      link.url = options.container_base + std::string(relative_uri);
    } else {
      if (!allowed_container_url(full_uri)) {
        *error =
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address, "
            "169.254.170.2 or 169.254.170.23";
        return nullptr;
      }
      link.url = full_uri;
    }
    link.token_file = lookup(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    link.token = lookup(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    source->link_ = AwsLink::container;
    source->description_ = "container credentials: " + link.url;
    if (!link.token_file.empty()) {
      source->description_ += ", authorization token file " + link.token_file;
    } else if (!link.token.empty()) {
      source->description_ += ", authorization token from AWS_CONTAINER_AUTHORIZATION_TOKEN";
    }
    fetch = [source = source.get(), link, timeouts = options.timeouts,
             clock](const std::atomic<bool>& cancel) {
      AwsFetched fetched;
      Attempt attempt = fetch_container(link, timeouts, clock(), cancel, &fetched);
      if (attempt.ok) source->latest_.set(std::move(fetched.credentials), fetched.expires_at);
      return attempt;
    };
  } else {
    *error =
        "no AWS credentials: set aws_access_key_id and aws_secret_access_key, or where sluice "
        "runs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE and "
        "AWS_ROLE_ARN, or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI";
    return nullptr;
  }
  report("AWS credentials: " + source->description_);
  source->loop_ =
      std::make_unique<RefreshLoop>(std::move(fetch), clock, options.refresh, options.events);
  return source;
}

AwsCredentialSource::~AwsCredentialSource() {
  loop_.reset();  // joins the thread, whose fetch writes latest_, before latest_ goes
}

std::optional<aws::Credentials> AwsCredentialSource::current(int64_t now) {
  if (loop_) loop_->poke(now);
  return latest_.get(now);
}

RefreshStatus AwsCredentialSource::status() const {
  if (loop_) return loop_->status();
  RefreshStatus status;
  status.valid_until = kNeverExpires;
  status.next_attempt = kNeverExpires;
  status.message = description_;
  return status;
}

bool AwsCredentialSource::wait_for_attempts(uint64_t attempts, std::chrono::milliseconds timeout) {
  return loop_ ? loop_->wait_for_attempts(attempts, timeout) : true;
}

}  // namespace sluice::providers::auth
