// HeaderScanner: see header_scanner.h.

#include "core/http/header_scanner.h"

#include <array>

namespace sluice::http {

namespace {
// Visible ASCII other than space: inside a line, such bytes change no scanner state.
constexpr std::array<bool, 256> kPlainBytes = [] {
  std::array<bool, 256> table{};
  for (int c = 0x21; c <= 0x7E; ++c) table[c] = true;
  return table;
}();
}  // namespace

const char* HeaderScanner::scan(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (!prev_cr && !line_start && kPlainBytes[static_cast<unsigned char>(bytes[i])]) {
      // Fast path: skip the run of plain bytes in the middle of a line.
      size_t end = i + 1;
      while (end < bytes.size() && kPlainBytes[static_cast<unsigned char>(bytes[end])]) ++end;
      if (in_request_line) request_line_seen = true;
      i = end - 1;
      continue;
    }
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (prev_cr) {
      if (c != '\n') return "bare CR in header section";
      prev_cr = false;
      if (in_request_line && request_line_seen) {
        in_request_line = false;
        if (request_line_spaces != 2) return "malformed request line";
      }
      line_start = true;
      continue;
    }
    if (c == '\r') {
      prev_cr = true;
      continue;
    }
    if (c == '\n') return "bare LF in header section";
    if ((c < 0x20 && c != '\t') || c == 0x7F) return "control character in header section";
    if (in_request_line) {
      request_line_seen = true;
      if (c == '\t') return "malformed request line";
      if (c == ' ') ++request_line_spaces;
    } else if (line_start && (c == ' ' || c == '\t')) {
      return "obsolete line folding in header section";
    }
    line_start = false;
  }
  return nullptr;
}

}  // namespace sluice::http
