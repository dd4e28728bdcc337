// JsonOut: comma placement, scalar formatting, string escaping via the project's escaper.

#include "tools/fake-llm/json_out.h"

#include <charconv>
#include <cmath>

#include "core/observability/log.h"

namespace fake_llm {

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  sluice::log::append_json_escaped(out, text);
  out.push_back('"');
}

JsonOut& JsonOut::begin_object() {
  separate();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}

JsonOut& JsonOut::end_object() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}

JsonOut& JsonOut::begin_array() {
  separate();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}

JsonOut& JsonOut::end_array() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}

JsonOut& JsonOut::key(std::string_view name) {
  separate();
  append_json_string(out_, name);
  out_.push_back(':');
  need_comma_ = false;
  return *this;
}

JsonOut& JsonOut::string(std::string_view value) {
  separate();
  append_json_string(out_, value);
  need_comma_ = true;
  return *this;
}

JsonOut& JsonOut::integer(int64_t value) {
  separate();
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_.append(buffer, result.ptr);
  need_comma_ = true;
  return *this;
}

JsonOut& JsonOut::boolean(bool value) {
  separate();
  out_ += value ? "true" : "false";
  need_comma_ = true;
  return *this;
}

JsonOut& JsonOut::null() {
  separate();
  out_ += "null";
  need_comma_ = true;
  return *this;
}

JsonOut& JsonOut::number(float value) {
  separate();
  if (!std::isfinite(value)) value = 0.0f;  // JSON has no NaN or infinity
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_.append(buffer, result.ptr);
  need_comma_ = true;
  return *this;
}

JsonOut& JsonOut::raw(std::string_view json) {
  separate();
  out_ += json;
  need_comma_ = true;
  return *this;
}

}  // namespace fake_llm
