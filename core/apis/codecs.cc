// The codec of each client API other than OpenAI's: built once, shared by every thread.

#include "core/apis/anthropic_messages.h"
#include "core/apis/inbound.h"

namespace sluice::apis {

const InboundCodec* inbound_codec(ClientApi api) {
  static const std::unique_ptr<InboundCodec> anthropic = make_anthropic_messages_codec();
  switch (api) {
    case ClientApi::anthropic_messages:
      return anthropic.get();
    case ClientApi::bedrock_converse:  // served once the event-stream framing is in
    case ClientApi::openai:
      break;
  }
  return nullptr;
}

}  // namespace sluice::apis
