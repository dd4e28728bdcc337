// The Bedrock Adapter: dispatch by endpoint to the request, response, stream and error files.

#include "providers/bedrock/adapter.h"

#include "providers/bedrock/internal.h"

namespace sluice::bedrock {
namespace {

using providers::Endpoint;

class BedrockAdapter final : public providers::Adapter {
 public:
  std::string check(const Deployment& deployment) const override {
    return check_deployment(deployment);
  }

  bool supports(Endpoint endpoint) const override {
    return endpoint == Endpoint::chat_completions || endpoint == Endpoint::embeddings;
  }

  bool build_request(Endpoint endpoint, std::string_view openai_body, const Deployment& deployment,
                     UpstreamRequest* out, Failure* failure) const override {
    switch (endpoint) {
      case Endpoint::chat_completions:
        return build_chat_request(openai_body, deployment, out, failure);
      case Endpoint::embeddings:
        return build_embeddings_request(openai_body, deployment, out, failure);
      default:
        *failure = unsupported();
        return false;
    }
  }

  bool translate_response(Endpoint endpoint, std::string_view body, const ResponseContext& context,
                          std::string* out, Failure* failure) const override {
    switch (endpoint) {
      case Endpoint::chat_completions:
        return translate_chat_response(body, context, out, failure);
      case Endpoint::embeddings:
        return translate_embeddings_response(body, context, out, failure);
      default:
        *failure = unsupported();
        return false;
    }
  }

  std::unique_ptr<providers::StreamDecoder> stream_decoder(
      Endpoint endpoint, const ResponseContext& context) const override {
    if (endpoint != Endpoint::chat_completions) return nullptr;
    return make_stream_decoder(context);
  }

  Failure translate_error(int status, std::string_view body,
                          const Deployment& deployment) const override {
    return error_failure(status, body, deployment);
  }

 private:
  static Failure unsupported() {
    Failure failure;
    failure.status = 400;
    failure.message = "provider bedrock serves chat completions and embeddings only";
    failure.code = "unsupported_endpoint";
    return failure;
  }
};

}  // namespace

std::unique_ptr<providers::Adapter> make_bedrock_adapter() {
  return std::make_unique<BedrockAdapter>();
}

}  // namespace sluice::bedrock
