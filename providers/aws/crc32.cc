// Table-driven CRC-32, eight bytes per step ("slicing by 8"): table k gives the CRC of a byte
// followed by k zero bytes, so eight lookups advance the CRC over eight input bytes at once.
// The tables are built at compile time.

#include "providers/aws/crc32.h"

#include <array>
#include <cstddef>

namespace sluice::aws {
namespace {

constexpr uint32_t kReflectedPolynomial = 0xEDB88320u;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables tables{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t value = byte;
    for (int bit = 0; bit < 8; ++bit) {
      value = (value & 1u) != 0 ? (value >> 1) ^ kReflectedPolynomial : value >> 1;
    }
    tables[0][byte] = value;
  }
  for (size_t k = 1; k < tables.size(); ++k) {
    for (uint32_t byte = 0; byte < 256; ++byte) {
      const uint32_t previous = tables[k - 1][byte];
      tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xFFu];
    }
  }
  return tables;
}

constexpr Tables kTables = make_tables();

uint32_t byte_at(std::string_view bytes, size_t i) {
  return static_cast<uint8_t>(bytes[i]);
}

}  // namespace

uint32_t crc32(std::string_view bytes, uint32_t crc) {
  // The running value is kept inverted between calls, which is what makes the CRC resumable.
  uint32_t value = ~crc;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    const uint32_t low = value ^ (byte_at(bytes, i) | byte_at(bytes, i + 1) << 8 |
                                  byte_at(bytes, i + 2) << 16 | byte_at(bytes, i + 3) << 24);
    value = kTables[7][low & 0xFFu] ^ kTables[6][(low >> 8) & 0xFFu] ^
            kTables[5][(low >> 16) & 0xFFu] ^ kTables[4][low >> 24] ^
            kTables[3][byte_at(bytes, i + 4)] ^ kTables[2][byte_at(bytes, i + 5)] ^
            kTables[1][byte_at(bytes, i + 6)] ^ kTables[0][byte_at(bytes, i + 7)];
  }
  for (; i < bytes.size(); ++i) {
    value = kTables[0][(value ^ byte_at(bytes, i)) & 0xFFu] ^ (value >> 8);
  }
  return ~value;
}

}  // namespace sluice::aws
