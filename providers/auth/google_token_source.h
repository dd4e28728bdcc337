#pragma once
// GoogleTokenSource: OAuth 2.0 access tokens for Vertex AI, minted from a service account key
// (the vertex_credentials setting, else the file GOOGLE_APPLICATION_CREDENTIALS names): an RS256
// JWT assertion (iss = client_email, scope, aud = token_uri, one hour) POSTed to token_uri as
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, whose answer's access_token is cached
// and refreshed well before expires_in runs out.
//
// Thread safety: one source is shared by every worker thread of a configuration. current() never
// blocks on I/O: it copies the latest token under a mutex. Tokens are fetched on a thread of the
// source's own, started by the first current() (or wait_for_attempts()) and joined by the
// destructor.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "providers/auth/environment.h"
#include "providers/auth/http_fetch.h"
#include "providers/auth/refresh_loop.h"
#include "providers/auth/service_account.h"

namespace sluice::providers::auth {

inline constexpr std::string_view kCloudPlatformScope =
    "https://www.googleapis.com/auth/cloud-platform";

struct GoogleSourceOptions {
  // vertex_credentials: the key's JSON itself or a path to it. Empty: the path in
  // GOOGLE_APPLICATION_CREDENTIALS.
  std::string credentials;
  Environment environment;  // process_environment() in production
  std::string scope = std::string(kCloudPlatformScope);
  std::string token_uri;  // overrides the key's token_uri (tests); also the JWT's audience
  HttpTimeouts timeouts;
  RefreshPolicy refresh;
  Clock clock;       // empty: the system clock
  EventSink events;  // may be empty
};

class GoogleTokenSource {
 public:
  // The source for the configured key; null with *error (naming the setting or file and the
  // field, never key material) when there is none or it is not a usable service account key.
  // Nothing is fetched yet.
  static std::unique_ptr<GoogleTokenSource> create(GoogleSourceOptions options, std::string* error);

  struct Key {
   private:
    Key() = default;
    friend class GoogleTokenSource;
  };
  explicit GoogleTokenSource(Key) {}
  ~GoogleTokenSource();

  // The access token valid at `now` (Unix seconds), for "authorization: Bearer <token>"; nullopt
  // while none is known (this call starts the first fetch). Never blocks on I/O.
  std::optional<std::string> current(int64_t now);

  // "service account <client_email>, token endpoint <uri>"; no secret.
  const std::string& description() const { return description_; }
  RefreshStatus status() const;
  // See RefreshLoop::wait_for_attempts. Control thread and tests only.
  bool wait_for_attempts(uint64_t attempts, std::chrono::milliseconds timeout);

 private:
  std::string description_;
  Latest<std::string> latest_;
  std::unique_ptr<RefreshLoop> loop_;  // destroyed first
};

// A token endpoint's answer: true with *token and *expires_at (now + expires_in), else false
// with *error quoting the OAuth error and its description with `redact` removed.
bool read_token_answer(long status, std::string_view body, std::string_view redact, int64_t now,
                       std::string* token, int64_t* expires_at, std::string* error);

}  // namespace sluice::providers::auth
