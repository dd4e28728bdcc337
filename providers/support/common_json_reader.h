#pragma once
// A quick reader for the JSON the codecs usually get, feeding a rapidjson document exactly as
// rapidjson's own in-place parse would (the same handler calls, strings unescaped in place and
// NUL-terminated, integers as rapidjson types them). It handles objects, arrays, strings with
// the short escapes, integers of up to 18 digits, true, false and null; other numbers go to
// rapidjson's number parser. Anything else -- a \u escape, nesting past the limit, and every
// error -- makes it give up, and the caller parses the text again with rapidjson, which then
// says what is wrong. So it only ever has to be right about valid, common JSON.
//
// Why: rapidjson's in-place parse scans every string byte by byte up to a 16-byte boundary
// before its SIMD loop, and most JSON strings (keys, roles, ids) are shorter than that.

#include <cstddef>

#include <rapidjson/document.h>

namespace sluice::providers::support {

// Reads the one JSON value at the start of `text` (NUL-terminated at text[length], modified in
// place) into `document` through its handler interface, with arrays and objects nested at most
// `max_depth` deep. True with *end set to the offset just past the value; false when it gave
// up, with `document`'s stack and `text` left part-way (the caller starts both afresh).
// With `full_precision`, the numbers it leaves to rapidjson are read as rapidjson's
// kParseFullPrecisionFlag reads them.
bool read_common_json(char* text, size_t length, unsigned max_depth, rapidjson::Document& document,
                      size_t* end, bool full_precision = false);

}  // namespace sluice::providers::support
