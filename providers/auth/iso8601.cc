// ISO 8601 timestamps: see iso8601.h.

#include "providers/auth/iso8601.h"

#include <cstdio>

namespace sluice::providers::auth {
namespace {

// Reads exactly `digits` decimal digits at text[*at].
bool read_number(std::string_view text, size_t* at, int digits, int* out) {
  if (*at + static_cast<size_t>(digits) > text.size()) return false;
  int value = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[*at + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *at += static_cast<size_t>(digits);
  *out = value;
  return true;
}

bool expect(std::string_view text, size_t* at, char c) {
  if (*at >= text.size() || text[*at] != c) return false;
  ++*at;
  return true;
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

}  // namespace

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's algorithm: count from 0000-03-01 so the leap day ends a year.
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

std::optional<int64_t> parse_iso8601(std::string_view text) {
  size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_number(text, &at, 4, &year) || !expect(text, &at, '-') ||
      !read_number(text, &at, 2, &month) || !expect(text, &at, '-') ||
      !read_number(text, &at, 2, &day)) {
    return std::nullopt;
  }
  if (at >= text.size() || (text[at] != 'T' && text[at] != 't' && text[at] != ' ')) {
    return std::nullopt;
  }
  ++at;
  if (!read_number(text, &at, 2, &hour) || !expect(text, &at, ':') ||
      !read_number(text, &at, 2, &minute) || !expect(text, &at, ':') ||
      !read_number(text, &at, 2, &second)) {
    return std::nullopt;
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  if (at < text.size() && text[at] == '.') {
    const size_t digits_start = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9' && at - digits_start < 12) ++at;
    if (at == digits_start) return std::nullopt;
  }
  int64_t offset = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '+' ? 1 : -1;
    ++at;
    int offset_hours = 0, offset_minutes = 0;
    if (!read_number(text, &at, 2, &offset_hours) || !expect(text, &at, ':') ||
        !read_number(text, &at, 2, &offset_minutes) || offset_hours > 23 || offset_minutes > 59) {
      return std::nullopt;
    }
    offset = sign * (offset_hours * 3600 + offset_minutes * 60);
  } else {
    return std::nullopt;  // a local time would depend on where the gateway runs
  }
  if (at != text.size()) return std::nullopt;
  const int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second - offset;
}

std::string format_iso8601(int64_t unix_seconds) {
  if (unix_seconds < 0 || unix_seconds >= 253402300800) return "never";  // past 9999-12-31
  const int64_t days = unix_seconds / 86400;
  const int64_t seconds_of_day = unix_seconds % 86400;
  // civil_from_days, the inverse of days_from_civil.
  const int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2);
  char out[80];  // generous: the compiler cannot see the fields are two digits
  std::snprintf(out, sizeof out, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                static_cast<long long>(year), static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(seconds_of_day / 3600),
                static_cast<long long>(seconds_of_day / 60 % 60),
                static_cast<long long>(seconds_of_day % 60));
  return out;
}

}  // namespace sluice::providers::auth
