#pragma once
// The deterministic "model": how an answer is derived from the prompt, how tokens are counted
// (whitespace-separated words) and how an answer is cut into stream chunks.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fake_llm {

bool is_space(char c);

// Whitespace-separated words in `text`.
size_t count_words(std::string_view text);

// `text` without leading and trailing whitespace.
std::string_view trim(std::string_view text);

// The answer to a prompt: "Echo: <text>" ("Echo:" when the text is empty).
std::string echo_answer(std::string_view user_text);

// The start of `text` up to the end of its `n`th word (all of it when it has fewer words).
std::string_view first_words(std::string_view text, size_t n);

// Cuts `text` into one piece per word, each word with the whitespace before it, so the pieces
// concatenate to `text`. An empty text gives one empty piece.
std::vector<std::string_view> split_words(std::string_view text);

// Cuts `text` into exactly `n` (>= 1) pieces of nearly equal length in code points, never inside
// a UTF-8 sequence; some pieces are empty when the text has fewer than `n` code points.
std::vector<std::string_view> split_even(std::string_view text, size_t n);

// The stream pieces for an answer: split_words() when `chunks` is 0, else split_even(chunks).
std::vector<std::string_view> split_answer(std::string_view text, size_t chunks);

}  // namespace fake_llm
