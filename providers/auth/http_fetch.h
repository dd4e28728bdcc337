#pragma once
// One blocking HTTP exchange with libcurl's easy interface, for the credential sources'
// background threads only (never a worker thread: it blocks for up to the total timeout).
// No redirects, http and https only, the answer bounded in size, cancellable, and loopback and
// link-local credential endpoints never reached through a proxy.

#include <atomic>
#include <string>
#include <utility>
#include <vector>

namespace sluice::providers::auth {

struct HttpTimeouts {
  long connect_ms = 2000;
  long total_ms = 5000;
};

struct HttpRequest {
  std::string method = "GET";  // "GET" or "POST"
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;                                          // sent with POST
};

struct HttpResponse {
  long status = 0;    // 0 when no answer came
  std::string body;   // at most kMaxResponseBytes
  std::string error;  // why no answer came (curl's words and the URL, no header or body)
};

inline constexpr size_t kMaxResponseBytes = 64 * 1024;

// Sends `request` and waits for the whole answer; `cancel` turning true aborts it.
HttpResponse http_fetch(const HttpRequest& request, const HttpTimeouts& timeouts,
                        const std::atomic<bool>& cancel);

}  // namespace sluice::providers::auth
