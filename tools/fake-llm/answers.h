#pragma once
// Reading a provider request for its route, and building the success answer for it: the
// deterministic echo (or tool call), token usage, ids, and the provider's response shape. Errors
// and timing are decided elsewhere (handler.cc, planning.h).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/http/message.h"
#include "tools/fake-llm/anthropic_requests.h"
#include "tools/fake-llm/api_error.h"
#include "tools/fake-llm/bedrock_invoke.h"
#include "tools/fake-llm/bedrock_requests.h"
#include "tools/fake-llm/controls.h"
#include "tools/fake-llm/gemini_requests.h"
#include "tools/fake-llm/google_oauth.h"
#include "tools/fake-llm/ids.h"
#include "tools/fake-llm/openai_requests.h"
#include "tools/fake-llm/response_plan.h"
#include "tools/fake-llm/routes.h"

namespace fake_llm {

// The request as read for its route; only the member for that route is filled.
struct ParsedRequest {
  bool ok = true;
  ApiError error;  // when !ok
  std::string model;
  std::string* user_text = nullptr;  // where directives are looked for (and removed); may be null
  ChatRequest chat;
  CompletionRequest completion;
  EmbeddingRequest embedding;
  ConverseRequest converse;
  InvokeEmbeddingRequest invoke;
  AnthropicRequest anthropic;
  GeminiRequest gemini;  // Gemini and Vertex AI
  TokenRequest token;    // the Google OAuth token endpoint
};

void parse_request(const sluice::http::Request& request, const Route& route, ParsedRequest* out);

struct AnswerContext {
  Random* random = nullptr;
  int64_t now_ms = 0;  // Unix milliseconds at arrival
  std::chrono::steady_clock::time_point arrival;
  std::string_view request_id;
  uint32_t embedding_dim = 8;     // when the request gives no dimensions
  GoogleOAuth* google = nullptr;  // the token endpoint's key and token store
};

// Writes the 200 answer for a successfully parsed request into *plan.
void build_answer(RouteKind kind, ParsedRequest& parsed, const Controls& controls,
                  const AnswerContext& context, Plan* plan);

}  // namespace fake_llm
