#pragma once
// The Anthropic Messages answer: the echo (cut at the first stop sequence or at max_tokens words,
// with the matching stop_reason) or, under the tool_call fault, a tool_use block.

#include "tools/fake-llm/answers.h"

namespace fake_llm {

void anthropic_answer(const ParsedRequest& parsed, const Controls& controls,
                      const AnswerContext& context, Plan* plan);

}  // namespace fake_llm
