// The OpenAI answer reader shared by the encoders.

#include "core/apis/openai_answer.h"

#include <algorithm>

namespace sluice::apis {

int64_t OpenAiUsage::uncached_prompt_tokens() const {
  return std::max<int64_t>(0, prompt_tokens - cached_tokens - cache_creation_tokens);
}

void read_openai_usage(const JsonValue& holder, OpenAiUsage* usage) {
  const JsonValue* value = member(holder, "usage");
  if (!value || !value->IsObject()) return;
  usage->known = true;
  usage->prompt_tokens = std::max<int64_t>(0, integer_member(*value, "prompt_tokens", 0));
  usage->completion_tokens = std::max<int64_t>(0, integer_member(*value, "completion_tokens", 0));
  if (const JsonValue* details = member(*value, "prompt_tokens_details")) {
    usage->cached_tokens = std::max<int64_t>(0, integer_member(*details, "cached_tokens", 0));
  }
  usage->cache_creation_tokens =
      std::max<int64_t>(0, integer_member(*value, "cache_creation_input_tokens", 0));
}

namespace {

const JsonValue* first_choice(const JsonValue& holder) {
  const JsonValue* choices = member(holder, "choices");
  if (!choices || !choices->IsArray()) return nullptr;
  for (const JsonValue& choice : choices->GetArray()) {
    if (integer_member(choice, "index", 0) == 0 && choice.IsObject()) return &choice;
  }
  return nullptr;
}

// content as a string, or as an array of {"type":"text","text"} parts.
void append_content_text(const JsonValue& message, std::string* text) {
  const JsonValue* content = member(message, "content");
  if (!content) return;
  if (content->IsString()) {
    text->append(view(*content));
  } else if (content->IsArray()) {
    for (const JsonValue& part : content->GetArray()) text->append(string_member(part, "text"));
  }
}

}  // namespace

bool read_openai_answer(const JsonValue& completion, OpenAiAnswer* answer, std::string* error) {
  const JsonValue* choice = first_choice(completion);
  const JsonValue* message = choice ? member(*choice, "message") : nullptr;
  if (!message || !message->IsObject()) {
    *error = "the answer has no choices[0].message";
    return false;
  }
  answer->id = string_member(completion, "id");
  append_content_text(*message, &answer->text);
  if (answer->text.empty()) answer->text = std::string(string_member(*message, "refusal"));
  if (const JsonValue* calls = member(*message, "tool_calls"); calls && calls->IsArray()) {
    for (const JsonValue& call : calls->GetArray()) {
      const JsonValue* function = member(call, "function");
      if (!function) continue;
      answer->tool_calls.push_back({string_member(call, "id"), string_member(*function, "name"),
                                    string_member(*function, "arguments")});
    }
  }
  answer->finish_reason = string_member(*choice, "finish_reason");
  read_openai_usage(completion, &answer->usage);
  return true;
}

void read_openai_chunk(const JsonValue& chunk, OpenAiChunk* out) {
  out->id = string_member(chunk, "id");
  read_openai_usage(chunk, &out->usage);
  const JsonValue* choice = first_choice(chunk);
  if (!choice) return;
  out->finish_reason = string_member(*choice, "finish_reason");
  const JsonValue* delta = member(*choice, "delta");
  if (!delta) return;
  out->text = string_member(*delta, "content");
  if (out->text.empty()) out->text = string_member(*delta, "refusal");
  const JsonValue* calls = member(*delta, "tool_calls");
  if (!calls || !calls->IsArray()) return;
  for (const JsonValue& call : calls->GetArray()) {
    OpenAiToolDelta tool;
    tool.index = integer_member(call, "index", 0);
    tool.id = string_member(call, "id");
    if (const JsonValue* function = member(call, "function")) {
      tool.name = string_member(*function, "name");
      tool.arguments = string_member(*function, "arguments");
    }
    out->tool_deltas.push_back(tool);
  }
}

std::optional<ApiError> parse_openai_answer(std::string_view body, ParsedJson* completion,
                                            OpenAiAnswer* answer) {
  std::string problem = completion->parse(body);
  if (problem.empty() && read_openai_answer(completion->doc(), answer, &problem)) {
    return std::nullopt;
  }
  return ApiError{502, "the upstream answer could not be read: " + problem, "api_error", ""};
}

}  // namespace sluice::apis
