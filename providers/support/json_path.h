#pragma once
// Where a value sits in the client's request ("messages[2].content[1]"), for the error that
// names it: a chain of steps on the caller's stack, turned into text only when an error is
// written, so that a request that translates cleanly builds no path text at all. A path refers
// to its parent and to the names given to it, which must outlive it (callers keep the parent on
// their stack and name members with literals). One thread at a time.

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::providers::support {

class JsonPath {
 public:
  // The path of a top-level member of the request, such as "messages".
  explicit JsonPath(std::string_view root) : name_(root) {}

  // This path followed by ".name".
  JsonPath member(std::string_view name) const { return JsonPath(this, name, 0, false); }
  // This path followed by "[index]".
  JsonPath index(size_t index) const { return JsonPath(this, {}, index, true); }

  // The path as text: "messages[2].content".
  std::string text() const;

  // The path's text followed by `suffix` (".role"): the param an error names.
  friend std::string operator+(const JsonPath& path, std::string_view suffix) {
    std::string text = path.text();
    text += suffix;
    return text;
  }

 private:
  JsonPath(const JsonPath* parent, std::string_view name, size_t index, bool is_index)
      : parent_(parent), name_(name), index_(index), is_index_(is_index) {}
  void append_to(std::string* text) const;

  const JsonPath* parent_ = nullptr;
  std::string_view name_;
  size_t index_ = 0;
  bool is_index_ = false;
};

}  // namespace sluice::providers::support
