#pragma once
// Pieces of OpenAI's chat answer made from pieces of Gemini's, shared by the whole-answer
// translation (response.cc) and the stream decoder (stream.cc) so both say the same thing:
// the finish reason, usage, tool-call ids and a candidate's parts.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "providers/gemini/json.h"

namespace sluice::providers::gemini {

struct Usage {
  bool present = false;
  int64_t prompt = 0;      // promptTokenCount
  int64_t candidates = 0;  // candidatesTokenCount
  int64_t thoughts = 0;    // thoughtsTokenCount
  int64_t total = 0;       // totalTokenCount
  int64_t cached = 0;      // cachedContentTokenCount
  bool has_thoughts = false;
  bool has_cached = false;
};

// usageMetadata's counts; a missing or malformed count reads as 0.
Usage read_usage(const rapidjson::Value& response);
// The same for the usageMetadata member itself (nullptr when the answer has none).
Usage read_usage_metadata(const rapidjson::Value* metadata);

// {"prompt_tokens","completion_tokens","total_tokens",...}: completion tokens include the
// thoughts (as OpenAI's include reasoning), also reported as reasoning_tokens.
void write_usage(JsonWriter& writer, const Usage& usage);

// OpenAI's finish_reason for Gemini's finishReason.
std::string_view finish_reason_for(std::string_view gemini_reason, bool called_tools);

// A tool call id that is the same each time the same answer is translated: "call_" + a hash of
// the response id + "_" + the call's ordinal in the answer.
std::string tool_call_id(std::string_view response_id, int ordinal);

struct FunctionCall {
  std::string name;
  std::string arguments;  // args as JSON text ("{}" when absent)
};

struct CandidateParts {
  std::string text;  // the text parts joined; thought summaries are left out
  std::vector<FunctionCall> calls;
};

// The content parts of one candidate; false when a functionCall is malformed.
bool read_parts(const rapidjson::Value& candidate, CandidateParts* parts, Failure* failure);

// The candidate's "index" (omitted by Gemini when 0), else its position.
int candidate_index(const rapidjson::Value& candidate, int position);

// responseId when the answer has one, else `fallback`.
std::string_view response_id_of(const rapidjson::Value& response, std::string_view fallback);

}  // namespace sluice::providers::gemini
