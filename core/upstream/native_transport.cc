// The native HTTP/1.1 client of one worker (see native_transport.h).

#include "core/upstream/native_transport.h"

#include "core/upstream/native_call.h"
#include "core/upstream/native_request.h"

namespace sluice::upstream {

std::unique_ptr<NativeTransport> NativeTransport::create(event_base* base,
                                                         NativeTransportOptions options,
                                                         std::string* error) {
  if (base == nullptr) {
    *error = "no event loop";
    return nullptr;
  }
  std::unique_ptr<NativeTransport> transport(new NativeTransport(base, std::move(options)));
  if (transport->read_buffer_ == nullptr) {
    *error = "out of memory";
    return nullptr;
  }
  return transport;
}

NativeTransport::NativeTransport(event_base* base, NativeTransportOptions options)
    : base_(base),
      options_(std::move(options)),
      resolver_(base, options_.dns),
      pool_(base, options_.max_idle_per_host, options_.idle_timeout_ms),
      waits_(base),
      parser_limits_{options_.max_header_bytes, options_.max_header_count},
      read_buffer_(new char[kReadBufferSize]) {}

NativeTransport::~NativeTransport() {
  // Calls still out (worker shutdown): each ends silently and leaves the list.
  while (calls_ != nullptr) calls_->detach();
}

std::unique_ptr<runtime::UpstreamCall> NativeTransport::start(
    const runtime::UpstreamRequestView& request, runtime::UpstreamCallbacks& callbacks) {
  last_start_error_.clear();
  if (live_calls_ >= options_.max_calls) {
    last_start_error_ =
        "too many upstream calls at once (" + std::to_string(options_.max_calls) + ")";
    return nullptr;
  }
  std::shared_ptr<const HttpUrl> url = parsed_url(request.url);
  if (url == nullptr) return nullptr;
  std::string bytes;
  if (!serialize_request(request, *url, &bytes, &last_start_error_)) return nullptr;
  const CallGuard guard{request.isolated, request.public_addresses_only};
  auto call = std::make_unique<NativeCall>(*this, callbacks, std::move(url), std::move(bytes),
                                           request.method == "HEAD", request.timeouts, guard);
  link(call.get());
  call->begin();
  return call;
}

std::shared_ptr<const HttpUrl> NativeTransport::parsed_url(std::string_view text) {
  for (const ParsedUrl& entry : url_cache_) {
    if (entry.text == text) return entry.url;
  }
  auto url = std::make_shared<HttpUrl>();
  if (!parse_http_url(text, url.get(), &last_start_error_)) return nullptr;
  ParsedUrl entry{std::string(text), url};
  if (url_cache_.size() < kUrlCacheSize) {
    url_cache_.push_back(std::move(entry));
  } else {
    url_cache_[url_cache_next_] = std::move(entry);
    url_cache_next_ = (url_cache_next_ + 1) % kUrlCacheSize;
  }
  return url;
}

void NativeTransport::link(NativeCall* call) {
  call->prev = nullptr;
  call->next = calls_;
  if (calls_ != nullptr) calls_->prev = call;
  calls_ = call;
  ++live_calls_;
}

void NativeTransport::unlink(NativeCall* call) {
  if (call->prev != nullptr) {
    call->prev->next = call->next;
  } else {
    calls_ = call->next;
  }
  if (call->next != nullptr) call->next->prev = call->prev;
  call->prev = nullptr;
  call->next = nullptr;
  --live_calls_;
}

}  // namespace sluice::upstream
