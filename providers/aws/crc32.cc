// Table-driven CRC-32, one byte per step; the table is built at compile time.

#include "providers/aws/crc32.h"

#include <array>

namespace sluice::aws {
namespace {

constexpr uint32_t kReflectedPolynomial = 0xEDB88320u;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t value = byte;
    for (int bit = 0; bit < 8; ++bit) {
      value = (value & 1u) != 0 ? (value >> 1) ^ kReflectedPolynomial : value >> 1;
    }
    table[byte] = value;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

}  // namespace

uint32_t crc32(std::string_view bytes, uint32_t crc) {
  // The running value is kept inverted between calls, which is what makes the CRC resumable.
  uint32_t value = ~crc;
  for (const char c : bytes) {
    value = kTable[(value ^ static_cast<uint8_t>(c)) & 0xFFu] ^ (value >> 8);
  }
  return ~value;
}

}  // namespace sluice::aws
