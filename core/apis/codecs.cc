// The codec of each client API other than OpenAI's.

#include "core/apis/inbound.h"

namespace sluice::apis {

const InboundCodec* inbound_codec(ClientApi api) {
  switch (api) {
    case ClientApi::anthropic_messages:
    case ClientApi::bedrock_converse:
    case ClientApi::openai:
      break;
  }
  return nullptr;  // not built yet
}

}  // namespace sluice::apis
