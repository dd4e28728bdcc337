// Parsing and validation of control keys, and the layering of control sources.

#include "tools/fake-llm/controls.h"

#include <charconv>

namespace fake_llm {
namespace {

bool parse_uint(std::string_view text, uint64_t max, uint32_t* out) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 12) return false;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || value > max) {
    return false;
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

bool printable_ascii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string normalize_key(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (c == '-') c = '_';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

}  // namespace

std::string_view fault_name(Fault fault) {
  switch (fault) {
    case Fault::none:
      return "none";
    case Fault::reset_mid_stream:
      return "reset_mid_stream";
    case Fault::never_answer:
      return "never_answer";
    case Fault::slow_first_byte:
      return "slow_first_byte";
    case Fault::tool_call:
      return "tool_call";
    case Fault::error_mid_stream:
      return "error_mid_stream";
  }
  return "none";
}

bool Controls::set(std::string_view raw_key, std::string_view value, std::string* error) {
  const std::string key = normalize_key(raw_key);
  const auto bad = [&](std::string_view expected) {
    *error = "fake-llm: invalid value '" + std::string(value.substr(0, 80)) + "' for control '" +
             key + "': expected " + std::string(expected);
    return false;
  };
  uint32_t number = 0;
  if (key == "status") {
    if (!parse_uint(value, 599, &number) || number < 200) return bad("an HTTP status 200..599");
    status = static_cast<int>(number);
  } else if (key == "retry_after") {
    if (value.empty() || value.size() > kMaxRetryAfterBytes || !printable_ascii(value)) {
      return bad("seconds (or any short header value)");
    }
    retry_after = std::string(value);
  } else if (key == "delay_ms") {
    if (!parse_uint(value, kMaxDelayMs, &number)) return bad("milliseconds 0..600000");
    delay_ms = number;
  } else if (key == "chunks") {
    if (!parse_uint(value, kMaxChunks, &number) || number == 0) return bad("a count 1..10000");
    chunks = number;
  } else if (key == "chunk_delay_ms") {
    if (!parse_uint(value, kMaxDelayMs, &number)) return bad("milliseconds 0..600000");
    chunk_delay_ms = number;
  } else if (key == "fault_after") {
    if (!parse_uint(value, kMaxChunks, &number)) return bad("a count 0..10000");
    fault_after = number;
  } else if (key == "profile") {
    if (value == "guide") {
      profile = Profile::guide;
    } else if (value == "none") {
      profile = Profile::none;
    } else {
      return bad("guide or none");
    }
  } else if (key == "fault") {
    if (value == "reset_mid_stream") {
      fault = Fault::reset_mid_stream;
    } else if (value == "never_answer") {
      fault = Fault::never_answer;
    } else if (value == "slow_first_byte") {
      fault = Fault::slow_first_byte;
    } else if (value == "tool_call") {
      fault = Fault::tool_call;
    } else if (value == "error_mid_stream") {
      fault = Fault::error_mid_stream;
    } else if (value == "none") {
      fault = Fault::none;
    } else {
      return bad(
          "reset_mid_stream, error_mid_stream, never_answer, slow_first_byte, tool_call or "
          "none");
    }
  } else if (key == "safety") {
    if (value == "response") {
      safety = Safety::response;
    } else if (value == "prompt") {
      safety = Safety::prompt;
    } else if (value == "none") {
      safety = Safety::none;
    } else {
      return bad("response, prompt or none");
    }
  } else if (key == "args") {
    if (value.size() > kMaxArgsBytes) return bad("at most 64 KiB of JSON");
    args = std::string(value);
  } else {
    *error = "fake-llm: unknown control '" + std::string(raw_key.substr(0, 80)) + "'";
    return false;
  }
  return true;
}

void Controls::overlay(const Controls& over) {
  if (over.status) status = over.status;
  if (over.retry_after) retry_after = over.retry_after;
  if (over.delay_ms) delay_ms = over.delay_ms;
  if (over.chunks) chunks = over.chunks;
  if (over.chunk_delay_ms) chunk_delay_ms = over.chunk_delay_ms;
  if (over.fault_after) fault_after = over.fault_after;
  if (over.profile) profile = over.profile;
  if (over.fault) fault = over.fault;
  if (over.args) args = over.args;
  if (over.safety) safety = over.safety;
}

bool Controls::empty() const {
  return !status && !retry_after && !delay_ms && !chunks && !chunk_delay_ms && !fault_after &&
         !profile && !fault && !args && !safety;
}

}  // namespace fake_llm
