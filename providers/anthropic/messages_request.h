#pragma once
// The Messages API request between reading and writing: the client's OpenAI request read into
// Anthropic's terms (system text apart, turns alternating, tool-call arguments parsed) by
// request.cc, written as the Messages API body by request_writer.cc. Its views and pointers
// refer to the client's parsed body, which must outlive it.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "providers/anthropic/json.h"

namespace sluice::providers::anthropic {

struct Block {
  enum class Kind { text, image_base64, image_url, document_base64, tool_use, tool_result };
  Kind kind = Kind::text;
  std::string_view text;  // text, base64 data, URL, tool_use id, tool_use_id
  std::string_view name;  // image_base64, document_base64: media type; tool_use: tool name
  const JsonValue* value = nullptr;          // tool_use: the input; tool_result: string content
  const JsonValue* cache_control = nullptr;  // copied as the client gave it
  std::vector<Block> parts;                  // tool_result: content given as text parts
};

struct Turn {
  bool user = true;
  std::vector<Block> blocks;
};

struct MessagesRequest {
  std::vector<Block> system;
  std::vector<Turn> turns;
  // Parsed tool-call arguments the blocks point to (their values in the client's document's pool).
  std::deque<rapidjson::Document> arguments;
  uint64_t max_tokens = 0;  // the client's, or the deployment's default
  const JsonValue* temperature = nullptr;
  const JsonValue* top_p = nullptr;
  const JsonValue* top_k = nullptr;
  const JsonValue* stop = nullptr;   // a string or an array of strings
  const JsonValue* tools = nullptr;  // OpenAI's tools array, checked
  std::string_view tool_choice;      // Anthropic's type: auto, any, none or tool; empty: none given
  std::string_view tool_choice_name;
  bool disable_parallel_tool_use = false;
  bool stream = false;
  std::string_view user;
};

// The Messages API body for `request`, sent to `model`, written with `capacity` bytes reserved.
void write_messages_request(const MessagesRequest& request, std::string_view model, size_t capacity,
                            std::string* body);

}  // namespace sluice::providers::anthropic
