#pragma once
// Which client API a request speaks, told from its method and path, and the codec that serves
// it. The OpenAI API needs no codec (it is the canonical form); Anthropic's Messages API is
// POST /v1/messages; Bedrock's Converse API is POST /bedrock/model/{modelId}/converse and
// .../converse-stream, the path the AWS SDK builds under an endpoint of https://<gateway>/bedrock.

#include <string>
#include <string_view>

#include "core/apis/client_api.h"

namespace sluice::apis {

struct InboundRoute {
  ClientApi api = ClientApi::openai;
  std::string model_id;      // Bedrock: the path's {modelId}, URL-decoded
  bool stream_path = false;  // Bedrock: .../converse-stream
};

// The route of a request. *error is set (and the route still names the API, so that the
// error can be answered in its shape) when the path is malformed: a bad %-escape or an empty
// model id in a Bedrock path.
InboundRoute inbound_route(std::string_view method, std::string_view path, std::string* error);

// The codec of a client API other than OpenAI's: static, shared by every thread. Null for
// ClientApi::openai.
const InboundCodec* inbound_codec(ClientApi api);

// "anthropic" / "bedrock" / "openai", for metadata and logs.
std::string_view api_name(ClientApi api);

// The fields of an OpenAI error body ({"error":{"message","type","code"}}), with `status`; a
// body of another shape keeps its text (at most 2 KiB) as the message.
ApiError api_error_from_openai(int status, std::string_view body);

}  // namespace sluice::apis
