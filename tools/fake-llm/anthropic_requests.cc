// Validation and extraction of Anthropic Messages requests. Checks cover what a gateway
// translating into this API can get wrong (required members, types, block shapes, tool pairing,
// ranges that differ from OpenAI's), not every rule of the API.

#include "tools/fake-llm/anthropic_requests.h"

#include <rapidjson/document.h>

#include <initializer_list>
#include <set>

#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

using rapidjson::Value;

bool fail(ApiError* error, std::string message) {
  error->status = 400;
  error->message = std::move(message);
  return false;
}

bool required(ApiError* error, const std::string& path) {
  return fail(error, path + ": Field required");
}

bool not_string(ApiError* error, const std::string& path) {
  return fail(error, path + ": Input should be a valid string");
}

// A string member that must be present.
bool read_string(const Value& object, const char* name, const std::string& path,
                 std::string_view* out, ApiError* error) {
  const Value* value = member(object, name);
  if (value == nullptr) return required(error, path);
  if (!value->IsString()) return not_string(error, path);
  *out = view(*value);
  return true;
}

// A number within [low, high] when present.
bool check_range(const Value& doc, const char* name, double low, double high, ApiError* error) {
  const Value* value = member(doc, name);
  if (value == nullptr || value->IsNull()) return true;
  if (!value->IsNumber())
    return fail(error, std::string(name) + ": Input should be a valid number");
  const double number = value->GetDouble();
  if (number < low) {
    return fail(error, std::string(name) + ": Input should be greater than or equal to " +
                           std::to_string(static_cast<int>(low)));
  }
  if (number > high) {
    return fail(error, std::string(name) + ": Input should be less than or equal to " +
                           std::to_string(static_cast<int>(high)));
  }
  return true;
}

// Refuses members outside `known`, as Anthropic's validation does ("<path>: Extra inputs are not
// permitted"): it catches parameters another API has and this one does not.
bool no_extra_inputs(const Value& object, const std::string& prefix,
                     std::initializer_list<std::string_view> known, ApiError* error) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    const std::string_view name = view(it->name);
    bool found = false;
    for (const std::string_view candidate : known) found = found || candidate == name;
    if (!found) return fail(error, prefix + std::string(name) + ": Extra inputs are not permitted");
  }
  return true;
}

bool check_image_source(const Value& block, const std::string& path, ApiError* error) {
  const Value* source = member(block, "source");
  if (source == nullptr) return required(error, path + ".source");
  if (!source->IsObject()) return fail(error, path + ".source: Input should be a valid dictionary");
  std::string_view type;
  if (!read_string(*source, "type", path + ".source.type", &type, error)) return false;
  if (type == "base64") {
    std::string_view media_type;
    std::string_view data;
    if (!read_string(*source, "media_type", path + ".source.media_type", &media_type, error) ||
        !read_string(*source, "data", path + ".source.data", &data, error)) {
      return false;
    }
    if (media_type != "image/jpeg" && media_type != "image/png" && media_type != "image/gif" &&
        media_type != "image/webp") {
      return fail(error, path +
                             ".source.media_type: Input should be 'image/jpeg', 'image/png', "
                             "'image/gif' or 'image/webp'");
    }
    return true;
  }
  if (type == "url") {
    std::string_view url;
    return read_string(*source, "url", path + ".source.url", &url, error);
  }
  if (type == "file") {
    std::string_view file_id;
    return read_string(*source, "file_id", path + ".source.file_id", &file_id, error);
  }
  return fail(error, path + ".source: Input tag '" + std::string(type) +
                         "' found using 'type' does not match any of the expected tags: "
                         "'base64', 'url', 'file'");
}

// What one message's content holds, for the pairing checks and the echo.
struct MessageFacts {
  std::string text;
  std::string tool_text;  // the text of its tool_result blocks
  std::vector<std::string> tool_use_ids;
  std::vector<std::string> tool_result_ids;
};

bool read_block(const Value& block, const std::string& path, bool user, MessageFacts* facts,
                ApiError* error) {
  if (!block.IsObject()) return fail(error, path + ": Input should be a valid dictionary");
  std::string_view type;
  if (!read_string(block, "type", path + ".type", &type, error)) return false;
  if (type == "text") {
    std::string_view text;
    if (!read_string(block, "text", path + ".text", &text, error)) return false;
    if (text.empty()) return fail(error, "messages: text content blocks must be non-empty");
    facts->text.append(text);
    return true;
  }
  if (type == "image") return check_image_source(block, path, error);
  if (type == "document") {
    if (member(block, "source") == nullptr) return required(error, path + ".source");
    return true;
  }
  if (type == "tool_use" || type == "server_tool_use") {
    if (user && type == "tool_use") {
      return fail(error, path + ": tool_use blocks can only be in assistant messages");
    }
    std::string_view id;
    std::string_view name;
    if (!read_string(block, "id", path + ".id", &id, error) ||
        !read_string(block, "name", path + ".name", &name, error)) {
      return false;
    }
    const Value* input = member(block, "input");
    if (input == nullptr) return required(error, path + ".input");
    if (!input->IsObject()) return fail(error, path + ".input: Input should be a valid dictionary");
    if (type == "tool_use") facts->tool_use_ids.emplace_back(id);
    return true;
  }
  if (type == "tool_result") {
    if (!user) return fail(error, path + ": tool_result blocks can only be in user messages");
    std::string_view id;
    if (!read_string(block, "tool_use_id", path + ".tool_use_id", &id, error)) return false;
    facts->tool_result_ids.emplace_back(id);
    const Value* content = member(block, "content");
    if (content == nullptr) return true;
    if (content->IsString()) {
      facts->tool_text.append(view(*content));
      return true;
    }
    if (!content->IsArray()) return fail(error, path + ".content: Input should be a valid list");
    for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
      const std::string inner = path + ".content." + std::to_string(i);
      const Value& part = (*content)[i];
      std::string_view part_type;
      if (!part.IsObject()) return fail(error, inner + ": Input should be a valid dictionary");
      if (!read_string(part, "type", inner + ".type", &part_type, error)) return false;
      if (part_type == "text") {
        std::string_view text;
        if (!read_string(part, "text", inner + ".text", &text, error)) return false;
        facts->tool_text.append(text);
      } else if (part_type == "image") {
        if (!check_image_source(part, inner, error)) return false;
      } else if (part_type != "document" && part_type != "search_result") {
        return fail(error, inner + ": Input tag '" + std::string(part_type) +
                               "' found using 'type' does not match any of the expected tags: "
                               "'text', 'image', 'document', 'search_result'");
      }
    }
    return true;
  }
  if (type == "thinking" || type == "redacted_thinking" || type == "web_search_tool_result" ||
      type == "search_result") {
    return true;  // accepted, nothing to echo
  }
  return fail(error, path + ": Input tag '" + std::string(type) +
                         "' found using 'type' does not match any of the expected tags: 'text', "
                         "'image', 'document', 'tool_use', 'tool_result', 'thinking', "
                         "'redacted_thinking'");
}

// `last`: the final message, the only one that may be empty (an assistant prefill).
bool read_message(const Value& message, size_t index, bool last, MessageFacts* facts, bool* user,
                  ApiError* error) {
  const std::string path = "messages." + std::to_string(index);
  if (!message.IsObject()) return fail(error, path + ": Input should be a valid dictionary");
  std::string_view role;
  if (!read_string(message, "role", path + ".role", &role, error)) return false;
  if (role != "user" && role != "assistant") {
    return fail(error, path + ".role: Input should be 'user' or 'assistant'");
  }
  *user = role == "user";
  if (!no_extra_inputs(message, path + ".", {"role", "content"}, error)) return false;
  const Value* content = member(message, "content");
  if (content == nullptr) return required(error, path + ".content");
  const bool empty = (content->IsString() && content->GetStringLength() == 0) ||
                     (content->IsArray() && content->Empty());
  if (empty && !(last && !*user)) {
    return fail(error, path +
                           ": all messages must have non-empty content except for the optional "
                           "final assistant message");
  }
  if (content->IsString()) {
    facts->text.assign(view(*content));
    return true;
  }
  if (!content->IsArray()) return fail(error, path + ".content: Input should be a valid list");
  for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
    if (!read_block((*content)[i], path + ".content." + std::to_string(i), *user, facts, error)) {
      return false;
    }
  }
  return true;
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ", ";
    out += id;
  }
  return out;
}

// Every tool_use must be answered by a tool_result in the very next message, and every
// tool_result must answer a tool_use of the message before it.
bool check_pairing(const std::vector<MessageFacts>& facts, ApiError* error) {
  for (size_t i = 0; i < facts.size(); ++i) {
    if (i > 0) {
      const std::set<std::string> offered(facts[i - 1].tool_use_ids.begin(),
                                          facts[i - 1].tool_use_ids.end());
      std::vector<std::string> unexpected;
      for (const std::string& id : facts[i].tool_result_ids) {
        if (offered.count(id) == 0) unexpected.push_back(id);
      }
      if (!unexpected.empty()) {
        return fail(error, "messages." + std::to_string(i) +
                               ".content: unexpected `tool_use_id` found in `tool_result` "
                               "blocks: " +
                               joined(unexpected) +
                               ". Each `tool_result` block must have a corresponding `tool_use` "
                               "block in the previous message.");
      }
    } else if (!facts[i].tool_result_ids.empty()) {
      return fail(error,
                  "messages.0.content: unexpected `tool_use_id` found in `tool_result` blocks: " +
                      joined(facts[i].tool_result_ids) +
                      ". Each `tool_result` block must have a corresponding `tool_use` block in "
                      "the previous message.");
    }
    if (facts[i].tool_use_ids.empty() || i + 1 == facts.size()) continue;
    const std::set<std::string> answered(facts[i + 1].tool_result_ids.begin(),
                                         facts[i + 1].tool_result_ids.end());
    std::vector<std::string> missing;
    for (const std::string& id : facts[i].tool_use_ids) {
      if (answered.count(id) == 0) missing.push_back(id);
    }
    if (!missing.empty()) {
      return fail(error, "messages." + std::to_string(i) +
                             ": `tool_use` ids were found without `tool_result` blocks "
                             "immediately after: " +
                             joined(missing) +
                             ". Each `tool_use` block must have a corresponding `tool_result` "
                             "block in the next message.");
    }
  }
  return true;
}

bool read_system(const Value& system, size_t* words, ApiError* error) {
  if (system.IsString()) {
    *words += count_words(view(system));
    return true;
  }
  if (!system.IsArray()) return fail(error, "system: Input should be a valid string");
  for (rapidjson::SizeType i = 0; i < system.Size(); ++i) {
    const std::string path = "system." + std::to_string(i);
    const Value& block = system[i];
    if (!block.IsObject()) return fail(error, path + ": Input should be a valid dictionary");
    std::string_view type;
    if (!read_string(block, "type", path + ".type", &type, error)) return false;
    if (type != "text") return fail(error, path + ".type: Input should be 'text'");
    std::string_view text;
    if (!read_string(block, "text", path + ".text", &text, error)) return false;
    if (text.empty()) return fail(error, "system: text content blocks must be non-empty");
    *words += count_words(text);
  }
  return true;
}

bool valid_tool_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// tools and tool_choice; sets out->tool_name to the tool a tool_call directive would call.
bool read_tools(const Value& doc, AnthropicRequest* out, ApiError* error) {
  std::vector<std::string> names;
  if (const Value* tools = member(doc, "tools"); tools != nullptr && !tools->IsNull()) {
    if (!tools->IsArray()) return fail(error, "tools: Input should be a valid list");
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      const std::string path = "tools." + std::to_string(i);
      const Value& tool = (*tools)[i];
      if (!tool.IsObject()) return fail(error, path + ": Input should be a valid dictionary");
      std::string_view name;
      if (!read_string(tool, "name", path + ".name", &name, error)) return false;
      const Value* type = member(tool, "type");
      const bool custom =
          type == nullptr || type->IsNull() || (type->IsString() && view(*type) == "custom");
      if (!custom) continue;  // server tools (web_search_…, bash_…) carry no schema
      if (!valid_tool_name(name)) {
        return fail(error, path + ".name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
      }
      const Value* schema = member(tool, "input_schema");
      if (schema == nullptr) return required(error, path + ".input_schema");
      if (!schema->IsObject()) {
        return fail(error, path + ".input_schema: Input should be a valid dictionary");
      }
      names.emplace_back(name);
    }
  }
  if (!names.empty()) out->tool_name = names.front();
  const Value* choice = member(doc, "tool_choice");
  if (choice == nullptr || choice->IsNull()) return true;
  if (!choice->IsObject()) return fail(error, "tool_choice: Input should be a valid dictionary");
  std::string_view type;
  if (!read_string(*choice, "type", "tool_choice.type", &type, error)) return false;
  if (type == "none") {
    out->tool_name.clear();
  } else if (type == "tool") {
    std::string_view name;
    if (!read_string(*choice, "name", "tool_choice.name", &name, error)) return false;
    bool offered = false;
    for (const std::string& known : names) offered = offered || known == name;
    if (!offered) {
      return fail(error,
                  "tool_choice.name: Tool '" + std::string(name) + "' not found in provided tools");
    }
    out->tool_name = std::string(name);
  } else if (type != "auto" && type != "any") {
    return fail(error, "tool_choice: Input tag '" + std::string(type) +
                           "' found using 'type' does not match any of the expected tags: "
                           "'auto', 'any', 'tool', 'none'");
  } else if (names.empty() && member(doc, "tools") == nullptr) {
    return fail(error, "tool_choice: tool_choice may only be specified while providing tools.");
  }
  return true;
}

}  // namespace

bool parse_anthropic_request(std::string_view body, AnthropicRequest* out, ApiError* error) {
  rapidjson::Document doc;
  if (!parse_json(body, &doc) || !doc.IsObject()) {
    return fail(error, "The request body is not valid JSON.");
  }
  if (!no_extra_inputs(
          doc, "",
          {"model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream",
           "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "service_tier",
           "container", "mcp_servers", "context_management"},
          error)) {
    return false;
  }
  std::string_view model;
  if (!read_string(doc, "model", "model", &model, error)) return false;
  out->model.assign(model);
  const Value* max_tokens = member(doc, "max_tokens");
  if (max_tokens == nullptr) return required(error, "max_tokens");
  if (!max_tokens->IsInt64()) return fail(error, "max_tokens: Input should be a valid integer");
  if (max_tokens->GetInt64() < 1) {
    return fail(error, "max_tokens: Input should be greater than or equal to 1");
  }
  out->max_tokens = max_tokens->GetInt64();
  if (const Value* stream = member(doc, "stream"); stream != nullptr && !stream->IsNull()) {
    if (!stream->IsBool()) return fail(error, "stream: Input should be a valid boolean");
    out->stream = stream->GetBool();
  }
  if (!check_range(doc, "temperature", 0, 1, error) || !check_range(doc, "top_p", 0, 1, error)) {
    return false;
  }
  if (const Value* top_k = member(doc, "top_k"); top_k != nullptr && !top_k->IsNull()) {
    if (!top_k->IsInt64()) return fail(error, "top_k: Input should be a valid integer");
  }
  if (const Value* stops = member(doc, "stop_sequences"); stops != nullptr && !stops->IsNull()) {
    if (!stops->IsArray()) return fail(error, "stop_sequences: Input should be a valid list");
    for (rapidjson::SizeType i = 0; i < stops->Size(); ++i) {
      if (!(*stops)[i].IsString()) return not_string(error, "stop_sequences." + std::to_string(i));
      out->stop_sequences.emplace_back(view((*stops)[i]));
    }
  }

  const Value* messages = member(doc, "messages");
  if (messages == nullptr) return required(error, "messages");
  if (!messages->IsArray()) return fail(error, "messages: Input should be a valid list");
  if (messages->Empty()) return fail(error, "messages: at least one message is required");
  std::vector<MessageFacts> facts(messages->Size());
  int last_user = -1;
  for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
    bool user = false;
    if (!read_message((*messages)[i], i, i + 1 == messages->Size(), &facts[i], &user, error)) {
      return false;
    }
    if (user) last_user = static_cast<int>(i);
  }
  if (!check_pairing(facts, error)) return false;
  for (size_t i = 0; i < facts.size(); ++i) {
    // A user turn that only returns tool results is echoed through their text.
    std::string& echoed = facts[i].text.empty() ? facts[i].tool_text : facts[i].text;
    if (static_cast<int>(i) == last_user) {
      out->last_user_text = std::move(echoed);
      if (&echoed == &facts[i].text) out->other_words += count_words(facts[i].tool_text);
    } else {
      out->other_words += count_words(facts[i].text) + count_words(facts[i].tool_text);
    }
  }
  if (const Value* system = member(doc, "system"); system != nullptr && !system->IsNull()) {
    if (!read_system(*system, &out->other_words, error)) return false;
  }
  return read_tools(doc, out, error);
}

bool check_anthropic_headers(const sluice::http::Headers& headers, std::string_view expected_key,
                             ApiError* error) {
  const std::string* key = sluice::http::find_header(headers, "x-api-key");
  if (key == nullptr || key->empty()) {
    error->status = 401;
    error->message = "x-api-key header is required";
    return false;
  }
  if (!expected_key.empty() && *key != expected_key) {
    error->status = 401;
    error->message = "invalid x-api-key";
    return false;
  }
  const std::string* version = sluice::http::find_header(headers, "anthropic-version");
  if (version == nullptr || version->empty()) {
    return fail(error, "anthropic-version: header is required");
  }
  return true;
}

}  // namespace fake_llm
