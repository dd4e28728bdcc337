// Gemini GenerateContentResponse -> OpenAI chat.completion (README.md lists every mapping).

#include "providers/gemini/openai_output.h"
#include "providers/gemini/translate.h"

namespace sluice::providers::gemini {
namespace {

using rapidjson::Value;

void write_tool_calls(JsonWriter& writer, const std::vector<FunctionCall>& calls,
                      std::string_view response_id, int* ordinal) {
  write_key(writer, "tool_calls");
  writer.StartArray();
  for (const FunctionCall& call : calls) {
    writer.StartObject();
    write_key(writer, "id");
    write_string(writer, tool_call_id(response_id, (*ordinal)++));
    write_key(writer, "type");
    write_string(writer, "function");
    write_key(writer, "function");
    writer.StartObject();
    write_key(writer, "name");
    write_string(writer, call.name);
    write_key(writer, "arguments");
    write_string(writer, call.arguments);
    writer.EndObject();
    writer.EndObject();
  }
  writer.EndArray();
}

// One choice: the message (content null when it only calls tools) and its finish reason.
void write_choice(JsonWriter& writer, int index, const CandidateParts& parts,
                  std::string_view finish_reason, std::string_view response_id, int* ordinal) {
  writer.StartObject();
  write_key(writer, "index");
  writer.Int(index);
  write_key(writer, "message");
  writer.StartObject();
  write_key(writer, "role");
  write_string(writer, "assistant");
  write_key(writer, "content");
  if (parts.text.empty() && !parts.calls.empty()) {
    writer.Null();
  } else {
    write_string(writer, parts.text);
  }
  if (!parts.calls.empty()) write_tool_calls(writer, parts.calls, response_id, ordinal);
  writer.EndObject();
  write_key(writer, "finish_reason");
  write_string(writer, finish_reason);
  writer.EndObject();
}

}  // namespace

bool translate_generate_content(Flavour flavour, std::string_view body,
                                const ResponseContext& context, std::string* out,
                                Failure* failure) {
  support::RequestDocument response;
  if (!parse_json(body, &response) || !response.IsObject()) {
    *failure =
        bad_upstream(std::string(provider_label(flavour)) + "'s answer is not a JSON object");
    return false;
  }
  if (const Value* error = find(response, "error")) {
    *failure = failure_from_error_object(flavour, 502, *error, {});
    return false;
  }
  const std::string_view response_id = response_id_of(response, context.response_id);
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  support::begin_openai_object(writer, response_id, "chat.completion", context.created,
                               context.client_model);
  write_key(writer, "choices");
  writer.StartArray();
  const Value* candidates = find(response, "candidates");
  const Value* feedback = find(response, "promptFeedback");
  std::string_view block_reason;
  if (candidates != nullptr && candidates->IsArray() && !candidates->Empty()) {
    int ordinal = 0;  // tool calls numbered across the whole answer
    for (rapidjson::SizeType i = 0; i < candidates->Size(); ++i) {
      const Value& candidate = (*candidates)[i];
      CandidateParts parts;
      if (!read_parts(candidate, &parts, failure)) return false;
      std::string_view reason;
      find_string(candidate, "finishReason", &reason);
      write_choice(writer, candidate_index(candidate, static_cast<int>(i)), parts,
                   finish_reason_for(reason, !parts.calls.empty()), response_id, &ordinal);
    }
  } else if (feedback != nullptr && find_string(*feedback, "blockReason", &block_reason)) {
    // The prompt itself was blocked: no candidate at all, told as a filtered empty answer.
    int ordinal = 0;
    write_choice(writer, 0, CandidateParts{}, "content_filter", response_id, &ordinal);
  } else {
    *failure = bad_upstream(std::string(provider_label(flavour)) +
                            "'s answer has neither candidates nor a prompt block reason");
    return false;
  }
  writer.EndArray();
  if (const Usage usage = read_usage(response); usage.present) {
    write_key(writer, "usage");
    write_usage(writer, usage);
  }
  writer.EndObject();
  *out = take(buffer);
  return true;
}

}  // namespace sluice::providers::gemini
