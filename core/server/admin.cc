// AdminHandler: health, metrics and config dump.

#include "core/server/admin.h"

#include <fmt/format.h>

#include "core/http/error_body.h"
#include "core/observability/metrics.h"

namespace sluice::server {
namespace {

void reply(http::ResponseSink& sink, int status, std::string_view content_type,
           std::string_view body) {
  http::ResponseHead head;
  head.status = status;
  head.headers = {{"content-type", std::string(content_type)}, {"cache-control", "no-store"}};
  sink.send_whole(std::move(head), body);
}

}  // namespace

std::unique_ptr<http::Exchange> AdminHandler::start(http::Request request,
                                                    http::ResponseSink& sink) {
  const std::string& path = request.path;
  bool known = path == "/health/liveliness" || path == "/health/liveness" ||
               path == "/health/readiness" || path == "/metrics" || path == "/config_dump";
  if (!known) {
    reply(sink, 404, "application/json",
          http::openai_error_body(404, fmt::format("no admin endpoint {}", path), "not_found"));
    return nullptr;
  }
  if (request.method != "GET") {
    reply(sink, 405, "application/json",
          http::openai_error_body(405, "admin endpoints accept GET only", "method_not_allowed"));
    return nullptr;
  }
  if (path == "/health/liveliness" || path == "/health/liveness") {
    reply(sink, 200, "application/json", "\"I'm alive!\"");
  } else if (path == "/health/readiness") {
    bool ready = ready_.load();
    reply(sink, ready ? 200 : 503, "application/json",
          ready ? R"({"status":"ready"})" : R"({"status":"not ready"})");
  } else if (path == "/metrics") {
    reply(sink, 200, "text/plain; version=0.0.4; charset=utf-8", metrics::global().render());
  } else {
    auto runtime = source_.current();
    if (!runtime) {
      reply(sink, 503, "application/json",
            http::openai_error_body(503, "no configuration loaded yet", "not_ready"));
    } else {
      reply(sink, 200, "application/json", config::render_json(runtime->config()));
    }
  }
  return nullptr;
}

}  // namespace sluice::server
