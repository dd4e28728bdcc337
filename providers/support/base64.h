#pragma once
// Base64 (RFC 4648) for the providers: the standard alphabet with padding (OpenAI's base64
// embeddings, image data) and the URL alphabet without padding (JWTs). Pure, any thread.

#include <string>
#include <string_view>

namespace sluice::providers::support {

// Standard alphabet, '=' padded.
std::string base64(std::string_view bytes);
// URL-safe alphabet ('-', '_'), no padding.
std::string base64url(std::string_view bytes);

}  // namespace sluice::providers::support
