#pragma once
// Amazon Bedrock InvokeModel for the embedding models sluice maps OpenAI embeddings to: Amazon
// Titan text embeddings ({"inputText", "dimensions"?} -> {"embedding", "inputTextTokenCount"})
// and Cohere Embed ({"texts", "input_type"} -> {"id", "texts", "embeddings", "response_type"}).
// Vectors are fake-llm's deterministic embeddings (embeddings.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/fake-llm/api_error.h"
#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

struct InvokeEmbeddingRequest {
  bool cohere = false;             // else Titan
  std::vector<std::string> texts;  // Titan: exactly one
  std::optional<uint32_t> dimensions;
};

// Reads the body for `model_id` (the decoded modelId). False with *error (400, Bedrock's
// message) for a model that is not a Titan or Cohere embedding model, or a malformed body.
bool parse_invoke_request(std::string_view model_id, std::string_view body,
                          InvokeEmbeddingRequest* out, ApiError* error);

void bedrock_invoke_embeddings(Plan* plan, const InvokeEmbeddingRequest& request,
                               uint32_t default_dim, std::string_view request_id);

}  // namespace fake_llm
