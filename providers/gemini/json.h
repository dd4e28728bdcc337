#pragma once
// The shared JSON helpers (providers/support/json.h) under the names the Gemini translators use.

#include "providers/support/json.h"
#include "providers/support/local_document.h"

namespace sluice::providers::gemini {

using support::bad_upstream;
using support::find;
using support::find_string;
using support::invalid_request;
using support::JsonWriter;
using support::kMaxCopyDepth;
using support::parse_json;
using support::take;
using support::to_json_text;
using support::utf8_sequence_length;
using support::valid_utf8;
using support::view;
using support::write_key;
using support::write_string;
using support::write_value;

}  // namespace sluice::providers::gemini
