// Building the Anthropic answer from a parsed request and the controls.

#include "tools/fake-llm/anthropic_answer.h"

#include <algorithm>

#include "tools/fake-llm/anthropic_responses.h"
#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {

void anthropic_answer(const ParsedRequest& parsed, const Controls& controls,
                      const AnswerContext& context, Plan* plan) {
  const AnthropicRequest& request = parsed.anthropic;
  AnthropicAnswer answer;
  answer.id = context.random->id("msg_01", 22);
  answer.model = request.model;
  answer.input_tokens =
      std::max<size_t>(1, request.other_words + count_words(request.last_user_text));
  answer.stream = request.stream;
  answer.chunks = controls.chunks.value_or(0);
  if (controls.fault == Fault::tool_call && !request.tool_name.empty()) {
    answer.tool_use = true;
    answer.tool_use_id = context.random->id("toolu_01", 22);
    answer.tool_name = request.tool_name;
    answer.tool_input = json_object_or_empty(controls.args.value_or("{}"));
    answer.output_tokens = std::max<size_t>(1, count_words(answer.tool_input));
    answer.stop_reason = "tool_use";
    anthropic_message(plan, answer, context.request_id);
    return;
  }
  answer.text = echo_answer(request.last_user_text);
  answer.stop_reason = "end_turn";
  // The earliest stop sequence ends the text before it, unless max_tokens comes first.
  size_t stop_at = std::string::npos;
  for (const std::string& stop : request.stop_sequences) {
    const size_t at = stop.empty() ? std::string::npos : answer.text.find(stop);
    if (at < stop_at) {
      stop_at = at;
      answer.stop_sequence = stop;
    }
  }
  const size_t limit = static_cast<size_t>(request.max_tokens);
  if (stop_at != std::string::npos && count_words(answer.text.substr(0, stop_at)) <= limit) {
    answer.text.resize(stop_at);
    answer.stop_reason = "stop_sequence";
  } else {
    answer.stop_sequence = {};
    if (count_words(answer.text) > limit) {
      answer.text = std::string(first_words(answer.text, limit));
      answer.stop_reason = "max_tokens";
    }
  }
  answer.output_tokens = count_words(answer.text);
  anthropic_message(plan, answer, context.request_id);
}

}  // namespace fake_llm
