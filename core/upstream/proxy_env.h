#pragma once
// The forward proxy settings of the process environment, read once when a transport is made:
// http_proxy / HTTP_PROXY for http:// URLs, https_proxy / HTTPS_PROXY for https:// URLs,
// all_proxy / ALL_PROXY as the fallback for both, no_proxy / NO_PROXY for exceptions (libcurl's
// syntax: host names, domain suffixes, IP addresses, CIDR ranges, "*"). Lower case wins over upper
// case. Unlike libcurl's own lookup, upper-case HTTP_PROXY counts too: libcurl skips it because a
// CGI program gets it from a client's "Proxy:" header, which does not apply to a server process.
// The transport hands the result to libcurl explicitly, so libcurl never reads the environment.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::upstream {

struct ProxyEnvironment {
  std::string http;      // proxy URL for http:// requests; empty: direct
  std::string https;     // proxy URL for https:// requests; empty: direct
  std::string no_proxy;  // exceptions; empty: none

  // Looks a variable up; nullptr when unset.
  using Lookup = std::function<const char*(const char*)>;
  // From the process environment (std::getenv) or from `lookup`. Empty values count as unset.
  static ProxyEnvironment read();
  static ProxyEnvironment read(const Lookup& lookup);

  // The proxy for a URL scheme ("http" or "https"); empty: direct.
  const std::string& for_scheme(std::string_view scheme) const;
  // User names and passwords inside the proxy URLs (to keep them out of logs).
  std::vector<std::string> secrets() const;
};

}  // namespace sluice::upstream
