// Owns request ids: the well-formedness rule for an incoming x-request-id and the generator of
// new ones (128 random bits as 32 lower-case hex digits; unique, not secret).

#include "core/observability/request_id.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <random>

namespace sluice {
namespace {

bool is_request_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

// splitmix64 over a per-thread counter with a random start: ids must be unique, not secret, and
// mt19937_64 cost more than the rest of a local reply's bookkeeping.
uint64_t next_random() {
  thread_local uint64_t state = [] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }();
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > RequestId::kMaxLength) return false;
  for (char c : id) {
    if (!is_request_id_char(c)) return false;
  }
  return true;
}

RequestId::RequestId(std::string_view id) {
  size_ = static_cast<uint8_t>(std::min(id.size(), kMaxLength));
  std::memcpy(bytes_, id.data(), size_);
}

RequestId new_request_id() {
  // Two hex digits per table lookup: a request id is made for every request.
  static constexpr std::array<char[2], 256> kHexPairs = [] {
    constexpr char kHex[] = "0123456789abcdef";
    std::array<char[2], 256> table{};
    for (size_t b = 0; b < 256; ++b) {
      table[b][0] = kHex[b >> 4];
      table[b][1] = kHex[b & 0xF];
    }
    return table;
  }();
  const uint64_t halves[2] = {next_random(), next_random()};
  RequestId id;
  for (size_t h = 0; h < 2; ++h) {
    for (size_t i = 0; i < 8; ++i) {
      const char* pair = kHexPairs[(halves[h] >> (56 - 8 * i)) & 0xFF];
      id.bytes_[h * 16 + 2 * i] = pair[0];
      id.bytes_[h * 16 + 2 * i + 1] = pair[1];
    }
  }
  id.size_ = 32;
  return id;
}

}  // namespace sluice
