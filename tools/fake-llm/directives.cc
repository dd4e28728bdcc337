// The [[fake …]] directive scanner and the x-fake-* header reader.

#include "tools/fake-llm/directives.h"

#include <string>
#include <string_view>

#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

constexpr std::string_view kOpen = "[[fake";
constexpr std::string_view kClose = "]]";

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// End (one past) of the JSON object or array starting at text[i], or npos when its brackets do
// not balance.
size_t json_value_end(std::string_view text, size_t i) {
  std::string closers;  // the brackets still open, innermost last
  bool in_string = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      closers.push_back('}');
    } else if (c == '[') {
      closers.push_back(']');
    } else if (c == '}' || c == ']') {
      if (closers.empty() || closers.back() != c) return std::string_view::npos;
      closers.pop_back();
      if (closers.empty()) return i + 1;
    }
  }
  return std::string_view::npos;
}

// Parses the directive whose "[[fake" starts at `open`; on success *end is one past its "]]".
bool parse_directive(std::string_view text, size_t open, Controls* controls, size_t* end,
                     std::string* error) {
  size_t i = open + kOpen.size();
  while (true) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (text.substr(i, kClose.size()) == kClose) {
      *end = i + kClose.size();
      return true;
    }
    if (i >= text.size()) {
      *error = "fake-llm: unterminated [[fake ...]] directive";
      return false;
    }
    const size_t key_start = i;
    while (i < text.size() && key_char(text[i])) ++i;
    const std::string_view key = text.substr(key_start, i - key_start);
    if (key.empty() || i >= text.size() || text[i] != '=') {
      *error = "fake-llm: a [[fake ...]] directive holds key=value pairs";
      return false;
    }
    ++i;  // '='
    std::string_view value;
    if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
      const size_t close = text.find(text[i], i + 1);
      if (close == std::string_view::npos) {
        *error = "fake-llm: unterminated quoted value in a [[fake ...]] directive";
        return false;
      }
      value = text.substr(i + 1, close - i - 1);
      i = close + 1;
    } else if (i < text.size() && (text[i] == '{' || text[i] == '[')) {
      const size_t close = json_value_end(text, i);
      if (close == std::string_view::npos) {
        *error = "fake-llm: unbalanced JSON value in a [[fake ...]] directive";
        return false;
      }
      value = text.substr(i, close - i);
      i = close;
    } else {
      const size_t start = i;
      while (i < text.size() && !is_space(text[i]) && text.substr(i, kClose.size()) != kClose) ++i;
      value = text.substr(start, i - start);
    }
    if (!controls->set(key, value, error)) return false;
  }
}

}  // namespace

bool extract_directives(std::string* text, Controls* controls, std::string* error) {
  size_t from = 0;
  while (true) {
    size_t open = text->find(kOpen, from);
    if (open == std::string::npos) return true;
    const size_t after = open + kOpen.size();
    if (after < text->size() && !is_space((*text)[after]) && (*text)[after] != ']') {
      from = open + 1;  // "[[fakeish": not a directive
      continue;
    }
    size_t end = 0;
    if (!parse_directive(*text, open, controls, &end, error)) return false;
    // Take one neighbouring blank with the directive, so "a [[fake …]] b" reads "a b" and a
    // directive at either end leaves no stray blank.
    const bool blank_before = open > 0 && is_space((*text)[open - 1]);
    const bool blank_after = end < text->size() && is_space((*text)[end]);
    if (blank_after && (blank_before || open == 0)) {
      ++end;
    } else if (blank_before && end == text->size()) {
      --open;
    }
    text->erase(open, end - open);
    from = open;
  }
}

bool read_control_headers(const sluice::http::Headers& headers, Controls* controls,
                          std::string* error) {
  constexpr std::string_view kPrefix = "x-fake-";
  for (const sluice::http::Header& header : headers) {
    if (header.name.size() <= kPrefix.size() ||
        header.name.compare(0, kPrefix.size(), kPrefix) != 0) {
      continue;
    }
    if (!controls->set(std::string_view(header.name).substr(kPrefix.size()), header.value, error)) {
      return false;
    }
  }
  return true;
}

}  // namespace fake_llm
