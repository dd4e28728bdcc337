// Pieces of OpenAI's chat answer made from pieces of Gemini's.

#include "providers/gemini/openai_output.h"

#include <array>
#include <cstdio>

#include "providers/gemini/literal.h"
#include "providers/gemini/members.h"
#include "providers/support/text.h"

namespace sluice::providers::gemini {
namespace {

// usageMetadata's counts, in the order Usage keeps them.
constexpr std::array<std::string_view, 5> kCounts = {"promptTokenCount", "candidatesTokenCount",
                                                     "thoughtsTokenCount", "totalTokenCount",
                                                     "cachedContentTokenCount"};

// The members of a content part read, found in one pass.
constexpr std::array<std::string_view, 3> kPartMembers = {"thought", "text", "functionCall"};

int64_t count_of(const rapidjson::Value* value, bool* present = nullptr) {
  if (value == nullptr || !value->IsInt64() || value->GetInt64() < 0) return 0;
  if (present != nullptr) *present = true;
  return value->GetInt64();
}

}  // namespace

Usage read_usage(const rapidjson::Value& response) {
  return read_usage_metadata(find(response, "usageMetadata"));
}

Usage read_usage_metadata(const rapidjson::Value* metadata) {
  Usage usage;
  if (metadata == nullptr || !metadata->IsObject()) return usage;
  std::array<const rapidjson::Value*, kCounts.size()> counts;
  find_members(*metadata, kCounts, &counts);
  usage.present = true;
  usage.prompt = count_of(counts[0]);
  usage.candidates = count_of(counts[1]);
  usage.thoughts = count_of(counts[2], &usage.has_thoughts);
  usage.total = count_of(counts[3]);
  usage.cached = count_of(counts[4], &usage.has_cached);
  return usage;
}

void write_usage(JsonWriter& writer, const Usage& usage) {
  writer.StartObject();
  write_literal_key<"prompt_tokens">(writer);
  writer.Int64(usage.prompt);
  write_literal_key<"completion_tokens">(writer);
  writer.Int64(usage.candidates + usage.thoughts);
  write_literal_key<"total_tokens">(writer);
  writer.Int64(usage.total);
  if (usage.has_cached) {
    write_literal_key<"prompt_tokens_details">(writer);
    writer.StartObject();
    write_literal_key<"cached_tokens">(writer);
    writer.Int64(usage.cached);
    writer.EndObject();
  }
  if (usage.has_thoughts) {
    write_literal_key<"completion_tokens_details">(writer);
    writer.StartObject();
    write_literal_key<"reasoning_tokens">(writer);
    writer.Int64(usage.thoughts);
    writer.EndObject();
  }
  writer.EndObject();
}

std::string_view finish_reason_for(std::string_view gemini_reason, bool called_tools) {
  if (gemini_reason == "MAX_TOKENS") return "length";
  if (gemini_reason == "SAFETY" || gemini_reason == "RECITATION" || gemini_reason == "BLOCKLIST" ||
      gemini_reason == "PROHIBITED_CONTENT" || gemini_reason == "SPII" ||
      gemini_reason == "IMAGE_SAFETY") {
    return "content_filter";
  }
  // STOP, and reasons OpenAI has no word for (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL, ...).
  return called_tools ? "tool_calls" : "stop";
}

std::string tool_call_id(std::string_view response_id, int ordinal) {
  const uint64_t hash = support::fnv1a(response_id);  // stable across runs and builds
  char text[48];
  std::snprintf(text, sizeof text, "call_%016llx_%d", static_cast<unsigned long long>(hash),
                ordinal);
  return text;
}

bool read_parts(const rapidjson::Value& candidate, CandidateParts* parts, Failure* failure) {
  const rapidjson::Value* content = find(candidate, "content");
  const rapidjson::Value* list = content != nullptr ? find(*content, "parts") : nullptr;
  if (list == nullptr || !list->IsArray()) return true;  // a blocked candidate has no content
  for (const auto& part : list->GetArray()) {
    std::array<const rapidjson::Value*, kPartMembers.size()> members;
    find_members(part, kPartMembers, &members);
    if (const rapidjson::Value* thought = members[0];
        thought != nullptr && thought->IsBool() && thought->GetBool()) {
      continue;
    }
    if (const rapidjson::Value* text = members[1]; text != nullptr && text->IsString()) {
      parts->text += view(*text);
    }
    if (const rapidjson::Value* call = members[2]) {
      FunctionCall function;
      std::string_view name;
      if (!find_string(*call, "name", &name)) {
        *failure = bad_upstream("a functionCall in the answer has no name");
        return false;
      }
      function.name = name;
      function.arguments = "{}";
      if (const rapidjson::Value* args = find(*call, "args")) {
        if (!args->IsObject() || !to_json_text(*args, &function.arguments)) {
          *failure = bad_upstream("a functionCall's args in the answer is not a JSON object");
          return false;
        }
      }
      parts->calls.push_back(std::move(function));
    }
  }
  return true;
}

int candidate_index(const rapidjson::Value& candidate, int position) {
  const rapidjson::Value* index = find(candidate, "index");
  if (index != nullptr && index->IsInt() && index->GetInt() >= 0) return index->GetInt();
  return position;
}

std::string_view response_id_of(const rapidjson::Value& response, std::string_view fallback) {
  std::string_view id;
  if (find_string(response, "responseId", &id) && !id.empty()) return id;
  return fallback;
}

}  // namespace sluice::providers::gemini
