#pragma once
// Provider text made safe to hand to a client (errors copy a provider's message out), and
// OpenAI's error type for a status. Pure functions, safe from any thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::providers::support {

// `text` with every copy of `secret` replaced by "[redacted]" (a secret shorter than 4 bytes is
// too short to tell from ordinary text and is left), cut to at most `limit` bytes without
// splitting a character, invalid UTF-8 replaced by U+FFFD.
std::string clean_text(std::string_view text, std::string_view secret, size_t limit);

// Replaces every copy of `secret` in `text` by "[redacted]" (a secret shorter than 4 bytes is
// too short to tell from ordinary text and is left).
void redact(std::string& text, std::string_view secret);

// At most `limit` bytes of `text`, cut before a UTF-8 sequence rather than inside one.
std::string_view bounded(std::string_view text, size_t limit);

// `text` without leading and trailing spaces, tabs and line breaks.
std::string_view trim(std::string_view text);

// Whether `text` holds a control byte (below 0x20, or DEL): a credential or setting that would
// break the header it goes in.
bool has_control_bytes(std::string_view text);

// Whether `a` and `b` are the same text but for the case of ASCII letters (a provider's names
// and reasons, whichever case it writes them in). Never the locale's case.
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b);

// FNV-1a, 64 bits, of `text`: well spread for short ids, and the same on every platform and run.
uint64_t fnv1a(std::string_view text);

// OpenAI's error type for an HTTP status: authentication_error (401), permission_error (403),
// rate_limit_error (429), server_error (5xx), else invalid_request_error.
std::string_view openai_error_type(int status);

}  // namespace sluice::providers::support
