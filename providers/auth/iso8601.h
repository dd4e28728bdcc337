#pragma once
// ISO 8601 / RFC 3339 timestamps as credential endpoints write them ("2026-11-22T09:21:41Z",
// with optional fractional seconds and a numeric offset), to and from Unix seconds. Pure
// functions that ignore the process's time zone; safe from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::providers::auth {

// Unix seconds for "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (a space or 't' also
// separates date and time, 'z' is Z); the fraction is dropped. nullopt for anything else,
// including out-of-range fields and years outside 1970..9999.
std::optional<int64_t> parse_iso8601(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ" for Unix seconds (kNeverExpires and other far values read "never").
std::string format_iso8601(int64_t unix_seconds);

// Days since 1970-01-01 for a proleptic Gregorian date.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

}  // namespace sluice::providers::auth
