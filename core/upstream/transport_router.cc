// TransportRouter: the per-request choice between the native client and libcurl.

#include "core/upstream/transport_router.h"

#include <utility>

namespace sluice::upstream {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

TransportRouter::TransportRouter(std::unique_ptr<NativeTransport> native,
                                 std::unique_ptr<CurlTransport> curl,
                                 const ProxyEnvironment& proxies)
    : native_(std::move(native)), curl_(std::move(curl)), http_proxied_(!proxies.http.empty()) {}

bool TransportRouter::goes_native(std::string_view url) const {
  constexpr std::string_view kScheme = "http://";
  if (!native_ || http_proxied_ || !starts_with_ignoring_case(url, kScheme)) return false;
  // Credentials ('@' before the path, query or fragment): libcurl sends them.
  for (char c : url.substr(kScheme.size())) {
    if (c == '/' || c == '?' || c == '#') break;
    if (c == '@') return false;
  }
  return true;
}

std::unique_ptr<runtime::UpstreamCall> TransportRouter::start(
    const runtime::UpstreamRequest& request, runtime::UpstreamCallbacks& callbacks) {
  if (goes_native(request.url)) return native_->start(request, callbacks);
  return curl_->start(request, callbacks);
}

}  // namespace sluice::upstream
