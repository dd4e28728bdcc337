#pragma once
// Plan: everything a response will do, decided before the first byte goes out: the head, the
// body as segments (each with the pause before it), and the fault to inject. The provider
// modules fill in head and body; planning.h adds timing and faults; the Responder runs it.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/http/message.h"

namespace fake_llm {

inline constexpr size_t kNoReset = std::numeric_limits<size_t>::max();

struct Segment {
  std::string data;
  uint32_t delay_before_ms = 0;
  bool counted = false;  // a content chunk of a stream (what `chunks` and fault_after count)
};

struct Plan {
  sluice::http::ResponseHead head;
  // A chunked event stream: segments[0] is the preamble sent with the head, then the content
  // chunks, then the tail (finish, usage, [DONE]). Otherwise a body of known length, sent as the
  // concatenation of the segments.
  bool stream = false;
  uint32_t head_delay_ms = 0;
  std::vector<Segment> segments;
  bool never_answer = false;
  // The connection is reset (RST) instead of sending segments[reset_before].
  size_t reset_before = kNoReset;
  std::string fault;  // fault name for the request log; empty when none
  // A stream's in-band error event (Anthropic `event: error`, Gemini `data: {"error":…}`): the
  // error_mid_stream fault ends the stream with it instead of the tail. Empty when none.
  std::string stream_error;
};

}  // namespace fake_llm
