#pragma once
// CRC-32 as IEEE 802.3 defines it (reflected polynomial 0xEDB88320, initial and final value
// 0xFFFFFFFF): the checksum AWS event-stream messages carry in their prelude and trailer.
// Pure functions; safe from any thread.

#include <cstdint>
#include <string_view>

namespace sluice::aws {

// The CRC of `bytes` continued from `crc`, the CRC of the bytes before them (0 for none), so
// crc32(b, crc32(a)) == crc32(a + b).
uint32_t crc32(std::string_view bytes, uint32_t crc = 0);

}  // namespace sluice::aws
