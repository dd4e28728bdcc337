#pragma once
// OpenAI-shaped stream events (chat.completion.chunk) passed on as their own text with only the
// top-level "model" replaced, instead of parsed into a document and written again: one pass of
// rapidjson's event parser checks the whole event and notes what a caller may need to treat
// differently, and the text is copied around the model's value. An event the pass cannot pass on
// as text (split over lines, a model that is not a string, a duplicated member that matters) is
// left to the caller's document path, which writes it as before; one nested past
// kMaxChunkDepth is refused, as those adapters' document paths refuse it. Used by the Azure and
// Mistral stream decoders. One object per stream, on one thread.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::providers::support {

// The deepest nesting an event may have: that of the OpenAI-shaped adapters' own parses.
inline constexpr size_t kMaxChunkDepth = 128;

// What the pass found in an event that is a JSON object.
struct ChunkFacts {
  bool error_object = false;     // the top-level "error" is an object (an error in band)
  bool object_is_error = false;  // the top-level "object" is "error" (Mistral's in-band error)
  bool finished = false;         // a choice has a string finish_reason
  bool unusual_finish = false;   // a finish_reason that is not one of OpenAI's
  bool content_list = false;     // a choice's delta has a content list, not a string
};

class ChunkModelRewriter {
 public:
  enum class Result {
    rewritten,      // *chunk holds the event's text with the model replaced
    not_an_object,  // not a JSON object, not UTF-8, a NUL byte, nested past kMaxJsonDepth
    needs_document  // valid, or maybe not: the caller parses it and writes it itself
  };

  explicit ChunkModelRewriter(std::string_view model);
  ChunkModelRewriter(const ChunkModelRewriter&) = delete;
  ChunkModelRewriter& operator=(const ChunkModelRewriter&) = delete;

  // Checks `event` (one event's data, trimmed) and, when it is a JSON object it can pass on,
  // writes it to *chunk with every top-level "model" set to the model given at construction
  // (added at the end when missing). *facts is set whenever the event parsed.
  Result rewrite(std::string_view event, std::string* chunk, ChunkFacts* facts) const;

  // What a stream decoder does with an event: rewrite() it and, when it was rewritten and
  // `passes` accepts its facts, append the chunk to *chunks and set *finished once a choice has
  // finished. Answers what rewrite() did, but needs_document for an event `passes` refused.
  Result pass(std::string_view event, bool (*passes)(const ChunkFacts&),
              std::vector<std::string>* chunks, bool* finished) const;

 private:
  std::string quoted_model_;  // the model as a JSON string, quotes included
};

}  // namespace sluice::providers::support
