// The "gemini" and "vertex_ai" adapters: URLs, headers, authentication and settings per
// flavour; the translation itself lives in request.cc, response.cc, stream.cc, embeddings.cc
// and errors.cc.

#include "providers/gemini/adapter.h"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "providers/gemini/translate.h"

namespace sluice::providers::gemini {
namespace {

constexpr std::string_view kGeminiBaseUrl = "https://generativelanguage.googleapis.com";

// Settings each flavour reads. vertex_credentials (the service account the caller mints the
// OAuth token from) is the caller's, accepted here so that check() does not refuse it.
constexpr std::array<std::string_view, 1> kGeminiSettings = {"allow_image_urls"};
constexpr std::array<std::string_view, 4> kVertexSettings = {
    "allow_image_urls", "vertex_project", "vertex_location", "vertex_credentials"};

// Characters allowed in a value placed in a URL path: nothing to escape, nothing to traverse.
bool url_safe(std::string_view text, std::string_view extra) {
  if (text.empty() || text == "." || text == "..") return false;
  for (char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    if (!plain && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string_view setting(const Deployment& deployment, std::string_view name) {
  const auto it = deployment.settings.find(name);
  return it == deployment.settings.end() ? std::string_view() : std::string_view(it->second);
}

// The model id as it goes into the URL: "models/" is the Gemini API's resource prefix, which
// a configuration may or may not spell out.
std::string_view model_id(const Deployment& deployment) {
  std::string_view model = deployment.model;
  if (model.starts_with("models/")) model.remove_prefix(7);
  return model;
}

// The pieces one after another, in one allocation.
std::string concatenated(std::initializer_list<std::string_view> pieces) {
  size_t size = 0;
  for (std::string_view piece : pieces) size += piece.size();
  std::string text;
  text.reserve(size);
  for (std::string_view piece : pieces) text.append(piece);
  return text;
}

class GoogleAdapter final : public Adapter {
 public:
  explicit GoogleAdapter(Flavour flavour) : flavour_(flavour) {}

  std::string check(const Deployment& deployment) const override {
    for (const auto& [name, value] : deployment.settings) {
      if (!known_setting(name)) {
        return "setting '" + name + "' is not one of " + std::string(provider_label(flavour_)) +
               "'s (" + known_settings() + ")";
      }
    }
    if (const std::string_view value = setting(deployment, "allow_image_urls");
        !value.empty() && value != "true" && value != "false") {
      return "setting allow_image_urls must be \"true\" or \"false\"";
    }
    if (!url_safe(model_id(deployment), "@")) {
      return "model must be a model id of letters, digits, '-', '_', '.' and '@'";
    }
    if (!deployment.base_url.empty() && !deployment.base_url.starts_with("https://") &&
        !deployment.base_url.starts_with("http://")) {
      return "api_base must be an absolute http:// or https:// URL";
    }
    if (flavour_ == Flavour::gemini) {
      if (deployment.api_key.empty()) return "api_key is required for gemini";
      return "";
    }
    if (!url_safe(setting(deployment, "vertex_project"), "")) {
      return "setting vertex_project is required: a Google Cloud project id";
    }
    if (!url_safe(setting(deployment, "vertex_location"), "")) {
      return "setting vertex_location is required: a region such as us-central1, or global";
    }
    return "";
  }

  bool supports(Endpoint endpoint) const override {
    return endpoint == Endpoint::chat_completions || endpoint == Endpoint::embeddings;
  }

  bool build_request(Endpoint endpoint, std::string_view openai_body, const Deployment& deployment,
                     UpstreamRequest* out, Failure* failure) const override {
    if (!check(deployment).empty()) {
      // check() refused it at load; a deployment that gets here anyway is the gateway's fault.
      failure->status = 500;
      failure->type = "server_error";
      failure->message = "deployment " + deployment.name + " is misconfigured";
      return false;
    }
    std::string_view method;
    if (endpoint == Endpoint::chat_completions) {
      RequestOptions options;
      options.flavour = flavour_;
      options.allow_image_urls = setting(deployment, "allow_image_urls") == "true";
      if (!build_generate_content_body(openai_body, options, &out->body, &out->stream, failure)) {
        return false;
      }
      method = out->stream ? "streamGenerateContent?alt=sse" : "generateContent";
    } else if (endpoint == Endpoint::embeddings) {
      if (!build_embeddings_body(flavour_, openai_body, model_id(deployment), &out->body,
                                 failure)) {
        return false;
      }
      out->stream = false;
      method = flavour_ == Flavour::gemini ? "batchEmbedContents" : "predict";
    } else {
      *failure = invalid_request(std::string(provider_label(flavour_)) +
                                     " does not serve the legacy completions API; use chat "
                                     "completions",
                                 "");
      failure->status = 404;
      return false;
    }
    out->method = "POST";
    out->url = url(deployment, method);
    out->headers.clear();
    out->headers.reserve(2);
    out->headers.push_back({"content-type", "application/json"});
    if (flavour_ == Flavour::gemini) {
      // In a header, never in the URL: URLs end up in logs.
      out->headers.push_back({"x-goog-api-key", deployment.api_key});
      out->auth = Auth::ready;
    } else {
      out->auth = Auth::google_oauth;
    }
    return true;
  }

  bool translate_response(Endpoint endpoint, std::string_view body, const ResponseContext& context,
                          std::string* out, Failure* failure) const override {
    if (endpoint == Endpoint::embeddings) {
      return translate_embeddings(flavour_, body, context, out, failure);
    }
    return translate_generate_content(flavour_, body, context, out, failure);
  }

  std::unique_ptr<StreamDecoder> stream_decoder(Endpoint endpoint,
                                                const ResponseContext& context) const override {
    if (endpoint != Endpoint::chat_completions) return nullptr;  // only chat streams
    return make_chat_stream_decoder(flavour_, context);
  }

  Failure translate_error(int status, std::string_view body,
                          const Deployment& deployment) const override {
    return translate_google_error(flavour_, status, body, deployment.api_key);
  }

 private:
  bool known_setting(std::string_view name) const {
    if (flavour_ == Flavour::gemini) {
      return std::find(kGeminiSettings.begin(), kGeminiSettings.end(), name) !=
             kGeminiSettings.end();
    }
    return std::find(kVertexSettings.begin(), kVertexSettings.end(), name) != kVertexSettings.end();
  }

  std::string known_settings() const {
    std::string list;
    const auto add = [&](std::string_view name) {
      if (!list.empty()) list += ", ";
      list += name;
    };
    if (flavour_ == Flavour::gemini) {
      for (std::string_view name : kGeminiSettings) add(name);
    } else {
      for (std::string_view name : kVertexSettings) add(name);
    }
    return list;
  }

  // The model's resource URL followed by ":<method>", made for every request.
  std::string url(const Deployment& deployment, std::string_view method) const {
    const std::string_view model = model_id(deployment);
    if (flavour_ == Flavour::gemini) {
      const std::string_view base =
          deployment.base_url.empty() ? kGeminiBaseUrl : std::string_view(deployment.base_url);
      return concatenated({base, "/v1beta/models/", model, ":", method});
    }
    const std::string_view location = setting(deployment, "vertex_location");
    // The host: the configured base, the global one, or "https://" location "-aiplatform...".
    std::array<std::string_view, 3> host = {deployment.base_url, "", ""};
    if (deployment.base_url.empty()) {
      host =
          location == "global"
              ? std::array<std::string_view, 3>{"https://aiplatform.googleapis.com", "", ""}
              : std::array<std::string_view, 3>{"https://", location, "-aiplatform.googleapis.com"};
    }
    return concatenated({host[0], host[1], host[2], "/v1/projects/",
                         setting(deployment, "vertex_project"), "/locations/", location,
                         "/publishers/google/models/", model, ":", method});
  }

  const Flavour flavour_;
};

}  // namespace

std::unique_ptr<providers::Adapter> make_gemini_adapter() {
  return std::make_unique<GoogleAdapter>(Flavour::gemini);
}

std::unique_ptr<providers::Adapter> make_vertex_adapter() {
  return std::make_unique<GoogleAdapter>(Flavour::vertex);
}

}  // namespace sluice::providers::gemini
