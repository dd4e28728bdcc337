#pragma once
// Amazon Bedrock Converse responses written into a Plan: the Converse output (text, or a toolUse
// block with stopReason "tool_use"), and Bedrock's error shape ({"message"} with the exception
// name in the x-amzn-errortype header). Every response carries x-amzn-requestid.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

struct ConverseAnswer {
  std::string text;
  bool tool_use = false;
  std::string tool_use_id;  // "tooluse_…"
  std::string_view tool_name;
  std::string tool_input;  // a JSON object text
  size_t input_tokens = 0;
  size_t output_tokens = 0;
  int64_t latency_ms = 0;
};

void bedrock_converse(Plan* plan, const ConverseAnswer& answer, std::string_view request_id);

// The error for `status` with `message`; the exception name follows the status
// (400 ValidationException, 403 AccessDeniedException, 404 ResourceNotFoundException,
// 408 ModelTimeoutException, 424 ModelErrorException, 429 ThrottlingException,
// 500 InternalServerException, 503 ServiceUnavailableException, …).
void bedrock_error(Plan* plan, int status, std::string_view message, std::string_view request_id);
// An injected status with a message like the real one.
void bedrock_status_error(Plan* plan, int status, std::string_view request_id);

std::string_view bedrock_error_type(int status);

}  // namespace fake_llm
