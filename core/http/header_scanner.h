#pragma once
// The byte-level checks llhttp 8.1 leaves to us in an HTTP/1.1 header section, shared by the
// server's request parser and the native upstream client's response parser: bare CR, bare LF,
// control characters, obsolete line folding, and (for a request) a request line that is not
// exactly three parts. Fed the raw bytes of the section in any slicing; keeps its state between
// calls. A fresh scanner starts at the first line of a message.

#include <string_view>

namespace sluice::http {

struct HeaderScanner {
  bool prev_cr = false;
  bool line_start = true;
  bool in_request_line = true;  // until the first non-empty line ended; false for responses
                                // and trailers
  bool request_line_seen = false;
  int request_line_spaces = 0;

  // Returns nullptr when fine, else what is wrong.
  const char* scan(std::string_view bytes);
};

}  // namespace sluice::http
