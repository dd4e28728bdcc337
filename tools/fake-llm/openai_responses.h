#pragma once
// OpenAI response bodies and event streams, written into a Plan: chat completions (text or a
// tool call, whole or streamed as chat.completion.chunk events), legacy text completions,
// embeddings, the model list, and the OpenAI error object for malformed requests and injected
// statuses. Every response carries content-type and an x-request-id header.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/fake-llm/api_error.h"
#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

struct Usage {
  size_t prompt_tokens = 0;
  size_t completion_tokens = 0;
};

struct ChatAnswer {
  std::string id;  // "chatcmpl-…"
  int64_t created = 0;
  std::string_view model;
  std::string text;  // when not a tool call
  bool tool_call = false;
  std::string tool_call_id;  // "call_…"
  std::string_view tool_name;
  std::string tool_arguments;  // a JSON text, as the model would produce it
  Usage usage;
  bool stream = false;
  bool include_usage = false;
  uint32_t chunks = 0;  // content chunks of a stream; 0: one per word
};

struct TextCompletionAnswer {
  std::string id;  // "cmpl-…"
  int64_t created = 0;
  std::string_view model;
  std::string text;
  Usage usage;
  bool stream = false;
  bool include_usage = false;
  uint32_t chunks = 0;
};

struct EmbeddingAnswer {
  std::string_view model;
  const std::vector<std::string>* inputs = nullptr;  // the texts hashed into vectors
  uint32_t dim = 8;
  bool base64 = false;
  size_t prompt_tokens = 0;
};

// Starts a JSON (or event-stream) response head with the OpenAI headers.
void openai_head(Plan* plan, int status, std::string_view request_id, bool event_stream);

void openai_chat(Plan* plan, const ChatAnswer& answer, std::string_view request_id);
void openai_text_completion(Plan* plan, const TextCompletionAnswer& answer,
                            std::string_view request_id);
void openai_embeddings(Plan* plan, const EmbeddingAnswer& answer, std::string_view request_id);
void openai_models(Plan* plan, std::string_view request_id);

// The error object for `error`; type from the status (invalid_request_error for 400).
void openai_error(Plan* plan, const ApiError& error, std::string_view request_id);
// The error an injected `status` answers with: the OpenAI type for that status (429
// rate_limit_error, 401 authentication_error, 403 permission_error, 5xx server_error, other 4xx
// invalid_request_error) and a message and code like the real ones.
void openai_status_error(Plan* plan, int status, std::string_view request_id);

// The models GET /v1/models lists.
const std::vector<std::string_view>& fake_model_ids();

}  // namespace fake_llm
