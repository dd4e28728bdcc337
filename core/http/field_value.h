#pragma once
// Field values as RFC 9110 section 5 reads them, shared by the request parser and both upstream
// response parsers: optional whitespace (SP, HTAB) around a value is not part of it, and a list
// value is elements separated by commas.

#include <string_view>

namespace sluice::http {

constexpr bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

// The value without the whitespace around it.
constexpr std::string_view trim_ows(std::string_view value) {
  while (!value.empty() && is_ows(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_ows(value.back())) value.remove_suffix(1);
  return value;
}

// Calls fn with each element of a comma-separated value, trimmed; empty elements too (a caller
// that must refuse them can, one that ignores them skips them).
template <typename Fn>
void for_each_list_element(std::string_view value, Fn fn) {
  while (true) {
    const size_t comma = value.find(',');
    fn(trim_ows(value.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace sluice::http
