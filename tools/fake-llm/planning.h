#pragma once
// How controls turn into timing and faults on a Plan whose head and body are already written:
// delay_ms / profile=guide before the head, chunk_delay_ms between content chunks, retry-after,
// and the faults never_answer, slow_first_byte, reset_mid_stream and error_mid_stream. (tool_call
// changes the answer itself and is handled where answers are built.)

#include "tools/fake-llm/controls.h"
#include "tools/fake-llm/ids.h"
#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

// The guide profile's ranges.
inline constexpr uint32_t kGuideFirstMinMs = 1000;
inline constexpr uint32_t kGuideFirstMaxMs = 3000;
inline constexpr uint32_t kGuideChunkMinMs = 200;
inline constexpr uint32_t kGuideChunkMaxMs = 800;

void apply_controls(Plan* plan, const Controls& controls, Random& random);

}  // namespace fake_llm
