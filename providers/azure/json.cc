// JSON helpers of the Azure OpenAI adapter (see json.h).

#include "providers/azure/json.h"

namespace sluice::providers::azure {
namespace {

// Whether no array or object in `text` nests deeper than `limit`: a linear scan that skips
// strings, so that the iterative parse below never builds a value too deep to write back.
bool nesting_within(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace

bool parse_json(std::string_view text, rapidjson::Document* document) {
  if (!nesting_within(text, kMaxJsonDepth)) return false;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseFullPrecisionFlag;
  document->Parse<kFlags>(text.data(), text.size());
  return !document->HasParseError();
}

const JsonValue* member(const JsonValue& value, const char* name) {
  if (!value.IsObject()) return nullptr;
  auto it = value.FindMember(name);
  return it == value.MemberEnd() ? nullptr : &it->value;
}

std::string_view string_member(const JsonValue& value, const char* name) {
  const JsonValue* found = member(value, name);
  return found && found->IsString() ? view(*found) : std::string_view();
}

uint64_t count_member(const JsonValue& value, const char* name) {
  const JsonValue* found = member(value, name);
  return found && found->IsUint64() ? found->GetUint64() : 0;
}

std::string_view trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string_view bounded(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  // Back up over continuation bytes to the start of the sequence that would be cut.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

void redact(std::string& text, std::string_view secret) {
  if (secret.size() < 4) return;  // too short to tell from ordinary text
  constexpr std::string_view kMark = "[redacted]";
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), kMark);
    at += kMark.size();
  }
}

}  // namespace sluice::providers::azure
