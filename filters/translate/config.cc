// translate: config parsing (unknown fields rejected) and the upstream table from the registry.

#include "filters/translate/config.h"

#include <array>
#include <cstdlib>

#include "filters/common/json_text.h"
#include "filters/common/proto_config.h"
#include "filters/common/registry.h"
#include "filters/translate/adapters.h"
#include "filters/translate/translate.pb.h"

namespace sluice::filters::translate {
namespace {

namespace auth = providers::auth;

struct KnownType {
  std::string_view type;
  std::string_view api_base;
};
constexpr std::array<KnownType, 12> kOpenAiCompatible = {{
    {"openai", "https://api.openai.com/v1"},
    {"openai_compatible", ""},
    {"groq", "https://api.groq.com/openai/v1"},
    {"mistral", "https://api.mistral.ai/v1"},
    {"deepseek", "https://api.deepseek.com/v1"},
    {"together_ai", "https://api.together.xyz/v1"},
    {"fireworks_ai", "https://api.fireworks.ai/inference/v1"},
    {"openrouter", "https://openrouter.ai/api/v1"},
    {"xai", "https://api.x.ai/v1"},
    {"nvidia_nim", "https://integrate.api.nvidia.com/v1"},
    {"hosted_vllm", ""},
    {"ollama", ""},
}};

std::string pointer_of(std::string_view member) {
  std::string out = "/";
  for (char c : member) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// An absolute http(s) URL with no whitespace or control characters, without a trailing '/'.
std::optional<std::string> clean_base(std::string_view base) {
  if (!base.starts_with("http://") && !base.starts_with("https://")) return std::nullopt;
  for (unsigned char c : base) {
    if (c <= 0x20 || c == 0x7F) return std::nullopt;
  }
  while (base.ends_with('/')) base.remove_suffix(1);
  if (base == "http:" || base == "https:") return std::nullopt;
  return std::string(base);
}

// Fills the URL of `upstream` from the first non-empty of `bases`, else the type's default.
bool resolve_base(Upstream* upstream, std::initializer_list<std::string_view> bases,
                  std::string_view what, std::string& error) {
  std::optional<std::string_view> fallback = default_api_base(upstream->provider_type);
  upstream->supported = fallback.has_value();
  if (!upstream->supported) return true;  // refused per request, naming the type
  std::string_view chosen = *fallback;
  for (std::string_view base : bases) {
    if (!base.empty()) {
      chosen = base;
      break;
    }
  }
  if (chosen.empty()) return true;  // a provider without api_base: refused if a request uses it
  std::optional<std::string> clean = clean_base(chosen);
  if (!clean) {
    error = std::string(what) + ": api_base must be an absolute http:// or https:// URL";
    return false;
  }
  upstream->base_url = std::move(*clean);
  for (size_t i = 0; i < kEndpoints.size(); ++i) {
    upstream->urls[i] = upstream->base_url + std::string(kEndpoints[i]);
  }
  return true;
}

std::string setting(const providers::Deployment& deployment, std::string_view name) {
  auto it = deployment.settings.find(name);
  return it == deployment.settings.end() ? std::string() : it->second;
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);  // config_new runs on the control thread
  return value ? std::string(value) : std::string();
}

// A deployment of a provider type with an adapter: the adapter's view of it, checked, and the
// credentials its requests are signed with. False with `error` naming the deployment.
// The environment variable a provider type's key is read from when the config gives none, as
// LiteLLM reads it (and "" for a type without one).
std::string_view key_variable(std::string_view provider_type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kVariables = {{
      {"openai", "OPENAI_API_KEY"},
      {"anthropic", "ANTHROPIC_API_KEY"},
      {"gemini", "GEMINI_API_KEY"},
      {"azure", "AZURE_API_KEY"},
      {"cohere", "COHERE_API_KEY"},
      {"groq", "GROQ_API_KEY"},
      {"mistral", "MISTRAL_API_KEY"},
      {"deepseek", "DEEPSEEK_API_KEY"},
      {"together_ai", "TOGETHERAI_API_KEY"},
      {"fireworks_ai", "FIREWORKS_AI_API_KEY"},
      {"openrouter", "OPENROUTER_API_KEY"},
      {"xai", "XAI_API_KEY"},
      {"nvidia_nim", "NVIDIA_NIM_API_KEY"},
      {"bedrock", ""},
  }};
  for (const auto& [type, variable] : kVariables) {
    if (type == provider_type) return variable;
  }
  return {};
}

// The key configured, else the one the environment gives the type ("" when neither).
std::string key_or_environment(std::string key, std::string_view provider_type) {
  if (!key.empty()) return key;
  std::string_view variable = key_variable(provider_type);
  return variable.empty() ? std::string() : environment(std::string(variable).c_str());
}

// The first of these environment variables that is set, or "".
std::string first_environment(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (std::string value = environment(name); !value.empty()) return value;
  }
  return {};
}

// The credential sources of one config, shared by the deployments with the same credential
// settings (each source that fetches runs a thread).
class CredentialSources {
 public:
  std::shared_ptr<auth::AwsCredentialSource> aws(const providers::Deployment& d,
                                                 std::string* problem) {
    const std::string key = setting(d, "aws_region_name") + '\n' + setting(d, "aws_access_key_id") +
                            '\n' + setting(d, "aws_secret_access_key") + '\n' +
                            setting(d, "aws_session_token");
    if (auto it = aws_.find(key); it != aws_.end()) return it->second;
    auth::AwsSourceOptions options;
    options.static_credentials = {setting(d, "aws_access_key_id"),
                                  setting(d, "aws_secret_access_key"),
                                  setting(d, "aws_session_token")};
    options.region = setting(d, "aws_region_name");
    options.environment = auth::process_environment();
    std::string error;
    std::shared_ptr<auth::AwsCredentialSource> source =
        auth::AwsCredentialSource::create(std::move(options), &error);
    if (!source) *problem = "no AWS credentials: " + error;
    aws_.emplace(key, source);
    return source;
  }

  std::shared_ptr<auth::GoogleTokenSource> google(const providers::Deployment& d,
                                                  std::string* problem) {
    const std::string key = setting(d, "vertex_credentials");
    if (auto it = google_.find(key); it != google_.end()) return it->second;
    auth::GoogleSourceOptions options;
    options.credentials = key;
    options.environment = auth::process_environment();
    std::string error;
    std::shared_ptr<auth::GoogleTokenSource> source =
        auth::GoogleTokenSource::create(std::move(options), &error);
    if (!source) *problem = "no Google service account: " + error;
    google_.emplace(key, source);
    return source;
  }

 private:
  std::map<std::string, std::shared_ptr<auth::AwsCredentialSource>> aws_;
  std::map<std::string, std::shared_ptr<auth::GoogleTokenSource>> google_;
};

bool resolve_adapter(ConfigContext& context, CredentialSources& sources, Upstream* upstream,
                     const common::RegistryDeployment& d, const common::RegistryProvider* provider,
                     std::string_view provider_base, const std::string& what, std::string& error) {
  providers::Deployment& deployment = upstream->deployment;
  deployment.name = d.id;
  deployment.provider_type = d.provider_type;
  deployment.model = d.model;
  deployment.api_key = upstream->api_key;
  std::string_view base = !d.api_base.empty() ? std::string_view(d.api_base) : provider_base;
  if (!base.empty()) {
    std::optional<std::string> clean = clean_base(base);
    if (!clean) {
      error = what + ": api_base must be an absolute http:// or https:// URL";
      return false;
    }
    deployment.base_url = std::move(*clean);
  }
  if (provider) {
    for (const auto& [name, value] : provider->settings) deployment.settings[name] = value;
  }
  const bool bedrock = d.provider_type == "bedrock";
  if (bedrock && deployment.base_url.empty() && !deployment.settings.contains("aws_region_name")) {
    // Where the gateway runs on AWS, the platform names the region (as LiteLLM reads it).
    std::string region = first_environment({"AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"});
    if (region.empty()) {
      upstream->unusable = "no AWS region: set aws_region_name, or AWS_REGION where sluice runs";
      region = "us-east-1";  // a placeholder that lets the adapter check the rest
    }
    deployment.settings["aws_region_name"] = std::move(region);
  }
  // Types whose requests need a key (all with an adapter but bedrock and vertex_ai, which sign,
  // and azure with an AD token): without one the deployment loads, warned, and answers 500.
  const bool needs_key =
      !bedrock && d.provider_type != "vertex_ai" &&
      !(d.provider_type == "azure" && deployment.settings.contains("azure_ad_token"));
  if (needs_key && deployment.api_key.empty()) {
    upstream->unusable = "no API key: set api_key";
    if (std::string_view variable = key_variable(d.provider_type); !variable.empty()) {
      upstream->unusable += ", or " + std::string(variable) + " where sluice runs";
    }
    deployment.api_key = "unset";  // lets the adapter check the rest; nothing is ever sent
  }
  // translate's own settings: out of the adapter's view (it refuses what it does not know).
  std::string fetch_problem;
  if (!take_image_fetch_settings(&deployment.settings, &upstream->image_fetch, &fetch_problem)) {
    error = what + ": " + fetch_problem;
    return false;
  }
  if (upstream->image_fetch.any_given && !upstream->image_fetch.enabled) {
    context.log(
        LogLevel::warn,
        what + ": image_fetch_* settings have no effect without fetch_image_urls: \"true\"");
  }
  if (std::string problem = upstream->adapter->check(deployment); !problem.empty()) {
    error = what + ": " + problem;
    return false;
  }
  upstream->supported = true;
  upstream->base_url = deployment.base_url;
  if (bedrock && deployment.api_key.empty() && upstream->unusable.empty()) {
    upstream->aws_source = sources.aws(deployment, &upstream->unusable);
  }
  if (d.provider_type == "vertex_ai" && upstream->unusable.empty()) {
    upstream->google_source = sources.google(deployment, &upstream->unusable);
  }
  if (!upstream->unusable.empty()) {
    context.log(LogLevel::warn,
                what + ": " + upstream->unusable + "; requests to it are answered 500 until then");
  }
  return true;
}

}  // namespace

std::optional<std::string_view> default_api_base(std::string_view provider_type) {
  for (const KnownType& known : kOpenAiCompatible) {
    if (known.type == provider_type) return known.api_base;
  }
  return std::nullopt;
}

std::unique_ptr<Config> Config::create(ConfigContext& context, std::string_view json,
                                       std::string& error) {
  v1::Translate proto;
  if (!common::parse_proto_config(json, &proto, error)) return nullptr;
  common::Registry registry;
  if (!common::read_registry(context, &registry, error)) return nullptr;

  auto config = std::make_unique<Config>();
  CredentialSources sources;
  for (const auto& p : registry.providers) {
    Upstream upstream;
    upstream.provider = p.name;
    upstream.provider_type = p.type;
    upstream.api_key = key_or_environment(p.api_key, p.type);
    if (!resolve_base(&upstream, {p.api_base}, "provider '" + p.name + "'", error)) return nullptr;
    config->providers.emplace(p.name, std::move(upstream));
  }
  for (const auto& model : registry.models) {
    for (const auto& d : model.deployments) {
      auto provider = config->providers.find(d.provider);
      const common::RegistryProvider* registry_provider = nullptr;
      for (const auto& p : registry.providers) {
        if (p.name == d.provider) registry_provider = &p;
      }
      std::string_view provider_base;
      Upstream upstream;
      upstream.provider = d.provider;
      upstream.provider_type = d.provider_type;
      upstream.model = d.model;
      upstream.model_json = common::json_quote(d.model);
      if (provider != config->providers.end()) {
        upstream.api_key = provider->second.api_key;
        provider_base = provider->second.base_url;
      }
      if (!d.api_key.empty()) upstream.api_key = d.api_key;
      std::string what = "deployment '" + d.id + "' (provider '" + d.provider + "')";
      upstream.adapter = adapter_for(d.provider_type);
      if (upstream.adapter) {
        const std::string_view base =
            registry_provider ? std::string_view(registry_provider->api_base) : std::string_view();
        if (!resolve_adapter(context, sources, &upstream, d, registry_provider, base, what,
                             error)) {
          return nullptr;
        }
        for (const auto& [name, value] : d.params)
          upstream.params.emplace_back(pointer_of(name), value);
        config->deployments.emplace(d.id, std::move(upstream));
        continue;
      }
      if (!resolve_base(&upstream, {d.api_base, provider_base}, what, error)) return nullptr;
      if (upstream.supported && upstream.base_url.empty()) {
        error = what + ": provider type '" + d.provider_type +
                "' has no public endpoint; set api_base on the deployment or its provider";
        return nullptr;
      }
      for (const auto& [name, value] : d.params)
        upstream.params.emplace_back(pointer_of(name), value);
      config->deployments.emplace(d.id, std::move(upstream));
    }
  }
  for (auto* upstreams : {&config->providers, &config->deployments}) {
    for (auto& [name, upstream] : *upstreams) {
      if (!upstream.api_key.empty()) upstream.authorization = "Bearer " + upstream.api_key;
    }
  }
  return config;
}

}  // namespace sluice::filters::translate
