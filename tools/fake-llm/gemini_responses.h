#pragma once
// Gemini / Vertex AI GenerateContentResponse bodies written into a Plan: text or a functionCall
// part with finishReason STOP / MAX_TOKENS, a SAFETY-blocked candidate with safetyRatings, a
// blocked prompt (promptFeedback.blockReason, no candidates), usageMetadata, modelVersion and
// responseId (Vertex AI: also createTime); the alt=sse stream (`data: <response>\r\n\r\n`
// events, no [DONE]) or, without alt=sse, the streamed JSON array `[<response>,\r\n<response>]`;
// and Google's error shape
// {"error":{"code","message","status","details":[ErrorInfo]}}.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

enum class GeminiBlock { none, response, prompt };

struct GeminiAnswer {
  std::string_view model;   // modelVersion
  std::string response_id;  // responseId
  std::string create_time;  // Vertex AI's createTime; left out when empty
  std::string text;         // when not a function call
  bool function_call = false;
  std::string_view function_name;
  std::string function_args;       // a JSON object text
  std::string_view finish_reason;  // STOP, MAX_TOKENS (SAFETY comes from `block`)
  GeminiBlock block = GeminiBlock::none;
  size_t prompt_tokens = 0;
  size_t candidate_tokens = 0;
  bool stream = false;
  bool sse = false;     // a stream as `data:` events (?alt=sse), else as a streamed JSON array
  uint32_t chunks = 0;  // content chunks of a stream; 0: one per word
};

void gemini_generate(Plan* plan, const GeminiAnswer& answer);

// Google's canonical status name for an HTTP status (400 INVALID_ARGUMENT, 401 UNAUTHENTICATED,
// 403 PERMISSION_DENIED, 404 NOT_FOUND, 409 ABORTED, 429 RESOURCE_EXHAUSTED, 499 CANCELLED,
// 500 INTERNAL, 501 NOT_IMPLEMENTED, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED).
std::string_view google_status_name(int status);

// The error body; with a `reason`, details carry one google.rpc.ErrorInfo for `service`
// (e.g. "generativelanguage.googleapis.com").
void gemini_error(Plan* plan, int status, std::string_view message, std::string_view reason,
                  std::string_view service);
// An injected status with a message like the real one.
void gemini_status_error(Plan* plan, int status, std::string_view service);

}  // namespace fake_llm
