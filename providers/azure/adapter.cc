// The Azure OpenAI adapter: settings, URL, credentials and the request body; answers in
// response.cc and stream.cc, errors in errors.cc.

#include "providers/azure/adapter.h"

#include <cctype>

#include "providers/azure/translation.h"

namespace sluice::providers::azure {
namespace {

constexpr std::string_view kSettingNames[] = {"api_version", "azure_ad_token"};

std::string_view setting(const Deployment& deployment, std::string_view name) {
  auto it = deployment.settings.find(name);
  return it == deployment.settings.end() ? std::string_view() : std::string_view(it->second);
}

// The deployment name as one URL path segment: unreserved bytes as they are, the rest %XX.
std::string path_segment(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

std::string_view path_for(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::chat_completions:
      return "/chat/completions";
    case Endpoint::completions:
      return "/completions";
    case Endpoint::embeddings:
      return "/embeddings";
  }
  return "/chat/completions";
}

class AzureAdapter final : public Adapter {
 public:
  std::string check(const Deployment& deployment) const override {
    for (const auto& [name, value] : deployment.settings) {
      bool known = false;
      for (std::string_view known_name : kSettingNames) known = known || name == known_name;
      if (!known) return "unknown setting '" + name + "' for provider type azure";
    }
    if (deployment.base_url.empty()) {
      return "api_base is required for azure (https://<resource>.openai.azure.com)";
    }
    if (!deployment.base_url.starts_with("https://") &&
        !deployment.base_url.starts_with("http://")) {
      return "api_base must be an http:// or https:// URL";
    }
    if (deployment.model.empty()) return "model must name the Azure deployment";
    const std::string_view version = setting(deployment, "api_version");
    if (version.empty()) return "the setting api_version is required for azure (e.g. 2024-10-21)";
    if (version.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ-._") != std::string_view::npos) {
      return "api_version must be a version such as 2024-10-21";
    }
    if (auto it = deployment.settings.find("azure_ad_token");
        it != deployment.settings.end() &&
        (it->second.empty() || support::has_control_bytes(it->second))) {
      return "azure_ad_token must be a token without control characters";
    }
    if (support::has_control_bytes(deployment.api_key)) return "api_key holds control characters";
    if (deployment.api_key.empty() && setting(deployment, "azure_ad_token").empty()) {
      return "azure needs api_key or the setting azure_ad_token";
    }
    return "";
  }

  bool supports(Endpoint) const override { return true; }

  bool build_request(Endpoint endpoint, std::string_view openai_body, const Deployment& deployment,
                     UpstreamRequest* out, Failure* failure) const override {
    support::RequestDocument body;
    if (!parse_json(openai_body, &body) || !body.IsObject()) {
      *failure = make_failure(400, "The request body must be a JSON object.",
                              "invalid_request_error", "invalid_json");
      return false;
    }
    // Azure names the model in the URL: everything else goes as the client sent it.
    rapidjson::StringBuffer buffer(nullptr, support::translated_capacity(openai_body.size()));
    JsonWriter writer(buffer);
    writer.StartObject();
    for (const auto& entry : body.GetObject()) {
      if (view(entry.name) == "model") continue;
      writer.Key(entry.name.GetString(), entry.name.GetStringLength());
      entry.value.Accept(writer);
    }
    writer.EndObject();
    out->body.assign(buffer.GetString(), buffer.GetSize());
    const JsonValue* stream = member(body, "stream");
    out->stream = endpoint != Endpoint::embeddings && stream && stream->IsTrue();
    out->method = "POST";
    out->url = deployment.base_url + "/openai/deployments/" + path_segment(deployment.model) +
               std::string(path_for(endpoint)) +
               "?api-version=" + std::string(setting(deployment, "api_version"));
    out->headers.clear();
    out->headers.push_back({"content-type", "application/json"});
    if (const std::string_view token = setting(deployment, "azure_ad_token"); !token.empty()) {
      out->headers.push_back({"authorization", "Bearer " + std::string(token)});
    } else if (!deployment.api_key.empty()) {
      out->headers.push_back({"api-key", deployment.api_key});
    }
    out->auth = Auth::ready;
    return true;
  }

  bool translate_response(Endpoint, std::string_view body, const ResponseContext& context,
                          std::string* out, Failure* failure) const override {
    return translate_answer(body, context.client_model, out, failure);
  }

  std::unique_ptr<StreamDecoder> stream_decoder(Endpoint,
                                                const ResponseContext& context) const override {
    return make_chunk_stream_decoder(context);
  }

  Failure translate_error(int status, std::string_view body,
                          const Deployment& deployment) const override {
    return translate_error_body(status, body,
                                {deployment.api_key, setting(deployment, "azure_ad_token")});
  }
};

}  // namespace

std::unique_ptr<providers::Adapter> make_azure_adapter() {
  return std::make_unique<AzureAdapter>();
}

}  // namespace sluice::providers::azure
