// The libcurl multi handle on a worker's libevent loop (see curl_transport.h).

#include "core/upstream/curl_transport.h"

#include <event2/event.h>

#include <mutex>
#include <utility>

#include "core/http/io_activity.h"
#include "core/http/loop_clock.h"
#include "core/observability/log.h"
#include "core/upstream/curl_call.h"
#include "core/upstream/request_prep.h"

namespace sluice::upstream {

using runtime::UpstreamFailure;

namespace {

// curl_global_init once per process, before the first multi handle.
CURLcode global_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

}  // namespace

std::unique_ptr<CurlTransport> CurlTransport::create(event_base* base, CurlTransportOptions options,
                                                     std::string* error) {
  if (const CURLcode rc = global_init(); rc != CURLE_OK) {
    *error = std::string("libcurl initialisation failed: ") + curl_easy_strerror(rc);
    return nullptr;
  }
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  if (info == nullptr || (info->features & CURL_VERSION_ASYNCHDNS) == 0) {
    *error = "libcurl was built without asynchronous DNS: name lookups would block the loop";
    return nullptr;
  }
  std::unique_ptr<CurlTransport> transport(new CurlTransport(base, options));
  transport->multi_ = curl_multi_init();
  transport->timer_ev_ = evtimer_new(base, &CurlTransport::on_timer, transport.get());
  transport->deferred_ev_ = event_new(base, -1, 0, &CurlTransport::on_deferred, transport.get());
  if (transport->multi_ == nullptr || transport->timer_ev_ == nullptr ||
      transport->deferred_ev_ == nullptr) {
    *error = "out of memory";
    return nullptr;
  }
  CURLM* m = transport->multi_;
  CURLMcode rc = CURLM_OK;
  const auto set = [&rc](CURLMcode result) {
    if (rc == CURLM_OK) rc = result;
  };
  set(curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, &CurlTransport::socket_cb));
  set(curl_multi_setopt(m, CURLMOPT_SOCKETDATA, transport.get()));
  set(curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, &CurlTransport::timer_cb));
  set(curl_multi_setopt(m, CURLMOPT_TIMERDATA, transport.get()));
  set(curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, options.max_idle_connections));
  set(curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 0L));
  set(curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L));
  set(curl_multi_setopt(m, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX)));
  if (rc != CURLM_OK) {
    *error = std::string("libcurl refused a multi option: ") + curl_multi_strerror(rc);
    return nullptr;
  }
  transport->proxy_ = ProxyEnvironment::read();
  return transport;
}

CurlTransport::CurlTransport(event_base* base, CurlTransportOptions options)
    : base_(base), options_(options) {}

CurlTransport::~CurlTransport() {
  // Calls still out (worker shutdown): silence them, detach their handles, free them.
  for (auto& [id, transfer] : transfers_) {
    if (transfer->call != nullptr) transfer->call->detach();
    transfer->call = nullptr;
    transfer->cancel();
    if (transfer->in_multi) {
      curl_multi_remove_handle(multi_, transfer->easy());
      transfer->in_multi = false;
    }
  }
  transfers_.clear();
  if (multi_ != nullptr) curl_multi_cleanup(multi_);  // closes the cached connections
  for (auto& [fd, ev] : sockets_) event_free(ev);
  sockets_.clear();
  if (timer_ev_ != nullptr) event_free(timer_ev_);
  if (deferred_ev_ != nullptr) event_free(deferred_ev_);
}

// ---- calls -----------------------------------------------------------------------------------

std::unique_ptr<runtime::UpstreamCall> CurlTransport::start(
    const runtime::UpstreamRequestView& view, runtime::UpstreamCallbacks& callbacks) {
  last_start_error_.clear();
  if (transfers_.size() >= options_.max_calls) {
    last_start_error_ =
        "too many upstream calls at once (" + std::to_string(options_.max_calls) + ")";
    return nullptr;
  }
  // libcurl's options want NUL-terminated strings, and the transfer keeps the body: an owned copy.
  const runtime::UpstreamRequest request(view);
  PreparedRequest prepared;
  if (!prepare_request(request, &prepared, &last_start_error_)) return nullptr;
  const TransferLimits limits{options_.max_header_bytes, options_.max_header_count};
  TransferOwner& owner = *this;
  auto transfer = std::make_unique<Transfer>(next_id_++, base_, owner, callbacks, limits);
  if (!transfer->configure(request, std::move(prepared), proxy_, &last_start_error_)) {
    return nullptr;
  }
  Transfer& t = *transfer;
  transfers_.emplace(t.id(), std::move(transfer));
  auto call = std::make_unique<CurlCall>(*this, t);
  t.call = call.get();
  // Added to the multi handle from the deferred event: start() may run inside a libcurl
  // callback (a caller starting a call from on_upstream_body), where libcurl refuses it.
  to_add_.push_back(t.id());
  schedule_deferred();
  return call;
}

void CurlTransport::cancel(Transfer& transfer) {
  transfer.call = nullptr;
  transfer.cancel();
  to_remove_.push_back(transfer.id());
  schedule_deferred();
}

void CurlTransport::pause(Transfer& transfer) {
  transfer.pause();
}

void CurlTransport::resume(Transfer& transfer) {
  if (transfer.resume()) {
    to_resume_.push_back(transfer.id());
    schedule_deferred();
  }
}

Transfer* CurlTransport::find(uint64_t id) {
  const auto it = transfers_.find(id);
  return it == transfers_.end() ? nullptr : it->second.get();
}

void CurlTransport::finish(Transfer& transfer, CURLcode code) {
  if (transfer.in_multi) {
    curl_multi_remove_handle(multi_, transfer.easy());
    transfer.in_multi = false;
  }
  runtime::UpstreamCallbacks* callbacks = transfer.release_callbacks();
  Transfer::Outcome outcome;
  if (callbacks != nullptr) outcome = transfer.outcome(code);
  destroy(transfer);
  if (callbacks == nullptr) return;
  // Last: the callee may start, cancel or destroy anything, this call's handle included.
  if (outcome.complete) {
    callbacks->on_upstream_complete();
  } else {
    callbacks->on_upstream_failure(outcome.kind, std::move(outcome.reason));
  }
}

void CurlTransport::destroy(Transfer& transfer) {
  if (transfer.call != nullptr) transfer.call->detach();
  transfers_.erase(transfer.id());
}

void CurlTransport::on_transfer_deadline(Transfer& transfer) {
  finish(transfer, CURLE_OK);  // the transfer recorded its timeout; that outcome wins
}

// ---- deferred work ---------------------------------------------------------------------------

void CurlTransport::schedule_deferred() {
  event_active(deferred_ev_, EV_TIMEOUT, 0);
}

void CurlTransport::on_deferred(evutil_socket_t, short, void* arg) {
  http::LoopClock::Scope clock;
  static_cast<CurlTransport*>(arg)->run_deferred();
}

void CurlTransport::run_deferred() {
  // Each list is taken whole: work queued meanwhile (by callbacks run from here) schedules the
  // event again.
  std::vector<uint64_t> ids;
  ids.swap(to_add_);
  for (const uint64_t id : ids) {
    Transfer* transfer = find(id);
    if (transfer == nullptr || transfer->cancelled() || transfer->in_multi) continue;
    if (const CURLMcode rc = curl_multi_add_handle(multi_, transfer->easy()); rc != CURLM_OK) {
      transfer->fail(UpstreamFailure::other,
                     std::string("cannot start the transfer: ") + curl_multi_strerror(rc));
      finish(*transfer, CURLE_OK);
      continue;
    }
    transfer->in_multi = true;
  }

  ids.clear();
  ids.swap(to_resume_);
  for (const uint64_t id : ids) {
    Transfer* transfer = find(id);
    if (transfer == nullptr || transfer->cancelled() || !transfer->in_multi) continue;
    // libcurl may pass the body it kept to the callbacks from inside this call.
    const CURLcode rc = transfer->unpause();
    if (rc != CURLE_OK && !transfer->cancelled()) finish(*transfer, rc);
  }

  ids.clear();
  ids.swap(to_remove_);
  for (const uint64_t id : ids) {
    Transfer* transfer = find(id);
    if (transfer == nullptr) continue;
    if (transfer->in_multi) {
      curl_multi_remove_handle(multi_, transfer->easy());  // closes an unfinished connection
      transfer->in_multi = false;
    }
    destroy(*transfer);
  }
  collect_finished();
}

// ---- libcurl <-> libevent --------------------------------------------------------------------

int CurlTransport::socket_cb(CURL*, curl_socket_t fd, int what, void* arg, void*) {
  return static_cast<CurlTransport*>(arg)->watch_socket(fd, what);
}

int CurlTransport::watch_socket(curl_socket_t fd, int what) {
  // Keyed by descriptor rather than by curl_multi_assign: a descriptor number libcurl reuses for
  // a new socket simply re-arms the same event.
  const auto it = sockets_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it != sockets_.end()) {
      event_free(it->second);
      sockets_.erase(it);
    }
    return 0;
  }
  short events = EV_PERSIST;
  if ((what & CURL_POLL_IN) != 0) events |= EV_READ;
  if ((what & CURL_POLL_OUT) != 0) events |= EV_WRITE;
  event* ev = nullptr;
  if (it == sockets_.end()) {
    ev = event_new(base_, fd, events, &CurlTransport::on_socket, this);
    if (ev == nullptr) {
      log::error("upstream: cannot watch a socket (out of memory)");
      return 0;  // see below
    }
    sockets_.emplace(fd, ev);
  } else {
    ev = it->second;
    event_del(ev);
    event_assign(ev, base_, fd, events, &CurlTransport::on_socket, this);
  }
  if ((events & (EV_READ | EV_WRITE)) != 0 && event_add(ev, nullptr) != 0) {
    log::error("upstream: cannot watch a socket", {{"fd", static_cast<int>(fd)}});
  }
  // Never -1: libcurl would mark the whole multi handle dead, failing every call of the worker
  // for good. An unwatched socket only stalls its own transfer until one of its timeouts.
  return 0;
}

int CurlTransport::timer_cb(CURLM*, long timeout_ms, void* arg) {
  auto* self = static_cast<CurlTransport*>(arg);
  if (timeout_ms < 0) {
    evtimer_del(self->timer_ev_);
    return 0;
  }
  // Zero means "as soon as possible": from the loop, never from inside this callback.
  const timeval tv{static_cast<time_t>(timeout_ms / 1000),
                   static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
  if (evtimer_add(self->timer_ev_, &tv) != 0) log::error("upstream: cannot arm the libcurl timer");
  return 0;  // never -1: libcurl would mark the whole multi handle dead
}

void CurlTransport::on_socket(evutil_socket_t fd, short what, void* arg) {
  http::LoopClock::Scope clock;
  http::io_activity::note();  // for the worker's busy poll (core/http/io_activity.h)
  auto* self = static_cast<CurlTransport*>(arg);
  int action = 0;
  if ((what & EV_READ) != 0) action |= CURL_CSELECT_IN;
  if ((what & EV_WRITE) != 0) action |= CURL_CSELECT_OUT;
  int running = 0;
  curl_multi_socket_action(self->multi_, fd, action, &running);
  self->collect_finished();
}

void CurlTransport::on_timer(evutil_socket_t, short, void* arg) {
  http::LoopClock::Scope clock;
  auto* self = static_cast<CurlTransport*>(arg);
  int running = 0;
  curl_multi_socket_action(self->multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  self->collect_finished();
}

void CurlTransport::collect_finished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    // The message dies with the handle's removal: copy what is needed first.
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    char* private_data = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private_data);
    auto* transfer = reinterpret_cast<Transfer*>(private_data);
    if (transfer == nullptr) continue;
    finish(*transfer, code);
  }
}

}  // namespace sluice::upstream
