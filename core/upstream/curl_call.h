#pragma once
// The handle CurlTransport::start() gives the caller (runtime::UpstreamCall): forwards
// backpressure to the transport, and cancels the call when destroyed. Once the transfer is over
// (finished, or its transport destroyed) the handle is detached and every method does nothing.

#include "core/runtime/upstream.h"

namespace sluice::upstream {

class CurlTransport;
class Transfer;

class CurlCall final : public runtime::UpstreamCall {
 public:
  CurlCall(CurlTransport& transport, Transfer& transfer)
      : transport_(&transport), transfer_(&transfer) {}
  // Cancels at once and silently: no callback after this returns.
  ~CurlCall() override;
  CurlCall(const CurlCall&) = delete;
  CurlCall& operator=(const CurlCall&) = delete;

  // Never calls back from inside (resuming delivers the kept body on a later loop turn).
  void pause_body() override;
  void resume_body() override;

  // For the transport: the transfer is gone.
  void detach() {
    transport_ = nullptr;
    transfer_ = nullptr;
  }

 private:
  CurlTransport* transport_;
  Transfer* transfer_;
};

}  // namespace sluice::upstream
