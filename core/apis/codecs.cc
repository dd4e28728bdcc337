// The codec of each client API other than OpenAI's: built once, shared by every thread.

#include "core/apis/anthropic_messages.h"
#include "core/apis/bedrock_converse.h"
#include "core/apis/inbound.h"
#include "providers/aws/event_stream.h"

namespace sluice::apis {
namespace {

// Bedrock's ConverseStream answers in AWS event-stream frames.
void write_aws_frame(bool exception, std::string_view type, std::string_view payload,
                     std::string* out) {
  if (exception) {
    aws::append_exception_frame(out, type, payload);
  } else {
    aws::append_event_frame(out, type, payload);
  }
}

}  // namespace

const InboundCodec* inbound_codec(ClientApi api) {
  static const std::unique_ptr<InboundCodec> anthropic = make_anthropic_messages_codec();
  static const std::unique_ptr<InboundCodec> bedrock = make_bedrock_converse_codec(write_aws_frame);
  switch (api) {
    case ClientApi::anthropic_messages:
      return anthropic.get();
    case ClientApi::bedrock_converse:
      return bedrock.get();
    case ClientApi::openai:
      break;
  }
  return nullptr;
}

}  // namespace sluice::apis
