#pragma once
// translate: the image-fetch settings of a deployment, read from its provider's `settings` at load
// and taken out of them before the adapter sees them (the adapters refuse settings they do not
// know). With `fetch_image_urls: "true"`, translate fetches the http(s) image URLs of a chat
// request itself (http_call_guarded) and hands the adapter data: URLs (image_fetch.h).
//
//   fetch_image_urls            "true" | "false" (default false)
//   image_fetch_max_bytes       bytes per image, 1..20 MiB (default 5 MiB, Anthropic's limit)
//   image_fetch_timeout_ms      per image, 1..30000 (default 5000)
//   image_fetch_allow_private   "true" | "false" (default false): let a fetch reach loopback,
//                               private and link-local addresses (tests, internal image stores)
//
// Numbers may be written as text or as YAML numbers ("5242880", 5242880, 5242880.0). Pure.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace sluice::filters::translate {

struct ImageFetchSettings {
  static constexpr uint64_t kDefaultMaxBytes = 5 * 1024 * 1024;
  static constexpr uint64_t kMaxMaxBytes = 20 * 1024 * 1024;
  static constexpr uint32_t kDefaultTimeoutMs = 5000;
  static constexpr uint32_t kMaxTimeoutMs = 30000;
  // What all of a request's images may reserve at once (the host's bound on a stream's guarded
  // calls, filter.h http_call_guarded), and how many a request may have.
  static constexpr uint64_t kMaxReservedBytes = 64 * 1024 * 1024;
  static constexpr size_t kMaxImages = 8;

  bool enabled = false;
  uint64_t max_bytes = kDefaultMaxBytes;
  uint32_t timeout_ms = kDefaultTimeoutMs;
  bool allow_private = false;
  // Whether any image_fetch_* setting was given (a warning when fetching is off).
  bool any_given = false;

  // How many images one request may have fetched: 8, fewer when max_bytes is so large that 8
  // would reserve more than the host allows.
  size_t max_images() const;
};

// Removes the four settings from `settings` and reads them into *out. False and a message naming
// the setting and what it takes when a value is not acceptable.
bool take_image_fetch_settings(std::map<std::string, std::string, std::less<>>* settings,
                               ImageFetchSettings* out, std::string* error);

}  // namespace sluice::filters::translate
