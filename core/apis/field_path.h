#pragma once
// Where a field sits in a client's request, for the 400 that names it
// ("messages.3.content.0.text: ..."). A path is a small value (a few views and indexes, no
// heap), extended as a decoder walks down and turned into text only when an error needs it:
// walking a valid request builds no strings. The views must outlive the path (they are string
// literals or the parsed request's own strings).

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::apis {

class FieldPath {
 public:
  // A path of one name; a root name ("messages") converts implicitly.
  FieldPath(std::string_view name) { push({name, 0}); }  // NOLINT(google-explicit-constructor)
  FieldPath(const char* name)
      : FieldPath(std::string_view(name)) {}  // NOLINT(google-explicit-constructor)

  // This path followed by `.name` (which may itself hold dots: "image.source.bytes").
  FieldPath operator/(std::string_view name) const {
    FieldPath child = *this;
    child.push({name, 0});
    return child;
  }
  // This path followed by `.index`.
  FieldPath operator[](size_t index) const {
    FieldPath child = *this;
    child.push({{}, index});
    return child;
  }

  // "messages.3.content".
  std::string text() const;

 private:
  // The decoders go at most seven levels down; a deeper step would be left out of the text.
  static constexpr size_t kMaxSegments = 8;
  struct Segment {
    std::string_view name;  // empty for an index
    size_t index;
  };
  void push(Segment segment) {
    if (count_ < kMaxSegments) segments_[count_++] = segment;
  }

  std::array<Segment, kMaxSegments> segments_{};
  size_t count_ = 0;
};

}  // namespace sluice::apis
