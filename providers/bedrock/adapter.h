#pragma once
// The Amazon Bedrock provider adapter (provider type "bedrock"): OpenAI chat completions to the
// Converse API (ConverseStream when the client streams) and OpenAI embeddings to InvokeModel for
// Amazon Titan and Cohere embedding models. Requests are signed by the caller (Auth::aws_sigv4,
// service "bedrock") unless the deployment has an API key, sent as a bearer token. See README.md
// for the settings and every mapping. Stateless and safe from any thread.

#include <memory>

#include "providers/common/adapter.h"

namespace sluice::bedrock {

std::unique_ptr<providers::Adapter> make_bedrock_adapter();

}  // namespace sluice::bedrock
