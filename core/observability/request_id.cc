// Owns request ids: the well-formedness rule for an incoming x-request-id and the generator of
// new ones (128 random bits as 32 lower-case hex digits; unique, not secret).

#include "core/observability/request_id.h"

#include <algorithm>
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

// The sixteen nibbles of `bits` as lower-case hex digits, eight at a time: each byte of a word
// holds one nibble (0..15), and those from 10 up get the distance from ':' to 'a' on top of '0'.
// The digits come in an order of their own (low nibbles, then high ones), which is as random as
// the bits.
void put_hex(uint64_t bits, char* out) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  const auto digits = [](uint64_t nibbles) {
    const uint64_t from_ten = ((nibbles + kOnes * 6) >> 4) & kOnes;  // 1 where a nibble >= 10
    return nibbles + kOnes * '0' + from_ten * ('a' - '0' - 10);
  };
  const uint64_t low = digits(bits & (kOnes * 0x0F));
  const uint64_t high = digits((bits >> 4) & (kOnes * 0x0F));
  std::memcpy(out, &low, 8);
  std::memcpy(out + 8, &high, 8);
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
  RequestId id;
  put_hex(next_random(), id.bytes_);
  put_hex(next_random(), id.bytes_ + 16);
  id.size_ = 32;
  return id;
}

}  // namespace sluice
