#pragma once
// Randomness for one worker thread (never shared, so never locked): response ids in the
// providers' formats ("chatcmpl-…", "call_…", "tooluse_…", request ids) and the jittered delays
// of the guide profile. Content never depends on it: answers stay deterministic.

#include <cstdint>
#include <string>
#include <string_view>

namespace fake_llm {

class Random {
 public:
  explicit Random(uint64_t seed);
  uint64_t next();
  // Uniform in [low, high].
  uint32_t between(uint32_t low, uint32_t high);
  // `prefix` followed by `length` random letters and digits.
  std::string id(std::string_view prefix, size_t length);
  // A random UUID-shaped string (8-4-4-4-12 lower-case hex), as AWS request ids are.
  std::string uuid();

 private:
  uint64_t state_;
};

// A seed that differs between processes and calls.
uint64_t fresh_seed();

}  // namespace fake_llm
