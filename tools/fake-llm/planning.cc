// Timing and fault planning.

#include "tools/fake-llm/planning.h"

#include <algorithm>
#include <string>

namespace fake_llm {

void apply_controls(Plan* plan, const Controls& controls, Random& random) {
  const bool guide = controls.profile == Profile::guide;
  if (controls.retry_after) plan->head.headers.push_back({"retry-after", *controls.retry_after});

  uint32_t first_delay = 0;
  if (controls.delay_ms) {
    first_delay = *controls.delay_ms;
  } else if (guide) {
    first_delay = random.between(kGuideFirstMinMs, kGuideFirstMaxMs);
  }
  plan->head_delay_ms = first_delay;

  if (plan->stream && (controls.chunk_delay_ms || guide)) {
    bool first_chunk = true;
    for (Segment& segment : plan->segments) {
      if (!segment.counted) continue;
      if (!first_chunk) {
        segment.delay_before_ms = controls.chunk_delay_ms
                                      ? *controls.chunk_delay_ms
                                      : random.between(kGuideChunkMinMs, kGuideChunkMaxMs);
      }
      first_chunk = false;
    }
  }

  const Fault fault = controls.fault.value_or(Fault::none);
  if (fault != Fault::none) plan->fault = std::string(fault_name(fault));
  switch (fault) {
    case Fault::none:
    case Fault::tool_call:
      break;
    case Fault::never_answer:
      plan->never_answer = true;
      break;
    case Fault::slow_first_byte:
      // The head goes out at once; the first body byte waits.
      if (!controls.delay_ms && !guide) first_delay = kDefaultSlowFirstByteMs;
      plan->head_delay_ms = 0;
      if (!plan->segments.empty()) plan->segments.front().delay_before_ms += first_delay;
      break;
    case Fault::reset_mid_stream:
      if (plan->segments.empty()) break;
      if (plan->stream) {
        // segments: preamble, content chunks…, tail. Reset after `fault_after` content chunks,
        // at the latest instead of the tail.
        const size_t after = controls.fault_after.value_or(1);
        plan->reset_before = std::min(1 + after, plan->segments.size() - 1);
      } else {
        // A whole body: send the head and half of it, then reset.
        std::string& body = plan->segments.front().data;
        std::string second = body.substr(body.size() / 2);
        body.resize(body.size() / 2);
        plan->segments.resize(1);
        plan->segments.push_back(Segment{std::move(second), 0, false});
        plan->reset_before = 1;
      }
      break;
    case Fault::error_mid_stream:
      // Streams whose API has an in-band error event: after `fault_after` content chunks, that
      // event ends the stream (properly terminated) instead of the rest.
      if (plan->stream && !plan->stream_error.empty() && !plan->segments.empty()) {
        const size_t keep =
            std::min<size_t>(1 + controls.fault_after.value_or(1), plan->segments.size() - 1);
        plan->segments.resize(keep);
        plan->segments.push_back(Segment{std::move(plan->stream_error), 0, false});
      }
      break;
  }
}

}  // namespace fake_llm
