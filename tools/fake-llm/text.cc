// Word counting, the echo answer, and the splitting of answers into stream chunks.

#include "tools/fake-llm/text.h"

namespace fake_llm {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

size_t count_words(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    if (is_space(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

std::string_view first_words(std::string_view text, size_t n) {
  size_t words = 0;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (is_space(text[i])) {
      if (in_word && words == n) return text.substr(0, i);
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words <= n ? text : text.substr(0, 0);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string echo_answer(std::string_view user_text) {
  const std::string_view text = trim(user_text);
  std::string answer;
  answer.reserve(6 + text.size());
  answer += "Echo:";
  if (!text.empty()) {
    answer += ' ';
    answer += text;
  }
  return answer;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;  // whitespace belongs to the next word
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i < text.size() || start < text.size()) pieces.push_back(text.substr(start, i - start));
    start = i;
  }
  if (pieces.empty()) pieces.push_back(text);
  return pieces;
}

std::vector<std::string_view> split_even(std::string_view text, size_t n) {
  if (n == 0) n = 1;
  // Byte offset of every code point start, plus the end.
  std::vector<size_t> starts;
  starts.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(text.size());
  const size_t points = starts.size() - 1;
  std::vector<std::string_view> pieces;
  pieces.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    const size_t from = starts[k * points / n];
    const size_t to = starts[(k + 1) * points / n];
    pieces.push_back(text.substr(from, to - from));
  }
  return pieces;
}

std::vector<std::string_view> split_answer(std::string_view text, size_t chunks) {
  return chunks == 0 ? split_words(text) : split_even(text, chunks);
}

}  // namespace fake_llm
