#pragma once
// JSON helpers shared by the Bedrock adapter's files: bounded parsing (a nesting limit checked
// before parsing, so neither the parser nor writing a parsed tree back out can exhaust the
// stack), member access, and the OpenAI error type for a status.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "providers/common/adapter.h"

namespace sluice::bedrock {

using rapidjson::Value;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Deeper documents are refused: tool schemas and arguments never need more.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` into *doc. False when it is not JSON or nests deeper than kMaxJsonDepth.
bool parse_json(std::string_view text, rapidjson::Document* doc);

const Value* member(const Value& object, std::string_view name);
std::string_view view(const Value& string);
void write_string(JsonWriter& writer, std::string_view text);
void write_key(JsonWriter& writer, std::string_view key);
// A parsed value as compact JSON text.
std::string to_json(const Value& value);

// The OpenAI error "type" for an HTTP status.
std::string_view error_type(int status);
providers::Failure make_failure(int status, std::string message, std::string code = {},
                                std::string param = {});

}  // namespace sluice::bedrock
