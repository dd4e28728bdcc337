#pragma once
// Golden-file helpers for the Anthropic and Azure adapters' tests (read_file and sse_data serve
// test/providers/golden_files.h too): reading the case files, JSON compared after normalising its
// formatting (compact, members in their order), failures rendered as JSON so that expected errors
// are golden files too, and SSE transcripts split into events' data.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "providers/common/adapter.h"

namespace sluice::providers::golden {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The case inputs under <folder>/<kind> ending in `suffix`, sorted.
inline std::vector<std::filesystem::path> case_inputs(const std::filesystem::path& folder,
                                                      std::string_view suffix) {
  std::vector<std::filesystem::path> inputs;
  if (!std::filesystem::is_directory(folder)) return inputs;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().filename().string().ends_with(suffix)) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

// The expected-output file of a case: the input's name with `from` replaced by `to`.
inline std::filesystem::path expected_for(const std::filesystem::path& input, std::string_view from,
                                          std::string_view to) {
  std::string name = input.filename().string();
  name.replace(name.size() - from.size(), from.size(), to);
  return input.parent_path() / name;
}

// `text` as compact JSON, or a marker that cannot equal any JSON when it does not parse.
inline std::string normalised(std::string_view text) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  if (document.HasParseError()) return "<not JSON> " + std::string(text);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

inline std::string failure_json(const Failure& failure) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const auto put = [&writer](const char* name, const std::string& value) {
    writer.Key(name);
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  writer.Key("failure");
  writer.StartObject();
  writer.Key("status");
  writer.Int(failure.status);
  put("message", failure.message);
  put("type", failure.type);
  put("code", failure.code);
  put("param", failure.param);
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The data of each event of an SSE text (data lines joined with '\n'); other fields ignored.
inline std::vector<std::string> sse_data(std::string_view text) {
  std::vector<std::string> events;
  std::string data;
  bool has_data = false;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (has_data) events.push_back(data);
      data.clear();
      has_data = false;
    } else if (line.starts_with("data:")) {
      std::string_view value = std::string_view(line).substr(5);
      if (value.starts_with(' ')) value.remove_prefix(1);
      if (has_data) data += '\n';
      data += value;
      has_data = true;
    }
  }
  if (has_data) events.push_back(data);
  return events;
}

// The chunks a decoder makes of `units`, then of the end, one normalised JSON text each; a
// failure ends the list as failure_json.
inline std::vector<std::string> decode_all(StreamDecoder& decoder,
                                           const std::vector<std::string>& units) {
  std::vector<std::string> chunks;
  Failure failure;
  bool ok = true;
  for (const std::string& unit : units) {
    if (!(ok = decoder.feed(unit, &chunks, &failure))) break;
  }
  if (ok) ok = decoder.finish(&chunks, &failure);
  std::vector<std::string> out;
  for (const std::string& chunk : chunks) out.push_back(normalised(chunk));
  if (!ok) out.push_back(failure_json(failure));
  return out;
}

// The non-empty lines of a JSON-lines file, each normalised.
inline std::vector<std::string> json_lines(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.push_back(normalised(line));
  }
  return out;
}

// An error case: the status on the first line, the body after it.
struct ErrorCase {
  int status = 0;
  std::string body;
};
inline ErrorCase read_error_case(const std::string& text) {
  const size_t newline = text.find('\n');
  ErrorCase error;
  error.status = std::stoi(text.substr(0, newline));
  error.body = newline == std::string::npos ? "" : text.substr(newline + 1);
  return error;
}

}  // namespace sluice::providers::golden
