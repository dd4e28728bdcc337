// splitmix64-based per-worker randomness and the id formats built from it.

#include "tools/fake-llm/ids.h"

#include <atomic>
#include <chrono>
#include <random>

namespace fake_llm {

Random::Random(uint64_t seed) : state_(seed) {}

uint64_t Random::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint32_t Random::between(uint32_t low, uint32_t high) {
  if (high <= low) return low;
  return low + static_cast<uint32_t>(next() % (uint64_t{high} - low + 1));
}

std::string Random::id(std::string_view prefix, size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(prefix.size() + length);
  out += prefix;
  for (size_t i = 0; i < length; ++i) out.push_back(kAlphabet[next() % 62]);
  return out;
}

std::string Random::uuid() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  uint64_t bits = next();
  for (int i = 0; i < 32; ++i) {
    if (i == 16) bits = next();
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back(kHex[bits & 0xF]);
    bits >>= 4;
  }
  return out;
}

uint64_t fresh_seed() {
  static std::atomic<uint64_t> counter{0};
  std::random_device device;
  const uint64_t time =
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return (uint64_t{device()} << 32) ^ device() ^ time ^ (++counter * 0x9E3779B97F4A7C15ull);
}

}  // namespace fake_llm
