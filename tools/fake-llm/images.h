#pragma once
// The image endpoint: what a gateway that fetches image URLs (sluice's translate with
// fetch_image_urls) fetches in tests.
//
//   GET [prefix]/_fake/images/<name>[?options]
//
// The body starts with the signature of the format named by <name>'s extension (.png and .gif:
// a valid 1x1 image; .jpg/.jpeg, .webp: a short header; anything else: plain text), and its
// Content-Type is the format's. Options:
//   type=<media type>   the Content-Type sent instead (the body stays the same)
//   bytes=<n>           pad the body with zero bytes up to n (at most 64 MiB)
//   chunked=1           no Content-Length: the body goes out in 64 KiB chunks
//   chunk_ms=<ms>       with chunked, the pause before each chunk after the first
//   delay_ms=<ms>       wait this long before the response head
//   status=<code>       answer this status (100..599) with an empty text body
//   location=<url>      a Location header (for a 3xx)
// A bad option is a 400 naming it. Requests are logged with route "image".

#include <memory>
#include <string_view>

#include "core/http/exchange.h"
#include "tools/fake-llm/shared_state.h"

struct event_base;

namespace fake_llm {

// Whether `path` names the image endpoint (any prefix before /_fake/images/).
bool is_image_path(std::string_view path);

// Answers an image request (see above).
std::unique_ptr<sluice::http::Exchange> serve_image(sluice::http::Request request, event_base* base,
                                                    SharedState& shared,
                                                    sluice::http::ResponseSink& sink);

}  // namespace fake_llm
