// The Anthropic adapter: settings, URL and headers here; the translations in request.cc,
// response.cc, stream.cc and errors.cc.

#include "providers/anthropic/adapter.h"

#include <charconv>

#include "providers/anthropic/translation.h"

namespace sluice::providers::anthropic {
namespace {

constexpr std::string_view kMessagesPath = "/v1/messages";

constexpr std::string_view kSettingNames[] = {"anthropic_version", "max_tokens_default",
                                              "allow_image_urls"};

class AnthropicAdapter final : public Adapter {
 public:
  std::string check(const Deployment& deployment) const override {
    if (!deployment.base_url.empty() && !deployment.base_url.starts_with("https://") &&
        !deployment.base_url.starts_with("http://")) {
      return "api_base must be an http:// or https:// URL";
    }
    if (deployment.model.empty()) return "model must name an Anthropic model";
    Settings settings;
    return read_settings(deployment, &settings);
  }

  bool supports(Endpoint endpoint) const override { return endpoint == Endpoint::chat_completions; }

  bool build_request(Endpoint endpoint, std::string_view openai_body, const Deployment& deployment,
                     UpstreamRequest* out, Failure* failure) const override {
    if (endpoint != Endpoint::chat_completions) {
      *failure = make_failure(400, "Anthropic serves chat completions only",
                              "invalid_request_error", "unsupported_endpoint");
      return false;
    }
    Settings settings;
    if (std::string problem = read_settings(deployment, &settings); !problem.empty()) {
      *failure = make_failure(500, "deployment '" + deployment.name + "': " + problem,
                              "server_error", "provider_misconfigured");
      return false;
    }
    if (!build_messages_body(openai_body, deployment.model, settings, &out->body, &out->stream,
                             failure)) {
      return false;
    }
    out->method = "POST";
    // An api_base that already names the endpoint (as LiteLLM configs may) is taken as it is.
    const std::string_view base =
        deployment.base_url.empty() ? kDefaultBaseUrl : std::string_view(deployment.base_url);
    out->url = std::string(base);
    if (!base.ends_with(kMessagesPath)) out->url += kMessagesPath;
    out->headers.clear();
    out->headers.push_back({"content-type", "application/json"});
    out->headers.push_back({"anthropic-version", std::string(settings.anthropic_version)});
    if (!deployment.api_key.empty()) out->headers.push_back({"x-api-key", deployment.api_key});
    out->auth = Auth::ready;
    return true;
  }

  bool translate_response(Endpoint endpoint, std::string_view body, const ResponseContext& context,
                          std::string* out, Failure* failure) const override {
    if (endpoint != Endpoint::chat_completions) {
      *failure = unreadable_answer("Anthropic serves chat completions only");
      return false;
    }
    return translate_message(body, context, out, failure);
  }

  std::unique_ptr<StreamDecoder> stream_decoder(Endpoint,
                                                const ResponseContext& context) const override {
    return make_message_stream_decoder(context);
  }

  Failure translate_error(int status, std::string_view body,
                          const Deployment& deployment) const override {
    return translate_error_body(status, body, deployment.api_key);
  }
};

}  // namespace

std::string read_settings(const Deployment& deployment, Settings* settings) {
  for (const auto& [name, value] : deployment.settings) {
    bool known = false;
    for (std::string_view setting : kSettingNames) known = known || name == setting;
    if (!known) return "unknown setting '" + name + "' for provider type anthropic";
  }
  if (auto it = deployment.settings.find("anthropic_version"); it != deployment.settings.end()) {
    // Sent as a header value: a date-like token, nothing that could break the header.
    if (it->second.empty() ||
        it->second.find_first_not_of("0123456789-abcdefghijklmnopqrstuvwxyz"
                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ._") != std::string::npos) {
      return "anthropic_version must be a version such as 2023-06-01";
    }
    settings->anthropic_version = it->second;
  }
  if (auto it = deployment.settings.find("max_tokens_default"); it != deployment.settings.end()) {
    const std::string& text = it->second;
    uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value == 0) {
      return "max_tokens_default must be a positive integer";
    }
    settings->max_tokens_default = value;
  }
  if (auto it = deployment.settings.find("allow_image_urls"); it != deployment.settings.end()) {
    if (it->second != "true" && it->second != "false") {
      return "allow_image_urls must be \"true\" or \"false\"";
    }
    settings->allow_image_urls = it->second == "true";
  }
  return "";
}

std::unique_ptr<providers::Adapter> make_anthropic_adapter() {
  return std::make_unique<AnthropicAdapter>();
}

}  // namespace sluice::providers::anthropic
