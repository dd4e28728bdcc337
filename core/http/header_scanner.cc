// HeaderScanner: see header_scanner.h.

#include "core/http/header_scanner.h"

#include <array>
#include <bit>
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

// The high bit of each byte of `word` (little-endian) outside lowest..0x7E (lowest is 0x20 or
// 0x21). A borrow or carry can only spill upwards from a byte that is itself outside, so the
// lowest bit set marks the first such byte exactly; bytes above it may be marked wrongly.
uint64_t outside_bytes(uint64_t word, uint64_t lowest) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const uint64_t below_lowest = (word - kOnes * lowest) & ~word & kHighs;
  const uint64_t at_least_del = ((word + kOnes) | word) & kHighs;  // 0x7F and above
  return below_lowest | at_least_del;
}

// The end of the run of plain bytes that starts at i.
size_t plain_run_end(std::string_view bytes, size_t i, const std::array<bool, 256>& plain,
                     uint64_t lowest) {
  static_assert(std::endian::native == std::endian::little);
  for (uint64_t word; i + 8 <= bytes.size(); i += 8) {
    std::memcpy(&word, bytes.data() + i, 8);
    if (const uint64_t outside = outside_bytes(word, lowest)) {
      return i + static_cast<size_t>(std::countr_zero(outside)) / 8;
    }
  }
  while (i < bytes.size() && plain[static_cast<unsigned char>(bytes[i])]) ++i;
  return i;
}
}  // namespace

const char* HeaderScanner::scan(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (!prev_cr && !line_start) {
      // Inside a line: skip its run of plain bytes, 8 at a time.
      const size_t end = in_request_line ? plain_run_end(bytes, i, kPlainInRequestLine, 0x21)
                                         : plain_run_end(bytes, i, kPlainInFieldLine, 0x20);
      if (end != i && in_request_line) request_line_seen = true;
      i = end;
      if (i == bytes.size()) break;
    }
    const auto c = static_cast<unsigned char>(bytes[i++]);
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
