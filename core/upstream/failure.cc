// CURLcode to failure kind, and reason texts without secrets (see failure.h).

#include "core/upstream/failure.h"

#include <algorithm>

namespace sluice::upstream {

using runtime::UpstreamFailure;

UpstreamFailure classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
      return UpstreamFailure::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return UpstreamFailure::timeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return UpstreamFailure::reset;
    default:
      return UpstreamFailure::other;
  }
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  std::vector<const std::string*> order;
  order.reserve(secrets.size());
  for (const std::string& secret : secrets) {
    if (!secret.empty()) order.push_back(&secret);
  }
  // Longest first, so a secret that contains another is masked whole.
  std::sort(order.begin(), order.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  constexpr std::string_view kMask = "***";
  for (const std::string* secret : order) {
    size_t at = 0;
    while ((at = text.find(*secret, at)) != std::string::npos) {
      text.replace(at, secret->size(), kMask);
      at += kMask.size();
    }
  }
  return text;
}

std::string failure_reason(CURLcode code, std::string_view detail,
                           const std::vector<std::string>& secrets) {
  std::string reason = curl_easy_strerror(code);
  reason += " (curl error ";
  reason += std::to_string(static_cast<int>(code));
  reason += ')';
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) {
    detail.remove_suffix(1);
  }
  if (!detail.empty() && detail != curl_easy_strerror(code)) {
    reason += ": ";
    reason += scrub(std::string(detail), secrets);
  }
  return reason;
}

}  // namespace sluice::upstream
