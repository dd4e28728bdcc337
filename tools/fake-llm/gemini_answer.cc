// Building the Gemini / Vertex AI answer from a parsed request and the controls.

#include "tools/fake-llm/gemini_answer.h"

#include <algorithm>
#include <ctime>

#include "tools/fake-llm/gemini_responses.h"
#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

// RFC 3339 with microseconds, as Vertex AI writes createTime.
std::string rfc3339(int64_t unix_ms) {
  const time_t seconds = static_cast<time_t>(unix_ms / 1000);
  tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  const size_t length = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &parts);
  char fraction[16];
  std::snprintf(fraction, sizeof(fraction), ".%06dZ", static_cast<int>(unix_ms % 1000) * 1000);
  return std::string(text, length) + fraction;
}

}  // namespace

void gemini_answer(const ParsedRequest& parsed, const Controls& controls,
                   const AnswerContext& context, bool vertex, bool stream, Plan* plan) {
  const GeminiRequest& request = parsed.gemini;
  GeminiAnswer answer;
  answer.model = parsed.model;
  answer.response_id = context.random->id("", 23);
  if (vertex) answer.create_time = rfc3339(context.now_ms);
  answer.prompt_tokens =
      std::max<size_t>(1, request.other_words + count_words(request.last_user_text));
  answer.stream = stream;
  answer.sse = request.sse;
  answer.chunks = controls.chunks.value_or(0);
  answer.finish_reason = "STOP";
  const Safety safety = controls.safety.value_or(Safety::none);
  if (safety != Safety::none) {
    answer.block = safety == Safety::prompt ? GeminiBlock::prompt : GeminiBlock::response;
  } else if (controls.fault == Fault::tool_call && !request.tool_name.empty()) {
    answer.function_call = true;
    answer.function_name = request.tool_name;
    answer.function_args = json_object_or_empty(controls.args.value_or("{}"));
    answer.candidate_tokens = std::max<size_t>(1, count_words(answer.function_args));
  } else {
    answer.text = echo_answer(request.last_user_text);
    size_t stop_at = std::string::npos;
    for (const std::string& stop : request.stop_sequences) {
      if (!stop.empty()) stop_at = std::min(stop_at, answer.text.find(stop));
    }
    if (stop_at != std::string::npos) answer.text.resize(stop_at);
    if (request.max_output_tokens &&
        count_words(answer.text) > static_cast<size_t>(*request.max_output_tokens)) {
      answer.text = std::string(first_words(answer.text, *request.max_output_tokens));
      answer.finish_reason = "MAX_TOKENS";
    }
    answer.candidate_tokens = count_words(answer.text);
  }
  gemini_generate(plan, answer);
}

}  // namespace fake_llm
