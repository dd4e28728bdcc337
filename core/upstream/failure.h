#pragma once
// What a libcurl result means for the attempt loop: the contract's failure kind
// (core/runtime/upstream.h) for a CURLcode, and a log-safe reason text in which every known
// secret (URL and proxy credentials, request header values) is masked.

#include <curl/curl.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/upstream.h"

namespace sluice::upstream {

// connect: DNS, TCP, proxy or TLS failures before the request went out; timeout: any libcurl
// timeout (connect or total); reset: the connection broke (receive or send error, body cut short,
// empty reply, HTTP/2 stream or framing error); other: the rest. The transfer turns reset into
// connect when no request had been sent yet.
runtime::UpstreamFailure classify(CURLcode code);

// "<libcurl's text for code> (curl error <n>)", then ": <detail>" when detail (libcurl's error
// buffer) adds anything, with the secrets in it masked.
std::string failure_reason(CURLcode code, std::string_view detail,
                           const std::vector<std::string>& secrets);

// `text` with every occurrence of every non-empty secret replaced by "***" (longest first).
std::string scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace sluice::upstream
