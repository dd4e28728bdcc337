#pragma once
// translate: response rewriting outside the host's JSON view: a JSON body the host did not parse,
// and an event-stream body the host did not stream (its content type is not text/event-stream,
// so the hook gets the whole text). A stream the host does stream reaches the hook one event's
// data at a time and is edited through the JSON view instead. Pure functions, no host calls.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::filters::translate {

struct Usage {
  std::optional<uint64_t> prompt_tokens, completion_tokens, total_tokens;
  bool any() const { return prompt_tokens || completion_tokens || total_tokens; }
};

// Reads the token counts of a "usage" object given as JSON text.
void read_usage_numbers(std::optional<double> prompt, std::optional<double> completion,
                        std::optional<double> total, Usage* usage);

// One JSON object: its top-level string "model" set to `model` (when it has one and `model` is
// not empty) and its "usage" object read into *usage. nullopt when the text is not a JSON object
// or nothing changed.
std::optional<std::string> rewrite_json(std::string_view json, std::string_view model,
                                        Usage* usage);

// Whether `text` is an SSE event stream (a line starting with "data:" before any other content).
bool looks_like_sse(std::string_view text);

// Every event of an SSE text: the data of each event rewritten as rewrite_json does ("[DONE]"
// and non-JSON data kept as they are, comments, event: and id: lines kept). nullopt when nothing
// changed.
std::optional<std::string> rewrite_sse(std::string_view text, std::string_view model, Usage* usage);

}  // namespace sluice::filters::translate
