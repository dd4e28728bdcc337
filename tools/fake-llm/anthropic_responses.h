#pragma once
// Anthropic Messages responses written into a Plan: the message object (text, or a tool_use block
// with stop_reason "tool_use"), the named-event stream (message_start, content_block_start, ping,
// content_block_delta with text_delta / input_json_delta, content_block_stop, message_delta,
// message_stop) with its in-stream `error` event kept for the error_mid_stream fault, and
// Anthropic's error shape {"type":"error","error":{"type","message"},"request_id"}. Every
// response carries the request-id header.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

struct AnthropicAnswer {
  std::string id;  // "msg_…"
  std::string_view model;
  std::string text;  // when not a tool use
  bool tool_use = false;
  std::string tool_use_id;  // "toolu_…"
  std::string_view tool_name;
  std::string tool_input;          // a JSON object text
  std::string_view stop_reason;    // end_turn, max_tokens, stop_sequence, tool_use
  std::string_view stop_sequence;  // the one that matched; null in the JSON when empty
  size_t input_tokens = 0;
  size_t output_tokens = 0;
  bool stream = false;
  uint32_t chunks = 0;  // content chunks of a stream; 0: one per word
};

void anthropic_message(Plan* plan, const AnthropicAnswer& answer, std::string_view request_id);

// The error body for `status`: 400 invalid_request_error, 401 authentication_error,
// 402 billing_error, 403 permission_error, 404 not_found_error, 413 request_too_large,
// 429 rate_limit_error, 500 api_error, 504 timeout_error, 529 overloaded_error (other 4xx
// invalid_request_error, other 5xx api_error).
void anthropic_error(Plan* plan, int status, std::string_view message, std::string_view request_id);
// An injected status with a message like the real one.
void anthropic_status_error(Plan* plan, int status, std::string_view request_id);

std::string_view anthropic_error_type(int status);

}  // namespace fake_llm
