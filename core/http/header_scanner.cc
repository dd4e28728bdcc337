// HeaderScanner: see header_scanner.h.

#include "core/http/header_scanner.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace sluice::http {

namespace {
// Bytes that change no scanner state inside a line: visible ASCII, and in a field line (not the
// request line, where spaces are counted) also the space. Tabs and the space at the start of a
// line take the slow path.
constexpr std::array<bool, 256> plain_table(unsigned char lowest) {
  std::array<bool, 256> table{};
  for (int c = lowest; c <= 0x7E; ++c) table[c] = true;
  return table;
}
constexpr std::array<bool, 256> kPlainInRequestLine = plain_table(0x21);
constexpr std::array<bool, 256> kPlainInFieldLine = plain_table(0x20);

// Whether all 8 bytes of `word` are in lowest..0x7E (lowest is 0x20 or 0x21). May answer false
// for a plain word (a borrow or carry spills into the next byte), never true for one that is not.
bool plain_word(uint64_t word, uint64_t lowest) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const uint64_t below_lowest = (word - kOnes * lowest) & ~word & kHighs;
  const uint64_t at_least_del = ((word + kOnes) | word) & kHighs;  // 0x7F and above
  return (below_lowest | at_least_del) == 0;
}

// The end of the run of plain bytes that starts at i.
size_t plain_run_end(std::string_view bytes, size_t i, const std::array<bool, 256>& plain,
                     uint64_t lowest) {
  for (uint64_t word; i + 8 <= bytes.size(); i += 8) {
    std::memcpy(&word, bytes.data() + i, 8);
    if (!plain_word(word, lowest)) break;
  }
  while (i < bytes.size() && plain[static_cast<unsigned char>(bytes[i])]) ++i;
  return i;
}
}  // namespace

const char* HeaderScanner::scan(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto& plain = in_request_line ? kPlainInRequestLine : kPlainInFieldLine;
    if (!prev_cr && !line_start && plain[static_cast<unsigned char>(bytes[i])]) {
      // Fast path: skip the run of plain bytes in the middle of a line, 8 at a time.
      size_t end = plain_run_end(bytes, i + 1, plain, in_request_line ? 0x21 : 0x20);
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
