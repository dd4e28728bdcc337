// Dispatcher: chain selection and request ids.

#include "core/runtime/dispatcher.h"

#include <fmt/format.h>

#include "core/http/error_body.h"
#include "core/observability/request_id.h"
#include "core/runtime/runtime_metrics.h"

namespace sluice::runtime {

Dispatcher::Dispatcher(WorkerServices services, const ConfigSource& source)
    : services_(services), source_(source) {}

std::unique_ptr<http::Exchange> Dispatcher::start(http::Request request, http::ResponseSink& sink) {
  const std::string* incoming = http::find_header(request.headers, "x-request-id");
  const RequestId request_id =
      incoming && is_valid_request_id(*incoming) ? RequestId(*incoming) : new_request_id();

  uint64_t generation = source_.generation();
  if (generation != cached_generation_) {
    cached_ = source_.current();
    cached_generation_ = generation;
  }
  const Chain* chain = cached_ ? cached_->match(request.method, request.path) : nullptr;
  if (!chain) {
    http::ResponseHead head;
    head.status = 404;
    head.headers = {{"content-type", "application/json"},
                    {"x-request-id", std::string(request_id.view())}};
    sink.send_whole(std::move(head),
                    http::openai_error_body(
                        404, fmt::format("no route for {} {}", request.method, request.path),
                        "route_not_found"));
    RuntimeMetrics::get().requests->counter({"", "404"})->inc();
    return nullptr;
  }
  auto stream = std::make_unique<RequestStream>(services_, cached_, *chain, std::move(request),
                                                sink, request_id);
  stream->start();
  return stream;
}

}  // namespace sluice::runtime
