// Rendering of Anthropic Messages responses: shapes follow the Messages API reference and its
// streaming guide (every event is `event: <type>` plus `data: <json>` whose "type" repeats it).

#include "tools/fake-llm/anthropic_responses.h"

#include "tools/fake-llm/json_out.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

void anthropic_head(Plan* plan, int status, std::string_view request_id, bool event_stream) {
  plan->head.status = status;
  plan->head.headers.push_back(
      {"content-type", event_stream ? "text/event-stream; charset=utf-8" : "application/json"});
  if (event_stream) plan->head.headers.push_back({"cache-control", "no-cache"});
  plan->head.headers.push_back({"request-id", std::string(request_id)});
  plan->stream = event_stream;
}

// Appends one named event: "event: <name>\ndata: <json>\n\n".
void append_event(std::string& out, std::string_view name, std::string_view json) {
  out += "event: ";
  out += name;
  out += "\ndata: ";
  out += json;
  out += "\n\n";
}

void write_usage(JsonOut& json, size_t input_tokens, size_t output_tokens) {
  json.begin_object();
  json.key("input_tokens").integer(static_cast<int64_t>(input_tokens));
  json.key("cache_creation_input_tokens").integer(0);
  json.key("cache_read_input_tokens").integer(0);
  json.key("output_tokens").integer(static_cast<int64_t>(output_tokens));
  json.end_object();
}

void write_stop_sequence(JsonOut& json, std::string_view stop_sequence) {
  json.key("stop_sequence");
  if (stop_sequence.empty()) {
    json.null();
  } else {
    json.string(stop_sequence);
  }
}

// The message object; `whole` false gives message_start's copy (empty content, no stop reason,
// output_tokens 1 as the API reports it there).
std::string message_json(const AnthropicAnswer& answer, bool whole) {
  std::string out;
  out.reserve(384 + answer.text.size() + answer.tool_input.size());
  JsonOut json(out);
  json.begin_object();
  json.key("id").string(answer.id);
  json.key("type").string("message");
  json.key("role").string("assistant");
  json.key("model").string(answer.model);
  json.key("content").begin_array();
  if (whole) {
    json.begin_object();
    if (answer.tool_use) {
      json.key("type").string("tool_use");
      json.key("id").string(answer.tool_use_id);
      json.key("name").string(answer.tool_name);
      json.key("input").raw(answer.tool_input);
    } else {
      json.key("type").string("text");
      json.key("text").string(answer.text);
    }
    json.end_object();
  }
  json.end_array();
  json.key("stop_reason");
  if (whole) {
    json.string(answer.stop_reason);
    write_stop_sequence(json, answer.stop_sequence);
  } else {
    json.null();
    json.key("stop_sequence").null();
  }
  json.key("usage");
  write_usage(json, answer.input_tokens, whole ? answer.output_tokens : 1);
  json.end_object();
  return out;
}

void message_stream(Plan* plan, const AnthropicAnswer& answer) {
  // Preamble: message_start, the block's start, a ping.
  std::string preamble;
  std::string data;
  {
    JsonOut json(data);
    json.begin_object().key("type").string("message_start");
    json.key("message").raw(message_json(answer, false));
    json.end_object();
  }
  append_event(preamble, "message_start", data);
  data.clear();
  {
    JsonOut json(data);
    json.begin_object().key("type").string("content_block_start").key("index").integer(0);
    json.key("content_block").begin_object();
    if (answer.tool_use) {
      json.key("type").string("tool_use");
      json.key("id").string(answer.tool_use_id);
      json.key("name").string(answer.tool_name);
      json.key("input").begin_object().end_object();
    } else {
      json.key("type").string("text");
      json.key("text").string("");
    }
    json.end_object().end_object();
  }
  append_event(preamble, "content_block_start", data);
  append_event(preamble, "ping", R"({"type": "ping"})");
  plan->segments.push_back(Segment{std::move(preamble), 0, false});

  // Content: text_delta pieces, or input_json_delta fragments of the tool input.
  const std::string_view content = answer.tool_use ? answer.tool_input : answer.text;
  for (const std::string_view piece : split_answer(content, answer.chunks)) {
    data.clear();
    JsonOut json(data);
    json.begin_object().key("type").string("content_block_delta").key("index").integer(0);
    json.key("delta").begin_object();
    if (answer.tool_use) {
      json.key("type").string("input_json_delta").key("partial_json").string(piece);
    } else {
      json.key("type").string("text_delta").key("text").string(piece);
    }
    json.end_object().end_object();
    std::string event;
    append_event(event, "content_block_delta", data);
    plan->segments.push_back(Segment{std::move(event), 0, true});
  }

  // Tail: the block's stop, message_delta with the stop reason and output tokens, message_stop.
  std::string tail;
  append_event(tail, "content_block_stop", R"({"type":"content_block_stop","index":0})");
  data.clear();
  {
    JsonOut json(data);
    json.begin_object().key("type").string("message_delta");
    json.key("delta").begin_object().key("stop_reason").string(answer.stop_reason);
    write_stop_sequence(json, answer.stop_sequence);
    json.end_object();
    json.key("usage").begin_object();
    json.key("output_tokens").integer(static_cast<int64_t>(answer.output_tokens));
    json.end_object().end_object();
  }
  append_event(tail, "message_delta", data);
  append_event(tail, "message_stop", R"({"type":"message_stop"})");
  plan->segments.push_back(Segment{std::move(tail), 0, false});

  append_event(plan->stream_error, "error",
               R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
}

std::string_view status_message(int status) {
  switch (status) {
    case 400:
      return "fake-llm injected an invalid request error.";
    case 401:
      return "invalid x-api-key";
    case 402:
      return "Your credit balance is too low to access the Anthropic API (fake-llm injected 402).";
    case 403:
      return "Your API key does not have permission to use the specified resource (fake-llm "
             "injected 403).";
    case 404:
      return "model: not found (fake-llm injected 404)";
    case 413:
      return "Request exceeds the maximum allowed number of bytes (fake-llm injected 413).";
    case 429:
      return "This request would exceed the rate limit for your organization (fake-llm injected "
             "429).";
    case 500:
      return "Internal server error (fake-llm injected 500)";
    case 504:
      return "Request timed out (fake-llm injected 504)";
    case 529:
      return "Overloaded";
    default:
      return status >= 500 ? "fake-llm injected a server error." : "fake-llm injected an error.";
  }
}

}  // namespace

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

void anthropic_message(Plan* plan, const AnthropicAnswer& answer, std::string_view request_id) {
  anthropic_head(plan, 200, request_id, answer.stream);
  if (answer.stream) {
    message_stream(plan, answer);
  } else {
    plan->segments.push_back(Segment{message_json(answer, true), 0, false});
  }
}

void anthropic_error(Plan* plan, int status, std::string_view message,
                     std::string_view request_id) {
  anthropic_head(plan, status, request_id, false);
  std::string body;
  JsonOut json(body);
  json.begin_object();
  json.key("type").string("error");
  json.key("error").begin_object();
  json.key("type").string(anthropic_error_type(status));
  json.key("message").string(message);
  json.end_object();
  json.key("request_id").string(request_id);
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void anthropic_status_error(Plan* plan, int status, std::string_view request_id) {
  anthropic_error(plan, status, status_message(status), request_id);
}

}  // namespace fake_llm
