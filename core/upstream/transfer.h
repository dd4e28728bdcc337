#pragma once
// One upstream call's libcurl easy handle and what hangs off it: the options set from the
// request (method, URL, headers, body, TLS, timeouts, proxy), the libcurl callbacks that parse the
// response head and pass headers and body chunks on to the caller, the request body source, and
// the call's own deadline (first byte, then idle between chunks) on a libevent timer. It never
// touches the multi handle: CurlTransport adds, removes and frees it, always outside libcurl's
// callbacks.
//
// Cancelling only silences it (no callback from then on) and makes its libcurl callbacks fail the
// transfer; the transport removes and frees it afterwards. Pausing is a flag: the next body chunk
// is refused with CURL_WRITEFUNC_PAUSE (libcurl keeps it), so curl_easy_pause is only ever called
// to resume, and only by the transport from its own event.
//
// A guarded call (request.isolated) takes a fresh connection that is never reused, and goes
// direct whatever proxy is set; with public_addresses_only, every address libcurl is about to
// connect to is checked in CURLOPT_OPENSOCKETFUNCTION (refused ones never get a packet), and the
// peer once more before the request goes out (CURLOPT_PREREQFUNCTION). Failure `refused` when
// no address was allowed.

#include <curl/curl.h>
#include <event2/util.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/runtime/upstream.h"
#include "core/upstream/proxy_env.h"
#include "core/upstream/request_prep.h"
#include "core/upstream/response_head.h"

struct event;
struct event_base;

namespace sluice::upstream {

class CurlCall;
class Transfer;

// What a transfer needs from the transport that owns it.
class TransferOwner {
 public:
  virtual ~TransferOwner() = default;
  // The transfer's own deadline passed (a failure is recorded in it): end it now. Called from the
  // transfer's timer event, outside libcurl; the transfer is freed before this returns.
  virtual void on_transfer_deadline(Transfer& transfer) = 0;
};

struct TransferLimits {
  size_t max_header_bytes = 64 * 1024;
  size_t max_header_count = 200;
};

class Transfer {
 public:
  Transfer(uint64_t id, event_base* base, TransferOwner& owner,
           runtime::UpstreamCallbacks& callbacks, TransferLimits limits);
  // Frees the easy handle, which must not be in a multi handle any more.
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Creates the easy handle and sets every option. False and a reason when libcurl refuses one.
  bool configure(const runtime::UpstreamRequest& request, PreparedRequest prepared,
                 const ProxyEnvironment& proxy, std::string* error);

  uint64_t id() const { return id_; }
  CURL* easy() const { return easy_; }

  // Kept by the transport: whether the easy handle is in the multi handle, and the caller's
  // handle (nullptr once that is gone).
  bool in_multi = false;
  CurlCall* call = nullptr;

  bool cancelled() const { return callbacks_ == nullptr; }
  // No callback from now on; the deadline stops; libcurl callbacks fail the transfer.
  void cancel();

  // Backpressure (see the file comment). resume() says whether libcurl holds the transfer paused
  // and must be resumed with unpause(), which the transport calls outside libcurl's callbacks;
  // libcurl may deliver the body it kept from inside that call.
  void pause();
  bool resume();
  CURLcode unpause();

  // A failure found by this side (over a bound, a deadline); it wins over libcurl's result.
  void fail(runtime::UpstreamFailure kind, std::string reason);

  struct Outcome {
    bool complete = false;
    runtime::UpstreamFailure kind = runtime::UpstreamFailure::other;
    std::string reason;
  };
  // How the call ended, given libcurl's result (CURLE_OK when the transport ended it itself).
  Outcome outcome(CURLcode code) const;
  // The callbacks for the last call, nullptr when cancelled; the transfer is silent afterwards.
  runtime::UpstreamCallbacks* release_callbacks();

 private:
  enum class Deadline { none, first_byte, idle };

  static size_t header_cb(char* data, size_t size, size_t count, void* arg);
  static size_t write_cb(char* data, size_t size, size_t count, void* arg);
  static size_t read_cb(char* buffer, size_t size, size_t count, void* arg);
  static int seek_cb(void* arg, curl_off_t offset, int origin);
  static int prereq_cb(void* arg, char* remote_ip, char* local_ip, int remote_port, int local_port);
  static curl_socket_t open_socket_cb(void* arg, curlsocktype purpose, curl_sockaddr* address);
  static void deadline_cb(evutil_socket_t fd, short what, void* arg);

  size_t on_header(const char* data, size_t length);
  size_t on_write(const char* data, size_t length);
  void arm(Deadline deadline);
  void arm_idle();
  void disarm();

  const uint64_t id_;
  event_base* base_;
  TransferOwner& owner_;
  runtime::UpstreamCallbacks* callbacks_;
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  std::string body_;
  size_t body_offset_ = 0;
  runtime::UpstreamTimeouts timeouts_;
  std::vector<std::string> secrets_;
  bool public_only_ = false;      // a guarded call's public_addresses_only
  size_t refused_addresses_ = 0;  // addresses open_socket_cb would not connect to
  size_t allowed_addresses_ = 0;  // and those it opened a socket for
  char error_buffer_[CURL_ERROR_SIZE] = {};

  ResponseHeadParser head_;
  bool first_byte_seen_ = false;
  bool headers_done_ = false;
  bool request_started_ = false;  // libcurl was about to send the request (prereq) at least once
  bool request_sent_ = false;     // the whole body is with libcurl
  bool user_paused_ = false;
  bool curl_paused_ = false;  // a chunk was refused with CURL_WRITEFUNC_PAUSE

  event* deadline_ev_ = nullptr;
  Deadline deadline_ = Deadline::none;
  std::optional<Outcome> failure_;
};

}  // namespace sluice::upstream
