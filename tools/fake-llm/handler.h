#pragma once
// FakeHandler: one worker's RequestHandler. Routes a request (control endpoints, or a provider
// route under an optional prefix), makes the provider's credential checks, gathers its controls
// (program queue < [[fake]] directive < x-fake-* headers), decides between an error (in the
// provider's shape) and the answer (answers.h) as a Plan, applies timing and faults
// (planning.h), logs the request, and hands the plan to a Responder.
//
// Runs on its worker's event-loop thread only; shares SharedState with the other workers.

#include <memory>

#include "core/http/exchange.h"
#include "tools/fake-llm/ids.h"
#include "tools/fake-llm/shared_state.h"

struct event_base;

namespace fake_llm {

class FakeHandler final : public sluice::http::RequestHandler {
 public:
  FakeHandler(event_base* base, SharedState& shared, uint64_t seed);
  std::unique_ptr<sluice::http::Exchange> start(sluice::http::Request request,
                                                sluice::http::ResponseSink& sink) override;

 private:
  event_base* base_;
  SharedState& shared_;
  Random random_;
};

}  // namespace fake_llm
