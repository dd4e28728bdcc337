// Request routing, control gathering, the choice between error and answer, and logging.

#include "tools/fake-llm/handler.h"

#include <chrono>
#include <string>
#include <utility>

#include "core/observability/log.h"
#include "tools/fake-llm/answers.h"
#include "tools/fake-llm/anthropic_requests.h"
#include "tools/fake-llm/anthropic_responses.h"
#include "tools/fake-llm/azure_api.h"
#include "tools/fake-llm/bedrock_auth.h"
#include "tools/fake-llm/bedrock_responses.h"
#include "tools/fake-llm/control_api.h"
#include "tools/fake-llm/directives.h"
#include "tools/fake-llm/gemini_requests.h"
#include "tools/fake-llm/gemini_responses.h"
#include "tools/fake-llm/google_oauth.h"
#include "tools/fake-llm/images.h"
#include "tools/fake-llm/openai_responses.h"
#include "tools/fake-llm/planning.h"
#include "tools/fake-llm/responder.h"
#include "tools/fake-llm/routes.h"

namespace fake_llm {

using sluice::http::Request;

namespace {

constexpr std::string_view kGeminiService = "generativelanguage.googleapis.com";
constexpr std::string_view kVertexService = "aiplatform.googleapis.com";

std::string new_request_id(Provider provider, Random& random) {
  switch (provider) {
    case Provider::bedrock:
    case Provider::azure:
      return random.uuid();
    case Provider::anthropic:
      return random.id("req_01", 22);
    default:
      return random.id("req_", 32);
  }
}

// A request problem in the route's provider's error shape.
void render_error(Provider provider, Plan* plan, const ApiError& error,
                  std::string_view request_id) {
  switch (provider) {
    case Provider::bedrock:
      bedrock_error(plan, error.status, error.message, request_id);
      break;
    case Provider::anthropic:
      anthropic_error(plan, error.status, error.message, request_id);
      break;
    case Provider::azure:
      if (error.status == 404) {
        azure_status_error(plan, 404, request_id);
      } else {
        openai_error(plan, error, request_id);
        azure_headers(plan, request_id);
      }
      break;
    case Provider::gemini:
      gemini_error(plan, error.status, error.message, error.code, kGeminiService);
      break;
    case Provider::vertex:
      gemini_error(plan, error.status, error.message, error.code, kVertexService);
      break;
    case Provider::google_oauth:
      google_oauth_error(plan, error.status, error.code.empty() ? "invalid_request" : error.code,
                         error.message);
      break;
    default:
      openai_error(plan, error, request_id);
      break;
  }
}

// An injected status in the route's provider's error shape.
void render_status_error(Provider provider, Plan* plan, int status, std::string_view request_id) {
  switch (provider) {
    case Provider::bedrock:
      bedrock_status_error(plan, status, request_id);
      break;
    case Provider::anthropic:
      anthropic_status_error(plan, status, request_id);
      break;
    case Provider::azure:
      azure_status_error(plan, status, request_id);
      break;
    case Provider::gemini:
      gemini_status_error(plan, status, kGeminiService);
      break;
    case Provider::vertex:
      gemini_status_error(plan, status, kVertexService);
      break;
    case Provider::google_oauth:
      google_oauth_error(plan, status, status >= 500 ? "internal_failure" : "invalid_request",
                         "fake-llm injected " + std::to_string(status));
      break;
    default:
      openai_status_error(plan, status, request_id);
      break;
  }
}

// The credential and header checks a provider makes before it reads the body. False when *plan
// holds the rejection.
bool authorize(Provider provider, const Request& request, const SharedState& shared, int64_t now_s,
               std::string_view request_id, Plan* plan) {
  ApiError error;
  switch (provider) {
    case Provider::bedrock:  // a SigV4 refusal has its own shape (x-amzn-errortype)
      if (bedrock_signature_ok(request, shared.aws_keys, &error)) return true;
      bedrock_signature_error(plan, error, request_id);
      return false;
    case Provider::anthropic:
      if (check_anthropic_headers(request.headers, shared.anthropic_key, &error)) return true;
      break;
    case Provider::azure:  // answers in its gateway's own shape
      return azure_authorize(request, shared.azure_key, request_id, plan);
    case Provider::gemini:
      if (check_gemini_key(request, shared.gemini_key, &error)) return true;
      break;
    case Provider::vertex:
      if (check_vertex_bearer(request.headers, shared.google.tokens, now_s, &error)) return true;
      break;
    default:
      return true;
  }
  render_error(provider, plan, error, request_id);
  return false;
}

}  // namespace

FakeHandler::FakeHandler(event_base* base, SharedState& shared, uint64_t seed)
    : base_(base), shared_(shared), random_(seed) {}

std::unique_ptr<sluice::http::Exchange> FakeHandler::start(Request request,
                                                           sluice::http::ResponseSink& sink) {
  const auto arrival = std::chrono::steady_clock::now();
  const Route route = match_route(request.path);
  const Provider provider = provider_of(route.kind);
  if (provider == Provider::control) {
    handle_control(request, route, shared_, sink);
    return nullptr;
  }
  if (route.kind == RouteKind::unknown && is_image_path(request.path)) {
    return serve_image(std::move(request), base_, shared_, sink);
  }
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const std::string request_id = new_request_id(provider, random_);
  Plan plan;

  // Credentials first, as at the real providers: a rejected request takes no programmed entry.
  // AWS checks a Bedrock request's signature before its method; the others check credentials on
  // the route's method only.
  const bool known = route.kind != RouteKind::unknown;
  const bool method_ok = request.method == route_method(route.kind);
  const bool rejected = known && (method_ok || provider == Provider::bedrock) &&
                        !authorize(provider, request, shared_, now_ms / 1000, request_id, &plan);

  // Controls, weakest first: a programmed entry, the message's directive, the headers. Token
  // requests leave the program to the model requests they come before.
  Controls controls;
  const bool programmed = known && !rejected && provider != Provider::google_oauth &&
                          shared_.program.pop(route.prefix, &controls);
  ParsedRequest parsed;
  if (known && method_ok && !rejected) parse_request(request, route, &parsed);
  if (rejected) parsed.model = route.model_id;  // the deployment or model the path names
  std::string control_error;
  Controls from_message;
  Controls from_headers;
  bool controls_ok = true;
  if (parsed.ok && parsed.user_text != nullptr) {
    controls_ok = extract_directives(parsed.user_text, &from_message, &control_error);
  }
  if (controls_ok) {
    controls_ok = read_control_headers(request.headers, &from_headers, &control_error);
  }
  controls.overlay(from_message);
  controls.overlay(from_headers);
  if (controls.profile == Profile::guide && !controls.delay_ms) {
    controls.delay_ms = random_.between(kGuideFirstMinMs, kGuideFirstMaxMs);
  }

  const auto fail = [&](const ApiError& error) {
    render_error(provider, &plan, error, request_id);
  };
  const int status = controls.status.value_or(200);
  if (!known) {
    ApiError error;
    error.status = 404;
    error.message = "Invalid URL (" + request.method + " " + request.path + ")";
    openai_error(&plan, error, request_id);
  } else if (rejected) {
    // *plan already holds the provider's rejection.
  } else if (!method_ok) {
    ApiError error;
    error.status = 405;
    error.message = "Invalid method for URL (" + request.method + " " + request.path + ")";
    fail(error);
  } else if (!controls_ok) {
    ApiError error;
    error.message = control_error;
    fail(error);
  } else if (status >= 300) {
    render_status_error(provider, &plan, status, request_id);
  } else if (!parsed.ok) {
    fail(parsed.error);
  } else {
    AnswerContext answer_context;
    answer_context.random = &random_;
    answer_context.now_ms = now_ms;
    answer_context.arrival = arrival;
    answer_context.request_id = request_id;
    answer_context.embedding_dim = shared_.embedding_dim;
    answer_context.google = &shared_.google;
    build_answer(route.kind, parsed, controls, answer_context, &plan);
    if (status != 200) plan.head.status = status;  // an injected 2xx other than 200
  }
  apply_controls(&plan, controls, random_);

  if (shared_.verbose) {
    sluice::log::info("request", {{"method", request.method},
                                  {"path", request.path},
                                  {"route", route_name(route.kind)},
                                  {"status", plan.head.status},
                                  {"fault", plan.fault}});
  }
  ResponderContext context;
  context.base = base_;
  context.local_port = shared_.port.load(std::memory_order_relaxed);
  context.peer = request.peer;
  context.arrival = arrival;
  if (shared_.log) {
    LogEntry entry;
    entry.time_ms = now_ms;
    entry.prefix = std::string(route.prefix);  // a view into request.path: copy it first
    entry.method = std::move(request.method);
    entry.path = std::move(request.path);
    entry.route = std::string(route_name(route.kind));
    entry.model = std::move(parsed.model);
    entry.headers = std::move(request.headers);
    entry.body = std::move(request.body);
    entry.fault = plan.fault;
    entry.programmed = programmed;
    context.log.log = shared_.log.get();
    context.log.seq = shared_.log->add(std::move(entry));
  }
  return Responder::start(std::move(context), sink, std::move(plan));
}

}  // namespace fake_llm
