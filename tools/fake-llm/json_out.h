#pragma once
// JsonOut: a minimal streaming JSON writer that appends to a caller's std::string (so buffers can
// be reused across requests). Strings are escaped by sluice::log::append_json_escaped (invalid
// UTF-8 becomes U+FFFD, so truncated request bodies still render as valid JSON). Commas are
// placed automatically; the caller is trusted to nest begin/end calls correctly.

#include <cstdint>
#include <string>
#include <string_view>

namespace fake_llm {

class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}

  JsonOut& begin_object();
  JsonOut& end_object();
  JsonOut& begin_array();
  JsonOut& end_array();
  JsonOut& key(std::string_view name);
  JsonOut& string(std::string_view value);
  JsonOut& integer(int64_t value);
  JsonOut& boolean(bool value);
  JsonOut& null();
  // Shortest text that reads back as the same float.
  JsonOut& number(float value);
  // Inserts `json` verbatim as one value (the caller guarantees it is valid JSON).
  JsonOut& raw(std::string_view json);

  std::string& out() { return out_; }

 private:
  void separate() {
    if (need_comma_) out_.push_back(',');
  }

  std::string& out_;
  bool need_comma_ = false;
};

// Appends `text` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view text);

}  // namespace fake_llm
