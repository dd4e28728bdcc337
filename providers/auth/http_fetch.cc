// Blocking HTTP through libcurl's easy interface: see http_fetch.h.

#include "providers/auth/http_fetch.h"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>
#include <mutex>

namespace sluice::providers::auth {
namespace {

struct Transfer {
  std::string body;
  bool too_large = false;
  const std::atomic<bool>* cancel = nullptr;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (transfer->body.size() + bytes > kMaxResponseBytes) {
    transfer->too_large = true;
    return 0;  // curl aborts the transfer
  }
  transfer->body.append(data, bytes);
  return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->cancel->load() ? 1 : 0;
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Credential endpoints on loopback and link-local addresses must never go through a proxy the
// environment names; the environment's own exceptions are kept.
std::string no_proxy_list() {
  std::string list = "localhost,127.0.0.1,::1,169.254.169.254,169.254.170.2,169.254.170.23";
  for (const char* name : {"NO_PROXY", "no_proxy"}) {
    const char* value = std::getenv(name);  // only read here, on a source's own thread
    if (value != nullptr && *value != '\0') {
      list += ',';
      list += value;
      break;
    }
  }
  return list;
}

}  // namespace

HttpResponse http_fetch(const HttpRequest& request, const HttpTimeouts& timeouts,
                        const std::atomic<bool>& cancel) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  HttpResponse response;
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) {
    response.error = "cannot start an HTTP transfer";
    return response;
  }
  Transfer transfer;
  transfer.cancel = &cancel;
  std::unique_ptr<curl_slist, ListDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) {
      response.error = "out of memory";
      return response;
    }
    headers.release();
    headers.reset(appended);
  }
  const std::string no_proxy = no_proxy_list();
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: we are one thread of many
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeouts.connect_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeouts.total_ms);
  curl_easy_setopt(e, CURLOPT_NOPROXY, no_proxy.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer);
  if (request.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  const CURLcode code = curl_easy_perform(e);
  if (code != CURLE_OK) {
    if (transfer.too_large) {
      response.error = "the answer from " + request.url + " is larger than " +
                       std::to_string(kMaxResponseBytes) + " bytes";
    } else if (cancel.load()) {
      response.error = "cancelled";
    } else {
      response.error =
          request.url + ": " + (error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
    }
    return response;
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(transfer.body);
  return response;
}

}  // namespace sluice::providers::auth
