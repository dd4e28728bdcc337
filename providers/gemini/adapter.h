#pragma once
// Outbound adapters for Google's generateContent API: provider type "gemini" (the Gemini API,
// generativelanguage.googleapis.com, an API key in x-goog-api-key) and "vertex_ai" (Vertex AI,
// <location>-aiplatform.googleapis.com, an OAuth token the caller adds). Both translate OpenAI
// chat completions (whole and streamed) and embeddings; README.md lists settings and mappings.
// The adapters are stateless and safe to share between threads.

#include <memory>

#include "providers/common/adapter.h"

namespace sluice::providers::gemini {

std::unique_ptr<providers::Adapter> make_gemini_adapter();
std::unique_ptr<providers::Adapter> make_vertex_adapter();

}  // namespace sluice::providers::gemini
