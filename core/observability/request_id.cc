// Owns request ids: the well-formedness rule for an incoming x-request-id and the generator of
// new ones (128 random bits as 32 lower-case hex digits; unique, not secret).

#include "core/observability/request_id.h"

#include <array>
#include <cstdint>
#include <random>

namespace sluice {
namespace {

constexpr size_t kMaxRequestIdLength = 128;

bool is_request_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

std::mt19937_64& generator() {
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::array<std::random_device::result_type, 8> seed_words;
    for (auto& word : seed_words) word = device();
    std::seed_seq seed(seed_words.begin(), seed_words.end());
    return std::mt19937_64(seed);
  }();
  return engine;
}

}  // namespace

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    if (!is_request_id_char(c)) return false;
  }
  return true;
}

std::string new_request_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::mt19937_64& engine = generator();
  const uint64_t halves[2] = {engine(), engine()};
  std::string id(32, '0');
  for (size_t h = 0; h < 2; ++h) {
    for (size_t i = 0; i < 16; ++i) {
      id[h * 16 + i] = kHex[(halves[h] >> (60 - 4 * i)) & 0xF];
    }
  }
  return id;
}

}  // namespace sluice
