// translate: reading and checking the image-fetch settings (see image_fetch_settings.h).

#include "filters/translate/image_fetch_settings.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace sluice::filters::translate {
namespace {

// A whole number written as digits, optionally followed by ".0" (a YAML number that went through
// a protobuf Struct comes back as a double).
std::optional<uint64_t> whole_number(std::string_view text) {
  if (text.ends_with(".0")) text.remove_suffix(2);
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Takes `name` out of `settings` into *value; false when it was not there.
bool take(std::map<std::string, std::string, std::less<>>* settings, std::string_view name,
          std::string* value) {
  auto it = settings->find(name);
  if (it == settings->end()) return false;
  *value = std::move(it->second);
  settings->erase(it);
  return true;
}

bool read_flag(std::map<std::string, std::string, std::less<>>* settings, std::string_view name,
               bool* out, bool* given, std::string* error) {
  std::string value;
  if (!take(settings, name, &value)) return true;
  *given = true;
  if (value != "true" && value != "false") {
    *error = "setting " + std::string(name) + " must be \"true\" or \"false\"";
    return false;
  }
  *out = value == "true";
  return true;
}

bool read_number(std::map<std::string, std::string, std::less<>>* settings, std::string_view name,
                 uint64_t ceiling, std::string_view unit, uint64_t* out, bool* given,
                 std::string* error) {
  std::string value;
  if (!take(settings, name, &value)) return true;
  *given = true;
  std::optional<uint64_t> number = whole_number(value);
  if (!number || *number == 0 || *number > ceiling) {
    *error = "setting " + std::string(name) + " must be a whole number of " + std::string(unit) +
             " from 1 to " + std::to_string(ceiling);
    return false;
  }
  *out = *number;
  return true;
}

}  // namespace

size_t ImageFetchSettings::max_images() const {
  return static_cast<size_t>(
      std::min<uint64_t>(kMaxImages, std::max<uint64_t>(1, kMaxReservedBytes / max_bytes)));
}

bool take_image_fetch_settings(std::map<std::string, std::string, std::less<>>* settings,
                               ImageFetchSettings* out, std::string* error) {
  bool given = false;
  bool fetch_given = false;
  uint64_t timeout_ms = out->timeout_ms;
  const bool ok =
      read_flag(settings, "fetch_image_urls", &out->enabled, &fetch_given, error) &&
      read_number(settings, "image_fetch_max_bytes", ImageFetchSettings::kMaxMaxBytes, "bytes",
                  &out->max_bytes, &given, error) &&
      read_number(settings, "image_fetch_timeout_ms", ImageFetchSettings::kMaxTimeoutMs,
                  "milliseconds", &timeout_ms, &given, error) &&
      read_flag(settings, "image_fetch_allow_private", &out->allow_private, &given, error);
  out->timeout_ms = static_cast<uint32_t>(timeout_ms);
  out->any_given = given;
  return ok;
}

}  // namespace sluice::filters::translate
