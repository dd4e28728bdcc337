#pragma once
// JSON strings known when compiling (the keys of Gemini's and OpenAI's objects, fixed values such
// as "assistant"), quoted at compile time and written as they are: the writer's string path
// scans every byte for characters to escape, and for a short key that scan and its setup cost
// more than the copy. Only for texts that need no escape (no '"', '\' or control characters),
// which a literal written in this code can be seen not to hold.

#include <rapidjson/rapidjson.h>

#include <cstddef>

#include "providers/support/json_writer.h"

namespace sluice::providers::gemini {

// A string literal with its quotes, made at compile time.
template <size_t N>
struct QuotedLiteral {
  consteval QuotedLiteral(const char (&text)[N]) {  // NOLINT: implicit, so that <"name"> reads
    quoted[0] = '"';
    for (size_t i = 0; i + 1 < N; ++i) quoted[i + 1] = text[i];
    quoted[N] = '"';
  }
  char quoted[N + 1];  // N - 1 characters and two quotes
};

// Writes the member name `kKey` ("role"); the writer places the comma or colon as for any key.
template <QuotedLiteral kKey>
void write_literal_key(support::JsonWriter& writer) {
  writer.RawValue(kKey.quoted, sizeof kKey.quoted, rapidjson::kStringType);
}

// Writes the string value `kText`.
template <QuotedLiteral kText>
void write_literal_string(support::JsonWriter& writer) {
  writer.RawValue(kText.quoted, sizeof kText.quoted, rapidjson::kStringType);
}

}  // namespace sluice::providers::gemini
