#pragma once
// Every one-byte change of a text, for tests that hold a reader to a reference on many near-valid
// inputs: each byte deleted, and at each position each of `bytes` put in its place and inserted
// before it. A replacement that changes nothing is skipped.

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

}  // namespace sluice::test
