#pragma once
// Reading controls out of a request: `[[fake key=value …]]` directives embedded in the last user
// message (removed from the text the answer echoes) and `x-fake-<key>: value` request headers.
//
// Directive values are bare words, 'single-' or "double-quoted" text (taken verbatim), or a JSON
// object/array written inline (args={"city": "Paris"}), which may contain spaces.

#include <string>

#include "core/http/message.h"
#include "tools/fake-llm/controls.h"

namespace fake_llm {

// Applies every directive in *text to *controls and removes it from *text. False with *error when
// a directive is malformed (unterminated, not key=value) or sets an invalid control.
bool extract_directives(std::string* text, Controls* controls, std::string* error);

// Applies every x-fake-<key> header to *controls (names are lower-case, as the HTTP layer keeps
// them). False with *error on an unknown key or invalid value.
bool read_control_headers(const sluice::http::Headers& headers, Controls* controls,
                          std::string* error);

}  // namespace fake_llm
