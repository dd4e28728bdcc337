// Rendering of OpenAI responses: shapes follow the API reference for chat.completion,
// chat.completion.chunk (role delta first, content deltas, finish chunk, usage chunk with empty
// choices only when stream_options.include_usage, then [DONE]), text_completion, embeddings
// lists, model lists and error objects.

#include "tools/fake-llm/openai_responses.h"

#include "core/http/error_body.h"
#include "tools/fake-llm/embeddings.h"
#include "tools/fake-llm/json_out.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

constexpr std::string_view kDone = "data: [DONE]\n\n";
constexpr int64_t kModelsCreated = 1700000000;

void write_usage(JsonOut& json, const Usage& usage, bool details) {
  json.begin_object();
  json.key("prompt_tokens").integer(static_cast<int64_t>(usage.prompt_tokens));
  json.key("completion_tokens").integer(static_cast<int64_t>(usage.completion_tokens));
  json.key("total_tokens")
      .integer(static_cast<int64_t>(usage.prompt_tokens + usage.completion_tokens));
  if (details) {
    json.key("prompt_tokens_details").begin_object();
    json.key("cached_tokens").integer(0);
    json.key("audio_tokens").integer(0);
    json.end_object();
    json.key("completion_tokens_details").begin_object();
    json.key("reasoning_tokens").integer(0);
    json.key("audio_tokens").integer(0);
    json.key("accepted_prediction_tokens").integer(0);
    json.key("rejected_prediction_tokens").integer(0);
    json.end_object();
  }
  json.end_object();
}

// The start every chunk of one stream shares, up to and including `"choices":[`.
std::string chunk_prefix(std::string_view id, std::string_view object, int64_t created,
                         std::string_view model, bool fingerprint) {
  std::string out = "data: ";
  JsonOut json(out);
  json.begin_object();
  json.key("id").string(id);
  json.key("object").string(object);
  json.key("created").integer(created);
  json.key("model").string(model);
  if (fingerprint) json.key("system_fingerprint").null();
  json.key("choices");
  out.push_back('[');
  return out;
}

// Closes a chunk whose prefix came from chunk_prefix().
void close_chunk(std::string& out, bool usage_null) {
  out.push_back(']');
  if (usage_null) out += ",\"usage\":null";
  out += "}\n\n";
}

// A chat chunk with one choice: {"index":0,"delta":<delta>,"logprobs":null,"finish_reason":…}.
std::string chat_chunk(const std::string& prefix, std::string_view delta_json,
                       std::string_view finish_reason, bool usage_null) {
  std::string out = prefix;
  out += "{\"index\":0,\"delta\":";
  out += delta_json;
  out += ",\"logprobs\":null,\"finish_reason\":";
  if (finish_reason.empty()) {
    out += "null";
  } else {
    append_json_string(out, finish_reason);
  }
  out.push_back('}');
  close_chunk(out, usage_null);
  return out;
}

std::string usage_chunk(const std::string& prefix, const Usage& usage, bool details) {
  std::string out = prefix;
  out += "],\"usage\":";
  JsonOut json(out);
  write_usage(json, usage, details);
  out += "}\n\n";
  return out;
}

void write_tool_call(JsonOut& json, const ChatAnswer& answer, bool with_index) {
  json.begin_object();
  if (with_index) json.key("index").integer(0);
  json.key("id").string(answer.tool_call_id);
  json.key("type").string("function");
  json.key("function").begin_object();
  json.key("name").string(answer.tool_name);
  // Streams announce the call with empty arguments; the fragments follow as content chunks.
  json.key("arguments")
      .string(with_index ? std::string_view() : std::string_view(answer.tool_arguments));
  json.end_object();
  json.end_object();
}

void chat_whole(Plan* plan, const ChatAnswer& answer) {
  std::string body;
  body.reserve(512 + answer.text.size() + answer.tool_arguments.size());
  JsonOut json(body);
  json.begin_object();
  json.key("id").string(answer.id);
  json.key("object").string("chat.completion");
  json.key("created").integer(answer.created);
  json.key("model").string(answer.model);
  json.key("system_fingerprint").null();
  json.key("choices").begin_array();
  json.begin_object();
  json.key("index").integer(0);
  json.key("message").begin_object();
  json.key("role").string("assistant");
  if (answer.tool_call) {
    json.key("content").null();
    json.key("tool_calls").begin_array();
    write_tool_call(json, answer, false);
    json.end_array();
  } else {
    json.key("content").string(answer.text);
  }
  json.key("refusal").null();
  json.key("annotations").begin_array().end_array();
  json.end_object();
  json.key("logprobs").null();
  json.key("finish_reason").string(answer.tool_call ? "tool_calls" : "stop");
  json.end_object();
  json.end_array();
  json.key("usage");
  write_usage(json, answer.usage, true);
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void chat_stream(Plan* plan, const ChatAnswer& answer) {
  const std::string prefix =
      chunk_prefix(answer.id, "chat.completion.chunk", answer.created, answer.model, true);
  const bool usage_null = answer.include_usage;
  std::string delta;
  JsonOut json(delta);

  // Preamble: the role (and, for a tool call, the call's id and name with empty arguments).
  json.begin_object();
  json.key("role").string("assistant");
  if (answer.tool_call) {
    json.key("content").null();
    json.key("tool_calls").begin_array();
    write_tool_call(json, answer, true);
    json.end_array();
  } else {
    json.key("content").string("");
  }
  json.key("refusal").null();
  json.end_object();
  plan->segments.push_back(Segment{chat_chunk(prefix, delta, {}, usage_null), 0, false});

  // Content chunks: text pieces, or argument fragments.
  const std::string_view content = answer.tool_call ? answer.tool_arguments : answer.text;
  for (const std::string_view piece : split_answer(content, answer.chunks)) {
    delta.clear();
    JsonOut d(delta);
    d.begin_object();
    if (answer.tool_call) {
      d.key("tool_calls").begin_array().begin_object();
      d.key("index").integer(0);
      d.key("function").begin_object().key("arguments").string(piece).end_object();
      d.end_object().end_array();
    } else {
      d.key("content").string(piece);
    }
    d.end_object();
    plan->segments.push_back(Segment{chat_chunk(prefix, delta, {}, usage_null), 0, true});
  }

  // Tail: the finish chunk, the usage chunk when asked for, [DONE].
  std::string tail = chat_chunk(prefix, "{}", answer.tool_call ? "tool_calls" : "stop", usage_null);
  if (answer.include_usage) tail += usage_chunk(prefix, answer.usage, true);
  tail += kDone;
  plan->segments.push_back(Segment{std::move(tail), 0, false});

  // The error_mid_stream fault: an error object in place of a chunk, as OpenAI sends one.
  plan->stream_error =
      R"(data: {"error":{"message":"The server had an error while processing your request. )"
      R"(Sorry about that!","type":"server_error","param":null,"code":null}})"
      "\n\n";
}

std::string text_choice(std::string_view text, std::string_view finish_reason) {
  std::string out;
  JsonOut json(out);
  json.begin_object();
  json.key("text").string(text);
  json.key("index").integer(0);
  json.key("logprobs").null();
  json.key("finish_reason");
  if (finish_reason.empty()) {
    json.null();
  } else {
    json.string(finish_reason);
  }
  json.end_object();
  return out;
}

std::string_view status_message(int status) {
  switch (status) {
    case 400:
      return "fake-llm injected a bad request error.";
    case 401:
      return "Incorrect API key provided (fake-llm injected 401).";
    case 403:
      return "You are not allowed to sample from this model (fake-llm injected 403).";
    case 404:
      return "The model does not exist or you do not have access to it (fake-llm injected 404).";
    case 408:
      return "Request timed out (fake-llm injected 408).";
    case 409:
      return "Conflict (fake-llm injected 409).";
    case 413:
      return "Request too large (fake-llm injected 413).";
    case 422:
      return "Unprocessable entity (fake-llm injected 422).";
    case 429:
      return "Rate limit reached for requests (fake-llm injected 429). Please try again later.";
    case 500:
      return "The server had an error while processing your request. Sorry about that! "
             "(fake-llm injected 500)";
    case 502:
      return "Bad gateway (fake-llm injected 502).";
    case 503:
      return "The engine is currently overloaded, please try again later (fake-llm injected 503).";
    case 504:
      return "Gateway timeout (fake-llm injected 504).";
    default:
      return status >= 500 ? "fake-llm injected a server error." : "fake-llm injected an error.";
  }
}

std::string_view status_code(int status) {
  switch (status) {
    case 401:
      return "invalid_api_key";
    case 404:
      return "model_not_found";
    case 429:
      return "rate_limit_exceeded";
    default:
      return {};
  }
}

}  // namespace

void openai_head(Plan* plan, int status, std::string_view request_id, bool event_stream) {
  plan->head.status = status;
  plan->head.headers.push_back(
      {"content-type", event_stream ? "text/event-stream; charset=utf-8" : "application/json"});
  plan->head.headers.push_back({"x-request-id", std::string(request_id)});
  plan->stream = event_stream;
}

void openai_chat(Plan* plan, const ChatAnswer& answer, std::string_view request_id) {
  openai_head(plan, 200, request_id, answer.stream);
  if (answer.stream) {
    chat_stream(plan, answer);
  } else {
    chat_whole(plan, answer);
  }
}

void openai_text_completion(Plan* plan, const TextCompletionAnswer& answer,
                            std::string_view request_id) {
  openai_head(plan, 200, request_id, answer.stream);
  if (!answer.stream) {
    std::string body;
    JsonOut json(body);
    json.begin_object();
    json.key("id").string(answer.id);
    json.key("object").string("text_completion");
    json.key("created").integer(answer.created);
    json.key("model").string(answer.model);
    json.key("choices").begin_array().raw(text_choice(answer.text, "stop")).end_array();
    json.key("usage");
    write_usage(json, answer.usage, false);
    json.end_object();
    plan->segments.push_back(Segment{std::move(body), 0, false});
    return;
  }
  const std::string prefix =
      chunk_prefix(answer.id, "text_completion", answer.created, answer.model, false);
  const auto chunk = [&](std::string_view text, std::string_view finish) {
    std::string out = prefix;
    out += text_choice(text, finish);
    close_chunk(out, answer.include_usage);
    return out;
  };
  plan->segments.push_back(Segment{std::string(), 0, false});  // no role preamble in this API
  for (const std::string_view piece : split_answer(answer.text, answer.chunks)) {
    plan->segments.push_back(Segment{chunk(piece, {}), 0, true});
  }
  std::string tail = chunk("", "stop");
  if (answer.include_usage) tail += usage_chunk(prefix, answer.usage, false);
  tail += kDone;
  plan->segments.push_back(Segment{std::move(tail), 0, false});
}

void openai_embeddings(Plan* plan, const EmbeddingAnswer& answer, std::string_view request_id) {
  openai_head(plan, 200, request_id, false);
  const std::vector<std::string>& inputs = *answer.inputs;
  std::string body;
  body.reserve(128 + inputs.size() * (64 + answer.dim * 12));
  JsonOut json(body);
  json.begin_object();
  json.key("object").string("list");
  json.key("data").begin_array();
  std::vector<float> vector;
  std::string encoded;
  for (size_t i = 0; i < inputs.size(); ++i) {
    embedding_vector(inputs[i], answer.dim, &vector);
    json.begin_object();
    json.key("object").string("embedding");
    json.key("index").integer(static_cast<int64_t>(i));
    json.key("embedding");
    if (answer.base64) {
      encoded.clear();
      append_base64_floats(encoded, vector);
      json.string(encoded);
    } else {
      json.begin_array();
      for (const float value : vector) json.number(value);
      json.end_array();
    }
    json.end_object();
  }
  json.end_array();
  json.key("model").string(answer.model);
  json.key("usage").begin_object();
  json.key("prompt_tokens").integer(static_cast<int64_t>(answer.prompt_tokens));
  json.key("total_tokens").integer(static_cast<int64_t>(answer.prompt_tokens));
  json.end_object();
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

const std::vector<std::string_view>& fake_model_ids() {
  static const std::vector<std::string_view> ids = {
      "gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo-instruct", "text-embedding-3-small", "fake-model"};
  return ids;
}

void openai_models(Plan* plan, std::string_view request_id) {
  openai_head(plan, 200, request_id, false);
  std::string body;
  JsonOut json(body);
  json.begin_object();
  json.key("object").string("list");
  json.key("data").begin_array();
  for (const std::string_view id : fake_model_ids()) {
    json.begin_object();
    json.key("id").string(id);
    json.key("object").string("model");
    json.key("created").integer(kModelsCreated);
    json.key("owned_by").string("fake-llm");
    json.end_object();
  }
  json.end_array();
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void openai_error(Plan* plan, const ApiError& error, std::string_view request_id) {
  openai_head(plan, error.status, request_id, false);
  std::string body;
  JsonOut json(body);
  json.begin_object();
  json.key("error").begin_object();
  json.key("message").string(error.message);
  json.key("type").string(sluice::http::default_error_type(error.status));
  json.key("param");
  if (error.param.empty()) {
    json.null();
  } else {
    json.string(error.param);
  }
  json.key("code");
  if (error.code.empty()) {
    json.null();
  } else {
    json.string(error.code);
  }
  json.end_object();
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void openai_status_error(Plan* plan, int status, std::string_view request_id) {
  ApiError error;
  error.status = status;
  error.message = std::string(status_message(status));
  error.code = std::string(status_code(status));
  openai_error(plan, error, request_id);
}

}  // namespace fake_llm
