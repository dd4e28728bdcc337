#pragma once
// The upstream client a worker hands the chain: each request goes to the native HTTP/1.1 client
// (native_transport.h) when that client can carry it as the configuration means it, and to
// libcurl (curl_transport.h) otherwise. Native: absolute http:// URLs without user information,
// when no forward proxy applies to http:// (http_proxy / HTTP_PROXY / all_proxy unset; with one
// set, libcurl routes every http:// request and applies no_proxy). Everything else, TLS above
// all (HTTP/2 through ALPN, CA verification), goes to libcurl. A guarded call (`isolated`: a URL
// from a client) never goes through a proxy, so a plain http:// one stays native even when a
// proxy is set, and libcurl sends the others directly.

#include <memory>
#include <string_view>

#include "core/runtime/upstream.h"
#include "core/upstream/curl_transport.h"
#include "core/upstream/native_transport.h"
#include "core/upstream/proxy_env.h"

namespace sluice::upstream {

class TransportRouter final : public runtime::UpstreamTransport {
 public:
  // `native` may be null (every request then goes to libcurl); `curl` may not.
  TransportRouter(std::unique_ptr<NativeTransport> native, std::unique_ptr<CurlTransport> curl,
                  const ProxyEnvironment& proxies);

  std::unique_ptr<runtime::UpstreamCall> start(const runtime::UpstreamRequestView& request,
                                               runtime::UpstreamCallbacks& callbacks) override;

  // Whether a request for this URL goes to the native client.
  bool goes_native(std::string_view url) const;
  // Whether the native client can send this URL when no proxy is in the way.
  bool goes_native_unproxied(std::string_view url) const;

  NativeTransport* native() const { return native_.get(); }
  CurlTransport& curl() const { return *curl_; }

 private:
  std::unique_ptr<NativeTransport> native_;
  std::unique_ptr<CurlTransport> curl_;
  bool http_proxied_;
};

}  // namespace sluice::upstream
