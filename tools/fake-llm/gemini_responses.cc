// Rendering of GenerateContentResponse bodies, their alt=sse stream, and Google API errors.

#include "tools/fake-llm/gemini_responses.h"

#include "tools/fake-llm/json_out.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

// Google separates SSE events with CRLF pairs.
constexpr std::string_view kEventEnd = "\r\n\r\n";

void gemini_head(Plan* plan, int status, bool event_stream) {
  plan->head.status = status;
  plan->head.headers.push_back(
      {"content-type", event_stream ? "text/event-stream" : "application/json; charset=UTF-8"});
  plan->stream = event_stream;
}

// The four harm categories, the last one blocked when `blocked`.
void write_safety_ratings(JsonOut& json, bool blocked) {
  constexpr std::string_view kCategories[] = {
      "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_HARASSMENT",
      "HARM_CATEGORY_DANGEROUS_CONTENT"};
  json.key("safetyRatings").begin_array();
  for (const std::string_view category : kCategories) {
    const bool this_one = blocked && category == kCategories[3];
    json.begin_object();
    json.key("category").string(category);
    json.key("probability").string(this_one ? "HIGH" : "NEGLIGIBLE");
    if (this_one) json.key("blocked").boolean(true);
    json.end_object();
  }
  json.end_array();
}

void write_usage(JsonOut& json, size_t prompt_tokens, size_t candidate_tokens, bool candidates) {
  json.key("usageMetadata").begin_object();
  json.key("promptTokenCount").integer(static_cast<int64_t>(prompt_tokens));
  if (candidates) json.key("candidatesTokenCount").integer(static_cast<int64_t>(candidate_tokens));
  json.key("totalTokenCount").integer(static_cast<int64_t>(prompt_tokens + candidate_tokens));
  json.key("promptTokensDetails").begin_array().begin_object();
  json.key("modality").string("TEXT");
  json.key("tokenCount").integer(static_cast<int64_t>(prompt_tokens));
  json.end_object().end_array();
  json.end_object();
}

void write_trailer(JsonOut& json, const GeminiAnswer& answer) {
  json.key("modelVersion").string(answer.model);
  if (!answer.create_time.empty()) json.key("createTime").string(answer.create_time);
  json.key("responseId").string(answer.response_id);
}

// One response object. `piece` is the text of this chunk (whole answers: all of it); `last`
// adds the finish reason and the full usage.
std::string response_json(const GeminiAnswer& answer, std::string_view piece, bool last) {
  std::string out;
  out.reserve(384 + piece.size() + answer.function_args.size());
  JsonOut json(out);
  json.begin_object();
  if (answer.block == GeminiBlock::prompt) {
    json.key("promptFeedback").begin_object();
    json.key("blockReason").string("SAFETY");
    write_safety_ratings(json, true);
    json.end_object();
    write_usage(json, answer.prompt_tokens, 0, false);
    write_trailer(json, answer);
    json.end_object();
    return out;
  }
  json.key("candidates").begin_array().begin_object();
  if (answer.block == GeminiBlock::response) {
    json.key("finishReason").string("SAFETY");
    json.key("index").integer(0);
    write_safety_ratings(json, true);
  } else {
    json.key("content").begin_object();
    json.key("parts").begin_array().begin_object();
    if (answer.function_call) {
      json.key("functionCall").begin_object();
      json.key("name").string(answer.function_name);
      json.key("args").raw(answer.function_args);
      json.end_object();
    } else {
      json.key("text").string(piece);
    }
    json.end_object().end_array();
    json.key("role").string("model");
    json.end_object();
    if (last) json.key("finishReason").string(answer.finish_reason);
    json.key("index").integer(0);
  }
  json.end_object().end_array();
  const bool counted = answer.block == GeminiBlock::none;
  write_usage(json, answer.prompt_tokens, last && counted ? answer.candidate_tokens : 0,
              last && counted);
  write_trailer(json, answer);
  json.end_object();
  return out;
}

std::string sse_event(std::string_view json) {
  std::string out = "data: ";
  out += json;
  out += kEventEnd;
  return out;
}

// Frames the stream's responses: SSE events, or the elements of one JSON array.
class StreamFramer {
 public:
  explicit StreamFramer(bool sse) : sse_(sse) {}
  std::string preamble() const { return sse_ ? std::string() : std::string("["); }
  std::string element(std::string_view json) {
    if (sse_) return sse_event(json);
    std::string out = first_ ? "" : ",\r\n";
    first_ = false;
    out += json;
    return out;
  }
  std::string end() const { return sse_ ? std::string() : std::string("]"); }

 private:
  bool sse_;
  bool first_ = true;
};

void generate_stream(Plan* plan, const GeminiAnswer& answer) {
  StreamFramer framer(answer.sse);
  plan->segments.push_back(Segment{framer.preamble(), 0, false});  // no preamble event
  if (answer.block != GeminiBlock::none) {
    plan->segments.push_back(
        Segment{framer.element(response_json(answer, {}, true)) + framer.end(), 0, false});
  } else if (answer.function_call) {
    // A call arrives whole, in one chunk that also finishes the answer.
    plan->segments.push_back(Segment{framer.element(response_json(answer, {}, true)), 0, true});
    plan->segments.push_back(Segment{framer.end(), 0, false});
  } else {
    for (const std::string_view piece : split_answer(answer.text, answer.chunks)) {
      plan->segments.push_back(
          Segment{framer.element(response_json(answer, piece, false)), 0, true});
    }
    plan->segments.push_back(
        Segment{framer.element(response_json(answer, "", true)) + framer.end(), 0, false});
  }
  if (!answer.sse) return;  // an array has no room for an in-band error
  std::string error;
  JsonOut json(error);
  json.begin_object().key("error").begin_object();
  json.key("code").integer(503);
  json.key("message").string("The model is overloaded. Please try again later.");
  json.key("status").string("UNAVAILABLE");
  json.end_object().end_object();
  plan->stream_error = sse_event(error);
}

std::string_view status_message(int status) {
  switch (status) {
    case 400:
      return "Request contains an invalid argument. (fake-llm injected 400)";
    case 401:
      return "Request had invalid authentication credentials. (fake-llm injected 401)";
    case 403:
      return "The caller does not have permission (fake-llm injected 403)";
    case 404:
      return "Requested entity was not found. (fake-llm injected 404)";
    case 429:
      return "Resource has been exhausted (e.g. check quota). (fake-llm injected 429)";
    case 500:
      return "An internal error has occurred. Please retry or report in "
             "https://developers.generativeai.google/guide/troubleshooting (fake-llm injected "
             "500)";
    case 503:
      return "The model is overloaded. Please try again later. (fake-llm injected 503)";
    case 504:
      return "Deadline expired before operation could complete. (fake-llm injected 504)";
    default:
      return status >= 500 ? "fake-llm injected a server error." : "fake-llm injected an error.";
  }
}

}  // namespace

void gemini_generate(Plan* plan, const GeminiAnswer& answer) {
  gemini_head(plan, 200, answer.stream && answer.sse);
  plan->stream = answer.stream;
  if (answer.stream) {
    generate_stream(plan, answer);
  } else {
    plan->segments.push_back(Segment{response_json(answer, answer.text, true), 0, false});
  }
}

std::string_view google_status_name(int status) {
  switch (status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ABORTED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 500:
      return "INTERNAL";
    case 501:
      return "NOT_IMPLEMENTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return status >= 500 ? "UNKNOWN" : "FAILED_PRECONDITION";
  }
}

void gemini_error(Plan* plan, int status, std::string_view message, std::string_view reason,
                  std::string_view service) {
  gemini_head(plan, status, false);
  std::string body;
  JsonOut json(body);
  json.begin_object().key("error").begin_object();
  json.key("code").integer(status);
  json.key("message").string(message);
  json.key("status").string(google_status_name(status));
  if (!reason.empty()) {
    json.key("details").begin_array().begin_object();
    json.key("@type").string("type.googleapis.com/google.rpc.ErrorInfo");
    json.key("reason").string(reason);
    json.key("domain").string("googleapis.com");
    json.key("metadata").begin_object().key("service").string(service).end_object();
    json.end_object().end_array();
  }
  json.end_object().end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void gemini_status_error(Plan* plan, int status, std::string_view service) {
  gemini_error(plan, status, status_message(status), {}, service);
}

}  // namespace fake_llm
