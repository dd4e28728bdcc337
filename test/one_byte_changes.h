#pragma once
// Every one-byte change of a text, for tests that hold a reader to a reference on many near-valid
// inputs: each byte deleted, and at each position each of `bytes` put in its place and inserted
// before it. A replacement that changes nothing is skipped. printable() shows a changed text in a
// failure message.

#include <string>
#include <string_view>

namespace sluice::test {

template <typename Fn>
void for_each_one_byte_change(const std::string& text, std::string_view bytes, Fn fn) {
  for (size_t at = 0; at < text.size(); ++at) {
    std::string deleted = text;
    deleted.erase(at, 1);
    fn(deleted);
    for (const char c : bytes) {
      if (text[at] != c) {
        std::string replaced = text;
        replaced[at] = c;
        fn(replaced);
      }
      std::string inserted = text;
      inserted.insert(at, 1, c);
      fn(inserted);
    }
  }
}

// The text with CR, LF and other bytes outside printable ASCII written as escapes.
inline std::string printable(std::string_view text) {
  std::string out;
  for (const char byte : text) {
    const auto c = static_cast<unsigned char>(byte);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7F) {
      out += "\\x";
      out += "0123456789abcdef"[c >> 4];
      out += "0123456789abcdef"[c & 15];
    } else {
      out += byte;
    }
  }
  return out;
}

}  // namespace sluice::test
