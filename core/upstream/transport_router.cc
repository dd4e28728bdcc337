// TransportRouter: the per-request choice between the native client and libcurl.

#include "core/upstream/transport_router.h"

#include <utility>

#include "core/http/ascii_case.h"

namespace sluice::upstream {

TransportRouter::TransportRouter(std::unique_ptr<NativeTransport> native,
                                 std::unique_ptr<CurlTransport> curl,
                                 const ProxyEnvironment& proxies)
    : native_(std::move(native)), curl_(std::move(curl)), http_proxied_(!proxies.http.empty()) {}

bool TransportRouter::goes_native(std::string_view url) const {
  return !http_proxied_ && goes_native_unproxied(url);
}

bool TransportRouter::goes_native_unproxied(std::string_view url) const {
  constexpr std::string_view kScheme = "http://";
  if (!native_) return false;
  // The scheme as configured is nearly always lower case: one compare, then the general one.
  if (!url.starts_with(kScheme) && !http::iequals_ascii(url.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  // Credentials ('@' before the path, query or fragment): libcurl sends them. A URL without any
  // '@' (one memchr) has none.
  const std::string_view rest = url.substr(kScheme.size());
  if (rest.find('@') == std::string_view::npos) return true;
  for (char c : rest) {
    if (c == '/' || c == '?' || c == '#') break;
    if (c == '@') return false;
  }
  return true;
}

std::unique_ptr<runtime::UpstreamCall> TransportRouter::start(
    const runtime::UpstreamRequestView& asked, runtime::UpstreamCallbacks& callbacks) {
  // The address check only means something on a fresh direct connection (a pooled or proxied
  // one never reaches it): public_addresses_only brings isolation with it, whoever asks.
  runtime::UpstreamRequestView request = asked;
  request.isolated = asked.isolated || asked.public_addresses_only;
  // A guarded call connects directly (no proxy applies to it): a plain http:// one is the native
  // client's even while a forward proxy is set for http://.
  const bool native =
      request.isolated ? goes_native_unproxied(request.url) : goes_native(request.url);
  if (native) return native_->start(request, callbacks);
  return curl_->start(request, callbacks);
}

}  // namespace sluice::upstream
