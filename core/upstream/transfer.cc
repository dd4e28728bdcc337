// One call's easy handle, its libcurl callbacks and its deadline (see transfer.h).

#include "core/upstream/transfer.h"

#include <event2/event.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/http/loop_clock.h"
#include "core/upstream/failure.h"
#include "core/upstream/public_address.h"

namespace sluice::upstream {

using runtime::UpstreamFailure;

namespace {

// TCP keep-alive probes on idle upstream connections (seconds): long streams stay watched.
constexpr long kKeepAliveIdleSeconds = 60;
constexpr long kKeepAliveIntervalSeconds = 30;

timeval to_timeval(uint32_t ms) {
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

}  // namespace

Transfer::Transfer(uint64_t id, event_base* base, TransferOwner& owner,
                   runtime::UpstreamCallbacks& callbacks, TransferLimits limits)
    : id_(id),
      base_(base),
      owner_(owner),
      callbacks_(&callbacks),
      head_(limits.max_header_bytes, limits.max_header_count) {}

Transfer::~Transfer() {
  if (deadline_ev_ != nullptr) event_free(deadline_ev_);
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  if (header_list_ != nullptr) curl_slist_free_all(header_list_);
}

bool Transfer::configure(const runtime::UpstreamRequest& request, PreparedRequest prepared,
                         const ProxyEnvironment& proxy, std::string* error) {
  deadline_ev_ = evtimer_new(base_, &Transfer::deadline_cb, this);
  easy_ = curl_easy_init();
  if (deadline_ev_ == nullptr || easy_ == nullptr) {
    *error = "out of memory";
    return false;
  }
  for (const std::string& line : prepared.header_lines) {
    curl_slist* next = curl_slist_append(header_list_, line.c_str());
    if (next == nullptr) {
      *error = "out of memory";
      return false;
    }
    header_list_ = next;
  }
  body_ = request.body;
  timeouts_ = request.timeouts;
  public_only_ = request.public_addresses_only;
  secrets_ = std::move(prepared.secrets);
  for (std::string& secret : proxy.secrets()) secrets_.push_back(std::move(secret));

  CURLcode rc = CURLE_OK;
  const auto set = [&rc](CURLcode result) {
    if (rc == CURLE_OK) rc = result;
  };
  CURL* e = easy_;
  set(curl_easy_setopt(e, CURLOPT_PRIVATE, this));
  set(curl_easy_setopt(e, CURLOPT_URL, request.url.c_str()));
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_));
  // Never signals or alarms: name resolution runs on libcurl's resolver threads.
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS)));
  // Over TLS, wait for a connection that may turn out to multiplex (HTTP/2) rather than opening
  // one connection per call of a burst.
  if (prepared.scheme == "https" && !request.isolated) {
    set(curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L));
  }
  if (request.isolated) {
    // A guarded call: its own connection, never kept (nor one kept by another call taken).
    set(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L));
    set(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L));
  }
  if (public_only_) {
    // libcurl resolves, then asks for a socket for each address it will try: the address is
    // checked there, before any packet goes to it.
    set(curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Transfer::open_socket_cb));
    set(curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this));
  }
  set(curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L));
  set(curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, kKeepAliveIdleSeconds));
  set(curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, kKeepAliveIntervalSeconds));
  set(curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L));

  switch (prepared.mode) {
    case PreparedRequest::Mode::plain:
      set(curl_easy_setopt(e, CURLOPT_HTTPGET, 1L));
      break;
    case PreparedRequest::Mode::head:
      set(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
      break;
    case PreparedRequest::Mode::upload:
      set(curl_easy_setopt(e, CURLOPT_POST, 1L));
      set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size())));
      set(curl_easy_setopt(e, CURLOPT_READFUNCTION, &Transfer::read_cb));
      set(curl_easy_setopt(e, CURLOPT_READDATA, this));
      set(curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &Transfer::seek_cb));
      set(curl_easy_setopt(e, CURLOPT_SEEKDATA, this));
      break;
  }
  if (!prepared.custom_method.empty()) {
    set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, prepared.custom_method.c_str()));
  }
  set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_));

  set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::header_cb));
  set(curl_easy_setopt(e, CURLOPT_HEADERDATA, this));
  set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::write_cb));
  set(curl_easy_setopt(e, CURLOPT_WRITEDATA, this));
  set(curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &Transfer::prereq_cb));
  set(curl_easy_setopt(e, CURLOPT_PREREQDATA, this));

  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, request.verify_tls ? 1L : 0L));
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, request.verify_tls ? 2L : 0L));
  if (!request.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, request.ca_file.c_str()));
  // With a CA file in effect (ca_file, or libcurl's built-in bundle), trust comes from that file
  // alone, not also from a CA directory: libcurl then builds the certificate store once per
  // multi handle and caches it (CURLOPT_CA_CACHE_TIMEOUT, 24 h) instead of parsing the bundle on
  // the loop for every new connection, which a built-in CApath (Debian: /etc/ssl/certs) prevents.
  char* default_ca_file = nullptr;
  curl_easy_getinfo(e, CURLINFO_CAINFO, &default_ca_file);
  if (!request.ca_file.empty() || default_ca_file != nullptr) {
    set(curl_easy_setopt(e, CURLOPT_CAPATH, static_cast<const char*>(nullptr)));
  }

  if (timeouts_.connect_ms != 0) {
    set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts_.connect_ms)));
  }
  if (timeouts_.total_ms != 0) {
    set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts_.total_ms)));
  }

  // Set explicitly, so libcurl never consults the environment itself ("" means direct). A
  // guarded call always goes direct: through a proxy, the address checked would be the proxy's.
  const std::string& proxy_url =
      request.isolated ? std::string() : proxy.for_scheme(prepared.scheme);
  set(curl_easy_setopt(e, CURLOPT_PROXY, proxy_url.c_str()));
  set(curl_easy_setopt(e, CURLOPT_NOPROXY, proxy.no_proxy.c_str()));

  if (rc != CURLE_OK) {
    *error = std::string("libcurl refused an option: ") + curl_easy_strerror(rc);
    return false;
  }
  return true;
}

void Transfer::cancel() {
  callbacks_ = nullptr;
  disarm();
}

void Transfer::pause() {
  user_paused_ = true;
  if (deadline_ == Deadline::idle) disarm();  // silence while paused is not the upstream's fault
}

bool Transfer::resume() {
  if (!user_paused_) return false;
  user_paused_ = false;
  if (curl_paused_) return true;
  if (first_byte_seen_) arm_idle();
  return false;
}

CURLcode Transfer::unpause() {
  if (cancelled() || user_paused_ || !curl_paused_) return CURLE_OK;
  curl_paused_ = false;
  arm_idle();
  return curl_easy_pause(easy_, CURLPAUSE_CONT);
}

void Transfer::fail(UpstreamFailure kind, std::string reason) {
  if (failure_) return;
  failure_ = Outcome{false, kind, std::move(reason)};
}

Transfer::Outcome Transfer::outcome(CURLcode code) const {
  if (failure_) return *failure_;
  if (code == CURLE_OK) {
    if (headers_done_) return Outcome{true, UpstreamFailure::other, {}};
    return Outcome{false, UpstreamFailure::other, "the response ended before its header block"};
  }
  if (refused_addresses_ > 0 && allowed_addresses_ == 0 && !request_started_) {
    return Outcome{false, UpstreamFailure::refused,
                   "the host resolves to no public address (internal addresses are refused)"};
  }
  UpstreamFailure kind = classify(code);
  // A connection that broke before any request went out (say a proxy refusing the CONNECT) is
  // a connect failure in the contract's terms.
  if (kind == UpstreamFailure::reset && !request_started_) kind = UpstreamFailure::connect;
  return Outcome{false, kind, failure_reason(code, error_buffer_, secrets_)};
}

runtime::UpstreamCallbacks* Transfer::release_callbacks() {
  runtime::UpstreamCallbacks* callbacks = callbacks_;
  cancel();
  return callbacks;
}

// ---- libcurl callbacks -----------------------------------------------------------------------

size_t Transfer::header_cb(char* data, size_t size, size_t count, void* arg) {
  return static_cast<Transfer*>(arg)->on_header(data, size * count);
}

size_t Transfer::on_header(const char* data, size_t length) {
  if (cancelled()) return 0;         // any short count fails the transfer
  if (headers_done_) return length;  // trailers after a chunked body: not passed on
  first_byte_seen_ = true;
  arm_idle();
  switch (head_.feed(std::string_view(data, length))) {
    case ResponseHeadParser::Step::more:
    case ResponseHeadParser::Step::interim:
      return length;
    case ResponseHeadParser::Step::error:
      fail(UpstreamFailure::other, head_.error());
      return 0;
    case ResponseHeadParser::Step::done:
      break;
  }
  headers_done_ = true;
  callbacks_->on_upstream_headers(head_.status(), head_.take_headers());
  return cancelled() ? 0 : length;
}

size_t Transfer::write_cb(char* data, size_t size, size_t count, void* arg) {
  return static_cast<Transfer*>(arg)->on_write(data, size * count);
}

size_t Transfer::on_write(const char* data, size_t length) {
  if (cancelled()) return CURL_WRITEFUNC_ERROR;
  if (!headers_done_) {
    fail(UpstreamFailure::other, "response body before the end of its header block");
    return CURL_WRITEFUNC_ERROR;
  }
  if (user_paused_) {
    curl_paused_ = true;  // libcurl keeps this chunk and delivers it again after unpause()
    return CURL_WRITEFUNC_PAUSE;
  }
  if (length == 0) return 0;
  arm_idle();
  callbacks_->on_upstream_body(std::string_view(data, length));
  return cancelled() ? CURL_WRITEFUNC_ERROR : length;
}

size_t Transfer::read_cb(char* buffer, size_t size, size_t count, void* arg) {
  auto* self = static_cast<Transfer*>(arg);
  if (self->cancelled()) return CURL_READFUNC_ABORT;
  const size_t n = std::min(size * count, self->body_.size() - self->body_offset_);
  std::memcpy(buffer, self->body_.data() + self->body_offset_, n);
  self->body_offset_ += n;
  if (self->body_offset_ == self->body_.size() && !self->request_sent_) {
    // The whole request is with libcurl: the first-byte clock starts (again) here.
    self->request_sent_ = true;
    if (!self->first_byte_seen_) self->arm(Deadline::first_byte);
  }
  return n;
}

int Transfer::seek_cb(void* arg, curl_off_t offset, int origin) {
  // libcurl rewinds to resend the body, e.g. on a fresh connection after a reused one died.
  auto* self = static_cast<Transfer*>(arg);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > self->body_.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  self->body_offset_ = static_cast<size_t>(offset);
  self->request_sent_ = false;
  return CURL_SEEKFUNC_OK;
}

curl_socket_t Transfer::open_socket_cb(void* arg, curlsocktype purpose, curl_sockaddr* address) {
  auto* self = static_cast<Transfer*>(arg);
  if (purpose != CURLSOCKTYPE_IPCXN || self->cancelled() ||
      !is_public_address(&address->addr, address->addrlen)) {
    ++self->refused_addresses_;  // libcurl tries the next address, or fails the transfer
    return CURL_SOCKET_BAD;
  }
  ++self->allowed_addresses_;
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

int Transfer::prereq_cb(void* arg, char* remote_ip, char*, int, int) {
  // Connected (or reusing a connection); the request goes out next.
  auto* self = static_cast<Transfer*>(arg);
  if (self->cancelled()) return CURL_PREREQFUNC_ABORT;
  if (self->public_only_ && !is_public_address_text(remote_ip ? remote_ip : "")) {
    // Second line behind open_socket_cb (a guarded call never reuses a connection).
    self->fail(UpstreamFailure::refused, "the peer address is not public (refused)");
    return CURL_PREREQFUNC_ABORT;
  }
  self->request_started_ = true;
  if (!self->first_byte_seen_) self->arm(Deadline::first_byte);
  return CURL_PREREQFUNC_OK;
}

// ---- deadline --------------------------------------------------------------------------------

void Transfer::arm(Deadline deadline) {
  const uint32_t ms =
      deadline == Deadline::first_byte ? timeouts_.first_byte_ms : timeouts_.idle_ms;
  if (cancelled() || ms == 0) {
    disarm();
    return;
  }
  deadline_ = deadline;
  const timeval tv = to_timeval(ms);
  evtimer_add(deadline_ev_, &tv);
}

void Transfer::arm_idle() {
  if (user_paused_) {
    if (deadline_ == Deadline::idle) disarm();
    return;
  }
  arm(Deadline::idle);
}

void Transfer::disarm() {
  deadline_ = Deadline::none;
  if (deadline_ev_ != nullptr) evtimer_del(deadline_ev_);
}

void Transfer::deadline_cb(evutil_socket_t, short, void* arg) {
  http::LoopClock::Scope clock;
  auto* self = static_cast<Transfer*>(arg);
  const Deadline which = self->deadline_;
  self->deadline_ = Deadline::none;
  if (which == Deadline::none || self->cancelled()) return;
  if (which == Deadline::first_byte) {
    self->fail(UpstreamFailure::timeout, "no response within " +
                                             std::to_string(self->timeouts_.first_byte_ms) +
                                             " ms of sending the request (first-byte timeout)");
  } else {
    self->fail(
        UpstreamFailure::timeout,
        "no response data for " + std::to_string(self->timeouts_.idle_ms) + " ms (idle timeout)");
  }
  self->owner_.on_transfer_deadline(*self);  // frees self
}

}  // namespace sluice::upstream
