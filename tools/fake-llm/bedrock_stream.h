#pragma once
// Amazon Bedrock ConverseStream answers written into a Plan: the same deterministic content as
// Converse, as AWS event-stream frames (application/vnd.amazon.eventstream). The preamble is
// messageStart (and, for a tool call, contentBlockStart with the toolUse id and name); each
// content chunk is one contentBlockDelta (a text piece, or a piece of the tool input); the tail
// is contentBlockStop, messageStop and metadata (usage and latency).

#include <cstddef>
#include <string_view>

#include "tools/fake-llm/bedrock_responses.h"
#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

// `chunks` is the x-fake-chunks control (0: one chunk per word).
void bedrock_converse_stream(Plan* plan, const ConverseAnswer& answer, size_t chunks,
                             std::string_view request_id);

}  // namespace fake_llm
