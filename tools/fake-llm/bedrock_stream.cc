// Rendering of ConverseStream event-stream frames.

#include "tools/fake-llm/bedrock_stream.h"

#include <string>

#include "providers/aws/event_stream.h"
#include "tools/fake-llm/json_out.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

using sluice::aws::append_event_frame;
using sluice::aws::append_exception_frame;

// {"contentBlockIndex":0,"delta":{"text":piece}} or {...,"delta":{"toolUse":{"input":piece}}}
std::string delta_payload(bool tool_use, std::string_view piece) {
  std::string payload;
  JsonOut json(payload);
  json.begin_object();
  json.key("contentBlockIndex").integer(0);
  json.key("delta").begin_object();
  if (tool_use) {
    json.key("toolUse").begin_object().key("input").string(piece).end_object();
  } else {
    json.key("text").string(piece);
  }
  json.end_object();
  json.end_object();
  return payload;
}

}  // namespace

void bedrock_converse_stream(Plan* plan, const ConverseAnswer& answer, size_t chunks,
                             std::string_view request_id) {
  plan->head.status = 200;
  plan->head.headers.push_back({"content-type", "application/vnd.amazon.eventstream"});
  plan->head.headers.push_back({"x-amzn-requestid", std::string(request_id)});
  plan->stream = true;

  std::string preamble;
  append_event_frame(&preamble, "messageStart", R"({"role":"assistant"})");
  if (answer.tool_use) {
    std::string start;
    JsonOut json(start);
    json.begin_object();
    json.key("contentBlockIndex").integer(0);
    json.key("start").begin_object().key("toolUse").begin_object();
    json.key("toolUseId").string(answer.tool_use_id);
    json.key("name").string(answer.tool_name);
    json.end_object().end_object();
    json.end_object();
    append_event_frame(&preamble, "contentBlockStart", start);
  }
  plan->segments.push_back(Segment{std::move(preamble), 0, false});

  const std::string_view content = answer.tool_use ? answer.tool_input : answer.text;
  for (const std::string_view piece : split_answer(content, chunks)) {
    std::string frame;
    append_event_frame(&frame, "contentBlockDelta", delta_payload(answer.tool_use, piece));
    plan->segments.push_back(Segment{std::move(frame), 0, true});
  }

  std::string tail;
  append_event_frame(&tail, "contentBlockStop", R"({"contentBlockIndex":0})");
  std::string stop;
  JsonOut(stop)
      .begin_object()
      .key("stopReason")
      .string(answer.tool_use ? "tool_use" : "end_turn")
      .end_object();
  append_event_frame(&tail, "messageStop", stop);
  std::string metadata;
  JsonOut json(metadata);
  json.begin_object();
  json.key("usage").begin_object();
  json.key("inputTokens").integer(static_cast<int64_t>(answer.input_tokens));
  json.key("outputTokens").integer(static_cast<int64_t>(answer.output_tokens));
  json.key("totalTokens").integer(static_cast<int64_t>(answer.input_tokens + answer.output_tokens));
  json.end_object();
  json.key("metrics").begin_object().key("latencyMs").integer(answer.latency_ms).end_object();
  json.end_object();
  append_event_frame(&tail, "metadata", metadata);
  plan->segments.push_back(Segment{std::move(tail), 0, false});

  // The error_mid_stream fault's ending: an exception frame, as ConverseStream reports a model
  // failing midway (with the model's own status and message inside).
  append_exception_frame(&plan->stream_error, "modelStreamErrorException",
                         R"({"message":"The model stream failed midway.","originalStatusCode":503,)"
                         R"("originalMessage":"The model is overloaded."})");
}

}  // namespace fake_llm
