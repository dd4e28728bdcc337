// The Anthropic Messages codec object: the InboundCodec face of the functions in
// anthropic_request.cc, anthropic_response.cc and anthropic_stream.cc.

#include "core/apis/anthropic_messages.h"

#include "core/apis/anthropic_internal.h"

namespace sluice::apis {
namespace {

class AnthropicMessagesCodec final : public InboundCodec {
 public:
  bool decode_request(const ClientRequest& request, std::string* openai_body,
                      ApiError* error) const override {
    return anthropic::decode_request(request.body, openai_body, error);
  }
  ClientAnswer encode_response(std::string_view openai_body,
                               const AnswerContext& context) const override {
    return anthropic::encode_response(openai_body, context);
  }
  ClientAnswer encode_error(const ApiError& error) const override {
    return anthropic::encode_error(error);
  }
  std::unique_ptr<StreamEncoder> stream_encoder(const AnswerContext& context) const override {
    return anthropic::make_stream_encoder(context);
  }
};

}  // namespace

std::unique_ptr<InboundCodec> make_anthropic_messages_codec() {
  return std::make_unique<AnthropicMessagesCodec>();
}

}  // namespace sluice::apis
