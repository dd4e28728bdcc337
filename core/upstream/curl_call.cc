// The caller's handle on one upstream call (see curl_call.h).

#include "core/upstream/curl_call.h"

#include "core/upstream/curl_transport.h"

namespace sluice::upstream {

CurlCall::~CurlCall() {
  if (transport_ != nullptr) transport_->cancel(*transfer_);
}

void CurlCall::pause_body() {
  if (transport_ != nullptr) transport_->pause(*transfer_);
}

void CurlCall::resume_body() {
  if (transport_ != nullptr) transport_->resume(*transfer_);
}

}  // namespace sluice::upstream
