#pragma once
// Controls: the per-request knobs a test sets through a [[fake …]] directive, x-fake-<key>
// headers or a programmed queue entry, with their parsing, validation and limits, and how the
// three sources are layered (a later source replaces only the keys it sets).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fake_llm {

enum class Fault {
  none,
  reset_mid_stream,
  never_answer,
  slow_first_byte,
  tool_call,
  error_mid_stream,
};
enum class Profile { none, guide };
// Gemini / Vertex AI safety blocks: the answer's candidate, or the prompt itself.
enum class Safety { none, response, prompt };

std::string_view fault_name(Fault fault);

// Limits on control values.
inline constexpr uint32_t kMaxDelayMs = 10 * 60 * 1000;
inline constexpr uint32_t kMaxChunks = 10000;
inline constexpr size_t kMaxArgsBytes = 64 * 1024;
inline constexpr size_t kMaxRetryAfterBytes = 64;
// slow_first_byte without delay_ms waits this long before the first body byte.
inline constexpr uint32_t kDefaultSlowFirstByteMs = 1000;

struct Controls {
  std::optional<int> status;               // 200..599; not 200: answer with the error body
  std::optional<std::string> retry_after;  // sent verbatim as the retry-after header
  std::optional<uint32_t> delay_ms;        // before the response head
  std::optional<uint32_t> chunks;          // content chunks of a stream (1..kMaxChunks)
  std::optional<uint32_t> chunk_delay_ms;  // between content chunks
  std::optional<uint32_t> fault_after;     // reset_mid_stream: content chunks sent before the reset
  std::optional<Profile> profile;
  std::optional<Fault> fault;
  std::optional<std::string> args;  // tool_call arguments (a JSON text, sent as given)
  std::optional<Safety> safety;     // Gemini / Vertex AI: answer with a safety block

  // Sets one key ("retry_after" and "retry-after" are the same key). False with *error when the
  // key is unknown or the value is malformed or out of range.
  bool set(std::string_view key, std::string_view value, std::string* error);
  // The keys `over` sets replace ours.
  void overlay(const Controls& over);
  bool empty() const;
};

}  // namespace fake_llm
