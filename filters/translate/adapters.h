#pragma once
// translate: the outbound adapter of each provider type that has an API of its own
// (providers/<name>); the OpenAI-compatible types need none.

#include <string_view>

#include "providers/common/adapter.h"

namespace sluice::filters::translate {

// The adapter for a provider type ("anthropic", "azure", "bedrock", "gemini", "vertex_ai",
// "cohere"), shared by every thread; null for a type without one.
const providers::Adapter* adapter_for(std::string_view provider_type);

}  // namespace sluice::filters::translate
