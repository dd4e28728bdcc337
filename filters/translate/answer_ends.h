#pragma once
// translate: an OpenAI-compatible answer (or one stream event) read at its two ends only. Its
// model is among the members before the first nested value ("id", "object", "created", "model"),
// its usage is the last member, and what lies between ("choices", most of the bytes) is passed on
// unread: reading every byte of the choices cost more than everything else translate does with
// an answer. What the ends cannot settle for certain is left to the host's JSON view, as before:
// no model before the first nested value, a member given twice or written with escapes where
// these reads look, a "usage" that is not the root's last object member, text that is not an
// object at its ends.
//
// What is not checked: the unread middle. An answer that is not JSON there passes on as it came
// (as it did before, when the JSON view refused it), now with its model replaced; a member
// repeated inside the middle (a second "model") is not seen. Pure functions, no host calls.

#include <cstddef>
#include <string>
#include <string_view>

#include "filters/translate/sse.h"

namespace sluice::filters::translate {

enum class AnswerEnds {
  unchanged,       // read; the model needs no change (or there is none to change); *usage set
  rename_model,    // read; *model_at is where the model is, to be replaced; *usage set
  needs_json_view  // not settled here: nothing set, the caller reads the answer the usual way
};

// The model's value in the text: its JSON string, quotes included.
struct TextRange {
  size_t offset = 0;
  size_t length = 0;
};

// The leading members of a stream's last event, kept for the next: the events of one stream open
// with the same bytes ("id", "object", "created", "model", up to the first nested value), and
// the same bytes read the same, so the next event that starts with them is not read there again.
struct AnswerHead {
  std::string bytes;  // the event's first bytes, up to the opening of its first nested value
  size_t middle = 0;  // where that member starts
  TextRange model;    // the model's value, within `bytes`
};

// `text`: one JSON object. `model`: the client's name for it, empty to leave the model as it is.
// The answer is not copied: on rename_model the caller splices the quoted name into *model_at.
// `head`, when given, is the last event's leading members, used when `text` starts with the same
// bytes and replaced by this event's otherwise (when they are 1 KB at most; else left as it is):
// the result is what a call without it gives.
AnswerEnds read_answer_ends(std::string_view text, std::string_view model, Usage* usage,
                            TextRange* model_at, AnswerHead* head = nullptr);

}  // namespace sluice::filters::translate
