#pragma once
// The JSON writer every translator writes with: rapidjson's Writer into a StringBuffer, with
// strings and raw values copied in runs instead of byte by byte. rapidjson's own string writer
// reserves six output bytes per input byte and steps through short strings (every key) one byte
// at a time; this one escapes exactly the same bytes (control characters, '"' and '\') the same
// way, so the text is byte for byte what rapidjson writes. One thread at a time, like the writer.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstring>
#include <string_view>

namespace sluice::providers::support {

class JsonWriter : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Writer::Writer;

  // These hide the base class's versions of the same calls; rapidjson's Accept and Reader call
  // them through the handler's own type, so copied values take this path too.
  bool String(const char* text, rapidjson::SizeType length, bool copy = false) {
    (void)copy;
    Prefix(rapidjson::kStringType);
    write_quoted(text, length);
    return EndValue(true);
  }
  bool String(const char* text) {
    return String(text, static_cast<rapidjson::SizeType>(std::strlen(text)));
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy = false) {
    return String(text, length, copy);
  }
  bool Key(const char* text) { return String(text); }
  // Writes `members`, the text of `count` members of the object being written ("k":v,... with
  // neither braces nor a leading comma), as it is.
  bool RawMembers(std::string_view members, size_t count) {
    Level* level = level_stack_.Top<Level>();
    if (level->valueCount > 0) os_->Put(',');
    std::memcpy(os_->Push(members.size()), members.data(), members.size());
    level->valueCount += 2 * count;
    return true;
  }
  // `json` must be one well-formed JSON value of type `type`.
  bool RawValue(const char* json, size_t length, rapidjson::Type type) {
    Prefix(type);
    if (length > 0) std::memcpy(os_->Push(length), json, length);
    return EndValue(true);
  }

 private:
  // `text` as a JSON string, quotes included.
  void write_quoted(const char* text, size_t length);
};

}  // namespace sluice::providers::support
