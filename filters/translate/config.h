#pragma once
// translate: the configuration, built once per configured instance from the host's registry:
// for each deployment (and, for targets that name no known deployment, each provider) where its
// requests go and with which credentials. Read-only once built: every worker thread shares it.
// Holds credentials: nothing here is ever logged.

#include <sluice/filter.hpp>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "filters/translate/image_fetch_settings.h"
#include "providers/auth/aws_credential_source.h"
#include "providers/auth/google_token_source.h"
#include "providers/aws/sigv4.h"
#include "providers/common/adapter.h"

namespace sluice::filters::translate {

// The provider paths translate v1 sends requests to; endpoint_for() (filter.h) picks one.
inline constexpr std::array<std::string_view, 3> kEndpoints = {"/chat/completions", "/completions",
                                                               "/embeddings"};

// One place requests can be sent, resolved at load.
struct Upstream {
  std::string provider;       // provider name, for messages
  std::string provider_type;  // "openai", "groq", ... or an unsupported type
  bool supported = false;     // an OpenAI-compatible type, or one with an adapter
  std::string base_url;       // api_base without a trailing '/'; empty: none configured
  // base_url followed by each of kEndpoints, in their order, joined at load (empty without one).
  std::array<std::string, kEndpoints.size()> urls;
  std::string api_key;        // empty: no authorization header
  std::string authorization;  // "Bearer <api_key>", made at load; empty without a key
  std::string model;          // the provider's model id (empty for a provider entry)
  std::string model_json;     // model as a JSON string, quoted at load
  // Default request parameters: JSON pointer of the member ("/temperature") and its JSON value.
  std::vector<std::pair<std::string, std::string>> params;
  // A provider with an API of its own (providers/<name>): its adapter and the deployment as the
  // adapter sees it; null for the OpenAI-compatible types, which translate speaks itself.
  const providers::Adapter* adapter = nullptr;
  providers::Deployment deployment;
  // Whether (and within which limits) translate fetches the request's image URLs itself, from
  // the settings taken out of `deployment.settings` before the adapter checked them.
  ImageFetchSettings image_fetch;
  // Where signed or token-authorised requests get their credentials (providers/auth), shared by
  // every worker and refreshed on the source's own thread: AWS's chain for bedrock (the
  // provider's keys, the environment's, web identity, container), a service account's OAuth
  // tokens for vertex_ai. Deployments with the same credential settings share a source.
  std::shared_ptr<providers::auth::AwsCredentialSource> aws_source;
  std::shared_ptr<providers::auth::GoogleTokenSource> google_source;
  // Why requests to this deployment cannot be sent (no AWS region or credentials where the
  // gateway runs): a warning at load, a 500 naming it per request. Empty: usable.
  std::string unusable;
};

struct Config {
  std::map<std::string, Upstream, std::less<>> deployments;  // by deployment id ("gpt#0")
  std::map<std::string, Upstream, std::less<>> providers;    // by provider name

  static std::unique_ptr<Config> create(ConfigContext& context, std::string_view json,
                                        std::string& error);
};

// The OpenAI-compatible provider types of v1 and their public api_base: "" when the type has
// none (openai_compatible, hosted_vllm, ollama: api_base is required); nullopt when translate
// v1 does not speak the type.
std::optional<std::string_view> default_api_base(std::string_view provider_type);

}  // namespace sluice::filters::translate
