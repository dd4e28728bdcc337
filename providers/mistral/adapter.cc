// The Mistral adapter: the deployment's checks, URL and credentials; the bodies in request.cc,
// answers in response.cc and stream.cc, errors in errors.cc.

#include "providers/mistral/adapter.h"

#include "providers/mistral/translation.h"
#include "providers/support/local_document.h"

namespace sluice::providers::mistral {
namespace {

constexpr std::string_view kDefaultBase = "https://api.mistral.ai/v1";

std::string_view base_of(const Deployment& deployment) {
  return deployment.base_url.empty() ? kDefaultBase : std::string_view(deployment.base_url);
}

class MistralAdapter final : public Adapter {
 public:
  std::string check(const Deployment& deployment) const override {
    if (!deployment.settings.empty()) {
      return "unknown setting '" + deployment.settings.begin()->first +
             "' for provider type mistral";
    }
    const std::string_view base = base_of(deployment);
    if (!base.starts_with("https://") && !base.starts_with("http://")) {
      return "api_base must be an http:// or https:// URL";
    }
    if (deployment.model.empty()) return "model must name the Mistral model";
    if (deployment.api_key.empty()) return "mistral needs an api_key";
    if (support::has_control_bytes(deployment.api_key)) return "api_key holds control characters";
    return "";
  }

  // Mistral has no OpenAI-style text completions (its /fim/completions takes other fields).
  bool supports(Endpoint endpoint) const override { return endpoint != Endpoint::completions; }

  bool build_request(Endpoint endpoint, std::string_view openai_body, const Deployment& deployment,
                     UpstreamRequest* out, Failure* failure) const override {
    if (!supports(endpoint)) {
      *failure = support::invalid_request("Mistral has no text completions API; use chat", "");
      return false;
    }
    support::RequestDocument request;
    if (!parse_json(openai_body, &request) || !request.IsObject()) {
      *failure = support::invalid_request("The request body must be a JSON object.", "");
      failure->code = "invalid_json";
      return false;
    }
    const bool chat = endpoint == Endpoint::chat_completions;
    const size_t size = openai_body.size();
    if (!chat) {
      embeddings_request_body(request, deployment.model, size, &out->body);
    } else if (!chat_request_body(request, deployment.model, size, &out->body, failure)) {
      return false;
    }
    const JsonValue* stream = member(request, "stream");
    out->stream = chat && stream && stream->IsTrue();
    out->method = "POST";
    out->url = std::string(base_of(deployment)) + (chat ? "/chat/completions" : "/embeddings");
    out->headers.clear();
    out->headers.push_back({"content-type", "application/json"});
    out->headers.push_back({"authorization", "Bearer " + deployment.api_key});
    out->auth = Auth::ready;
    return true;
  }

  bool translate_response(Endpoint, std::string_view body, const ResponseContext& context,
                          std::string* out, Failure* failure) const override {
    return translate_answer(body, context.client_model, out, failure);
  }

  std::unique_ptr<StreamDecoder> stream_decoder(Endpoint,
                                                const ResponseContext& context) const override {
    return make_stream_decoder(context);
  }

  Failure translate_error(int status, std::string_view body,
                          const Deployment& deployment) const override {
    return translate_error_body(status, body, deployment.api_key);
  }
};

}  // namespace

std::unique_ptr<providers::Adapter> make_mistral_adapter() {
  return std::make_unique<MistralAdapter>();
}

}  // namespace sluice::providers::mistral
