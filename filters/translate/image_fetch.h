#pragma once
// translate: the pure parts of fetching a chat request's image URLs (the filter's part is
// fetch_images.cc): finding the http(s) URLs among /messages/*/content/*/image_url, judging what
// came back (status, Content-Type, the bytes' own signature) and the data: URL it becomes, and
// the client's error message for a failure. Pure functions; any thread.

#include <sluice/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::filters::translate {

// One image of the request to fetch.
struct ImageRef {
  size_t message = 0;   // index in /messages
  size_t part = 0;      // index in that message's content
  std::string pointer;  // where the URL string is: ".../image_url" or ".../image_url/url"
  std::string url;
};

// The http(s) image URLs of a chat request's /messages (given as JSON text), in order. Other
// URLs (data:) and parts are left alone. False with *error when `messages_json` is not an array.
bool find_image_urls(std::string_view messages_json, std::vector<ImageRef>* out,
                     std::string* error);

// "messages[1].content[0].image_url", as the client's error messages name a part.
std::string image_where(const ImageRef& image);

// The URL as an error message may show it: without user information, query or fragment (which
// may carry a signature or a token).
std::string shown_url(std::string_view url);

// Why an image URL cannot be fetched as it is (user information, which may be a credential;
// spaces or control characters; over 8 KiB), or "" when it can.
std::string unfetchable_url(std::string_view url);

// The URL to fetch: its scheme in lower case ("HTTPS://x" -> "https://x"), the rest as it is.
std::string fetch_url(std::string_view url);

// What a completed fetch yields: the data: URL, or why there is none (for the error message).
struct FetchedImage {
  std::string data_url;  // "data:image/png;base64,..." when ok
  std::string problem;   // empty when ok
};

// Judges a fetch's completion: an OK result with status 200, a Content-Type of image/jpeg,
// image/png, image/gif or image/webp, and bytes that start with that format's signature. The
// limits are for the message (max_bytes for a SLUICE_OP_TOO_LARGE, timeout_ms for a timeout).
FetchedImage judge_fetch(const sluice_op_done& done, uint64_t max_bytes, uint32_t timeout_ms);

// The media type the bytes' signature says (one of the four above), or nullopt.
std::optional<std::string_view> sniff_image_type(std::string_view bytes);

}  // namespace sluice::filters::translate
