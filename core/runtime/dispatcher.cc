// Dispatcher: chain selection and request ids.

#include "core/runtime/dispatcher.h"

#include <fmt/format.h>

#include "core/apis/inbound.h"
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
    head.headers = {{"content-type", "application/json"}};
    std::string message = fmt::format("no route for {} {}", request.method, request.path);
    std::string body = http::openai_error_body(404, message, "route_not_found");
    std::string ignored;
    const apis::ClientApi api = apis::inbound_route(request.method, request.path, &ignored).api;
    if (const apis::InboundCodec* codec = apis::inbound_codec(api)) {  // in the client's shape
      apis::ApiError error;
      error.status = 404;
      error.message = std::move(message);
      error.code = "route_not_found";
      apis::ClientAnswer answer = codec->encode_error(error);
      head.status = answer.status;
      head.headers.clear();
      for (apis::Header& header : answer.headers) {
        head.headers.push_back({std::move(header.name), std::move(header.value)});
      }
      body = std::move(answer.body);
    }
    head.headers.push_back({"x-request-id", std::string(request_id.view())});
    sink.send_whole(std::move(head), body);
    RuntimeMetrics::get().requests->counter({"", "404"})->inc();
    return nullptr;
  }
  auto stream = std::make_unique<RequestStream>(services_, cached_, *chain, std::move(request),
                                                sink, request_id);
  stream->start();
  return stream;
}

}  // namespace sluice::runtime
