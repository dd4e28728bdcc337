#pragma once
// The Gemini / Vertex AI answer: the echo (cut before the first stop sequence, or after
// maxOutputTokens words with finishReason MAX_TOKENS), a functionCall under the tool_call fault,
// or a safety block under the safety control.

#include "tools/fake-llm/answers.h"

namespace fake_llm {

// `vertex` adds Vertex AI's createTime; `stream` answers as the alt=sse event stream.
void gemini_answer(const ParsedRequest& parsed, const Controls& controls,
                   const AnswerContext& context, bool vertex, bool stream, Plan* plan);

}  // namespace fake_llm
