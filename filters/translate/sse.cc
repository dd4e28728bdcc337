// translate: JSON and SSE rewriting of provider answers (see sse.h).

#include "filters/translate/sse.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

#include "providers/support/json_writer.h"

namespace sluice::filters::translate {
namespace {

std::optional<uint64_t> count_of(std::optional<double> value) {
  if (!value || *value < 0 || *value > 1e15) return std::nullopt;
  return static_cast<uint64_t>(*value);
}

std::optional<double> number_member(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
  return it->value.GetDouble();
}

// The lines of `text`, without their line ends (LF or CRLF).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string_view field_value(std::string_view line, size_t colon) {
  std::string_view value = line.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  return value;
}

}  // namespace

void read_usage_numbers(std::optional<double> prompt, std::optional<double> completion,
                        std::optional<double> total, Usage* usage) {
  if (auto n = count_of(prompt)) usage->prompt_tokens = n;
  if (auto n = count_of(completion)) usage->completion_tokens = n;
  if (auto n = count_of(total)) usage->total_tokens = n;
}

std::optional<std::string> rewrite_json(std::string_view json, std::string_view model,
                                        Usage* usage) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  if (auto it = doc.FindMember("usage"); it != doc.MemberEnd() && it->value.IsObject()) {
    read_usage_numbers(number_member(it->value, "prompt_tokens"),
                       number_member(it->value, "completion_tokens"),
                       number_member(it->value, "total_tokens"), usage);
  }
  auto it = doc.FindMember("model");
  if (model.empty() || it == doc.MemberEnd() || !it->value.IsString()) return std::nullopt;
  if (std::string_view(it->value.GetString(), it->value.GetStringLength()) == model) {
    return std::nullopt;
  }
  it->value.SetString(model.data(), static_cast<rapidjson::SizeType>(model.size()),
                      doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  providers::support::JsonWriter writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool looks_like_sse(std::string_view text) {
  for (std::string_view line : split_lines(text)) {
    if (line.empty() || line.starts_with(':')) continue;
    return line.starts_with("data:") || line.starts_with("event:") || line.starts_with("id:");
  }
  return false;
}

std::optional<std::string> rewrite_sse(std::string_view text, std::string_view model,
                                       Usage* usage) {
  std::string out;
  out.reserve(text.size() + 64);
  bool changed = false;
  std::vector<std::string_view> event;  // the lines of the event being read
  auto flush = [&] {
    if (event.empty()) return;
    std::string data;
    size_t data_lines = 0;
    for (std::string_view line : event) {
      if (line.starts_with("data:")) {
        if (data_lines++) data.push_back('\n');
        data.append(field_value(line, 4));
      }
    }
    std::optional<std::string> rewritten;
    if (data_lines && data != "[DONE]") rewritten = rewrite_json(data, model, usage);
    bool data_written = false;
    for (std::string_view line : event) {
      if (rewritten && line.starts_with("data:")) {
        if (!data_written) out.append("data: ").append(*rewritten).push_back('\n');
        data_written = true;
        continue;
      }
      out.append(line).push_back('\n');
    }
    out.push_back('\n');
    changed = changed || rewritten.has_value();
    event.clear();
  };
  for (std::string_view line : split_lines(text)) {
    if (line.empty()) {
      flush();
    } else {
      event.push_back(line);
    }
  }
  flush();
  if (!changed) return std::nullopt;
  return out;
}

}  // namespace sluice::filters::translate
