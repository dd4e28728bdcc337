// Rendering of Bedrock Converse responses and errors.

#include "tools/fake-llm/bedrock_responses.h"

#include "tools/fake-llm/json_out.h"

namespace fake_llm {
namespace {

void bedrock_head(Plan* plan, int status, std::string_view request_id) {
  plan->head.status = status;
  plan->head.headers.push_back({"content-type", "application/json"});
  plan->head.headers.push_back({"x-amzn-requestid", std::string(request_id)});
  plan->stream = false;
}

std::string_view status_message(int status) {
  switch (status) {
    case 400:
      return "fake-llm injected a validation error.";
    case 401:
    case 403:
      return "You don't have access to the model with the specified model ID (fake-llm injected).";
    case 404:
      return "The provided model identifier is invalid (fake-llm injected 404).";
    case 408:
      return "Model has timed out in processing the request (fake-llm injected 408).";
    case 424:
      return "The model returned an error (fake-llm injected 424).";
    case 429:
      return "Too many requests, please wait before trying again (fake-llm injected 429).";
    case 500:
      return "The system encountered an unexpected error during processing. Try your request "
             "again (fake-llm injected 500).";
    case 503:
      return "Bedrock is unable to process your request (fake-llm injected 503).";
    default:
      return status >= 500 ? "fake-llm injected a server error." : "fake-llm injected an error.";
  }
}

}  // namespace

std::string_view bedrock_error_type(int status) {
  switch (status) {
    case 400:
      return "ValidationException";
    case 401:
      return "UnrecognizedClientException";
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 500:
      return "InternalServerException";
    case 503:
      return "ServiceUnavailableException";
    default:
      return status >= 500 ? "InternalServerException" : "ValidationException";
  }
}

void bedrock_converse(Plan* plan, const ConverseAnswer& answer, std::string_view request_id) {
  bedrock_head(plan, 200, request_id);
  std::string body;
  body.reserve(256 + answer.text.size() + answer.tool_input.size());
  JsonOut json(body);
  json.begin_object();
  json.key("output").begin_object();
  json.key("message").begin_object();
  json.key("role").string("assistant");
  json.key("content").begin_array();
  json.begin_object();
  if (answer.tool_use) {
    json.key("toolUse").begin_object();
    json.key("toolUseId").string(answer.tool_use_id);
    json.key("name").string(answer.tool_name);
    json.key("input").raw(answer.tool_input);
    json.end_object();
  } else {
    json.key("text").string(answer.text);
  }
  json.end_object();
  json.end_array();
  json.end_object();
  json.end_object();
  json.key("stopReason").string(answer.tool_use ? "tool_use" : "end_turn");
  json.key("usage").begin_object();
  json.key("inputTokens").integer(static_cast<int64_t>(answer.input_tokens));
  json.key("outputTokens").integer(static_cast<int64_t>(answer.output_tokens));
  json.key("totalTokens").integer(static_cast<int64_t>(answer.input_tokens + answer.output_tokens));
  json.end_object();
  json.key("metrics").begin_object();
  json.key("latencyMs").integer(answer.latency_ms);
  json.end_object();
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void bedrock_error(Plan* plan, int status, std::string_view message, std::string_view request_id) {
  bedrock_head(plan, status, request_id);
  plan->head.headers.push_back({"x-amzn-errortype", std::string(bedrock_error_type(status))});
  std::string body;
  JsonOut json(body);
  json.begin_object().key("message").string(message).end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void bedrock_status_error(Plan* plan, int status, std::string_view request_id) {
  bedrock_error(plan, status, status_message(status), request_id);
}

}  // namespace fake_llm
