#pragma once
// The test-control endpoints under /_fake/ (an optional prefix before them scopes them):
//   POST   /_fake/program   {"responses":[{…controls…}, …], "prefix": optional} queue answers
//   GET    /_fake/program   {"pending": n}
//   DELETE /_fake/program   empties the queue
//   GET    /_fake/requests  the request log {"requests":[…]} (?since=<seq>, ?prefix=<p>)
//   DELETE /_fake/requests  clears the log and the queue
// They answer at once, in JSON, and are not themselves logged.

#include "core/http/exchange.h"
#include "tools/fake-llm/routes.h"
#include "tools/fake-llm/shared_state.h"

namespace fake_llm {

void handle_control(const sluice::http::Request& request, const Route& route, SharedState& shared,
                    sluice::http::ResponseSink& sink);

}  // namespace fake_llm
