// The Bedrock Converse codec object: the InboundCodec face of the functions in
// bedrock_request.cc, bedrock_response.cc and bedrock_stream.cc.

#include "core/apis/bedrock_converse.h"

#include "core/apis/bedrock_internal.h"

namespace sluice::apis {
namespace {

class BedrockConverseCodec final : public InboundCodec {
 public:
  explicit BedrockConverseCodec(FrameWriter writer) : writer_(writer) {}

  bool decode_request(const ClientRequest& request, std::string* openai_body,
                      ApiError* error) const override {
    return bedrock::decode_request(request, openai_body, error);
  }
  ClientAnswer encode_response(std::string_view openai_body,
                               const AnswerContext& context) const override {
    return bedrock::encode_response(openai_body, context);
  }
  ClientAnswer encode_error(const ApiError& error) const override {
    return bedrock::encode_error(error);
  }
  std::unique_ptr<StreamEncoder> stream_encoder(const AnswerContext& context) const override {
    return bedrock::make_stream_encoder(context, writer_);
  }

 private:
  FrameWriter writer_;
};

}  // namespace

std::unique_ptr<InboundCodec> make_bedrock_converse_codec(FrameWriter writer) {
  return std::make_unique<BedrockConverseCodec>(writer);
}

}  // namespace sluice::apis
