// The "cohere" adapter: URL, headers and settings; the translation lives in request.cc,
// response.cc, stream.cc and errors.cc.

#include "providers/cohere/adapter.h"

#include "providers/cohere/translate.h"

namespace sluice::providers::cohere {
namespace {

constexpr std::string_view kBaseUrl = "https://api.cohere.com";

class CohereAdapter final : public Adapter {
 public:
  std::string check(const Deployment& deployment) const override {
    if (!deployment.settings.empty()) {
      return "setting '" + deployment.settings.begin()->first + "' is not one of cohere's (none)";
    }
    if (deployment.model.empty()) return "model is required";
    if (deployment.api_key.empty()) return "api_key is required for cohere";
    if (!deployment.base_url.empty() && !deployment.base_url.starts_with("https://") &&
        !deployment.base_url.starts_with("http://")) {
      return "api_base must be an absolute http:// or https:// URL";
    }
    return "";
  }

  bool supports(Endpoint endpoint) const override { return endpoint == Endpoint::chat_completions; }

  bool build_request(Endpoint endpoint, std::string_view openai_body, const Deployment& deployment,
                     UpstreamRequest* out, Failure* failure) const override {
    if (endpoint != Endpoint::chat_completions) {
      *failure = invalid_request("cohere is served for chat completions only", "");
      failure->status = 404;
      return false;
    }
    if (!check(deployment).empty()) {
      failure->status = 500;
      failure->type = "server_error";
      failure->message = "deployment " + deployment.name + " is misconfigured";
      return false;
    }
    if (!build_chat_body(openai_body, deployment.model, &out->body, &out->stream, failure)) {
      return false;
    }
    const std::string base =
        deployment.base_url.empty() ? std::string(kBaseUrl) : deployment.base_url;
    out->method = "POST";
    out->url = base + "/v2/chat";
    out->headers.clear();
    out->headers.push_back({"content-type", "application/json"});
    out->headers.push_back({"authorization", "Bearer " + deployment.api_key});
    out->auth = Auth::ready;
    return true;
  }

  bool translate_response(Endpoint endpoint, std::string_view body, const ResponseContext& context,
                          std::string* out, Failure* failure) const override {
    if (endpoint != Endpoint::chat_completions) {
      *failure = bad_upstream("cohere is served for chat completions only");
      return false;
    }
    return translate_chat(body, context, out, failure);
  }

  std::unique_ptr<StreamDecoder> stream_decoder(Endpoint endpoint,
                                                const ResponseContext& context) const override {
    if (endpoint != Endpoint::chat_completions) return nullptr;
    return make_chat_stream_decoder(context);
  }

  Failure translate_error(int status, std::string_view body,
                          const Deployment& deployment) const override {
    return translate_cohere_error(status, body, deployment.api_key);
  }
};

}  // namespace

std::unique_ptr<providers::Adapter> make_cohere_adapter() {
  return std::make_unique<CohereAdapter>();
}

}  // namespace sluice::providers::cohere
