// RequestStream: the per-request state machine of the chain runtime (see request_stream.h).
//
// One driver, run(), walks `order_` (the slots the current phase visits) with `cursor_`. Phases
// only change state; entry points from the loop (start, timers, upstream callbacks, scheduled
// continuations) are the only callers of run(), so the chain never recurses into itself.

#include "core/runtime/request_stream.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "core/apis/inbound.h"
#include "core/http/error_body.h"
#include "core/http/loop_clock.h"
#include "core/observability/log.h"
#include "core/runtime/runtime_metrics.h"

namespace sluice::runtime {

struct RequestStream::Timer {
  RequestStream* owner;
  sluice_stream* slot;
  uint64_t id;
  uint64_t token;
  event* ev;
  ~Timer() { event_free(ev); }
};

// One http_call (or http_call_guarded) in flight: collects the response, then hands it to the
// filter's on_op_done. The body bound is checked against Content-Length as soon as the head
// arrives and against every chunk: a body that would pass it ends the op there, and ending the op
// destroys the call, which stops the transfer.
struct RequestStream::HttpOp : UpstreamCallbacks {
  RequestStream* owner = nullptr;
  sluice_stream* slot = nullptr;
  uint64_t id = 0, token = 0;
  HttpCallBounds bounds;
  bool head = false;  // a HEAD request: no body follows the head
  std::unique_ptr<UpstreamCall> call;
  int status = 0;
  http::Headers headers;
  std::string body;

  HttpOp() = default;
  HttpOp(const HttpOp&) = delete;
  HttpOp& operator=(const HttpOp&) = delete;
  // However the op ends (answered, cancelled, its request gone), its reservation goes back.
  ~HttpOp() override {
    if (owner && bounds.guarded) owner->services_.guarded_reserved -= bounds.max_body;
  }

  // What a body over the bound reports: guarded calls (1.5) say so; http_call keeps 1.2's answer.
  sluice_op_result too_large() const {
    return bounds.guarded ? SLUICE_OP_TOO_LARGE : SLUICE_OP_FAILED;
  }

  void on_upstream_headers(int code, http::Headers received) override {
    status = code;
    headers = std::move(received);
    // A HEAD answer's Content-Length describes a body that does not come.
    if (const std::string* length = head ? nullptr : http::find_header(headers, "content-length")) {
      uint64_t declared = 0;
      const auto [end, error] =
          std::from_chars(length->data(), length->data() + length->size(), declared);
      if (error == std::errc::result_out_of_range ||
          (error == std::errc() && end == length->data() + length->size() &&
           declared > bounds.max_body)) {
        finish(too_large());
      }
    }
  }
  void on_upstream_body(std::string_view data) override {
    if (body.size() + data.size() > bounds.max_body) {
      finish(too_large());
      return;
    }
    body.append(data);
  }
  void on_upstream_complete() override { finish(SLUICE_OP_OK); }
  void on_upstream_failure(UpstreamFailure kind, std::string) override {
    status = 0;
    switch (kind) {
      case UpstreamFailure::timeout:
        finish(SLUICE_OP_TIMEOUT);
        return;
      case UpstreamFailure::refused:
        finish(bounds.guarded ? SLUICE_OP_REFUSED : SLUICE_OP_FAILED);
        return;
      default:
        finish(SLUICE_OP_FAILED);
        return;
    }
  }

  // Delivers the result once; the op (and its call) is freed when this returns.
  void finish(sluice_op_result result) {
    auto node = owner->http_ops_.extract(id);  // keeps *this alive until the end of the call
    if (node.empty()) return;
    if (result == SLUICE_OP_TOO_LARGE) body.clear();  // never part of an image or a document
    std::vector<sluice_header> list;
    for (const auto& h : headers) {
      list.push_back({sluice_str_of(h.name.data(), h.name.size()),
                      sluice_str_of(h.value.data(), h.value.size())});
    }
    sluice_op_done done = {};
    done.struct_size = sizeof(done);
    done.op_id = id;
    done.token = token;
    done.kind = SLUICE_OP_HTTP;
    done.result = result;
    done.http_status = static_cast<uint32_t>(result == SLUICE_OP_OK ? status : 0);
    done.headers = list.data();
    done.header_count = list.size();
    done.body = sluice_str_of(body.data(), body.size());
    if (auto hook = slot->filter->type->hooks.on_op_done) {
      sluice_stream* previous = owner->in_hook_;
      owner->in_hook_ = slot;
      hook(slot, slot->self, &done);
      owner->in_hook_ = previous;
      owner->scratch_.clear();
    }
  }
};

namespace {

// An answer's body: JSON (parsed when a filter first reads it) or raw bytes.
void assign_answer(JsonBody& body, std::string bytes, bool json, unsigned max_depth) {
  if (json) {
    body.assign_lazy(std::move(bytes), max_depth);
  } else {
    body.assign(std::move(bytes), false, max_depth);
  }
}

bool is_framing_header(std::string_view name) {
  return name == "content-length" || name == "transfer-encoding" || name == "connection";
}

uint32_t parse_retry_after_ms(const http::Headers& headers) {
  const std::string* value = http::find_header(headers, "retry-after");
  if (!value || value->empty() || value->size() > 6) return 0;
  uint32_t seconds = 0;
  for (char c : *value) {
    if (c < '0' || c > '9') return 0;  // HTTP-date form: ignored, the back-off applies
    seconds = seconds * 10 + static_cast<uint32_t>(c - '0');
  }
  return seconds * 1000;
}

uint32_t jittered_backoff_ms(const Plan& plan, uint32_t retry_number) {
  if (plan.backoff_base_ms == 0) return 0;
  uint64_t ceiling = static_cast<uint64_t>(plan.backoff_base_ms) << std::min(retry_number, 16u);
  if (plan.backoff_max_ms) ceiling = std::min<uint64_t>(ceiling, plan.backoff_max_ms);
  thread_local std::minstd_rand rng{std::random_device{}()};
  // "Equal jitter": at least half the ceiling, so retries never stampede at zero delay.
  uint64_t half = ceiling / 2;
  return static_cast<uint32_t>(half + (half ? rng() % (half + 1) : 0));
}

timeval to_timeval(uint32_t ms) {
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

}  // namespace

RequestStream::RequestStream(WorkerServices& services, std::shared_ptr<const RuntimeConfig> runtime,
                             const Chain& chain, http::Request request, http::ResponseSink& sink,
                             const RequestId& request_id)
    : services_(services),
      runtime_(std::move(runtime)),
      chain_(chain),
      sink_(sink),
      request_id_(request_id),
      method_(std::move(request.method)),
      path_(std::move(request.path)),
      started_(http::LoopClock::now()) {
  unsigned depth = runtime_->bootstrap().limits().max_json_depth();
  max_json_depth_ = depth ? depth : 64;
  request_.headers = std::move(request.headers);
  request_bytes_ = request.body.size();
  request_.body.assign(std::move(request.body), false, max_json_depth_);
  const size_t count = chain_.filters.size();
  if (count <= kInlineSlots) {
    all_slots_ = std::span(inline_slots_).first(count);
    order_.set_room(std::span(inline_order_).first(count));
  } else {
    more_slots_ = std::make_unique<sluice_stream[]>(count);
    more_order_ = std::make_unique<sluice_stream*[]>(count);
    all_slots_ = std::span(more_slots_.get(), count);
    order_.set_room(std::span(more_order_.get(), count));
  }
  for (size_t i = 0; i < count; ++i) {
    all_slots_[i].owner = this;
    all_slots_[i].filter = chain_.filters[i].get();
    all_slots_[i].index = i;
  }
  slots_ =
      all_slots_.first(chain_.router_index == Chain::kNoRouter ? count : chain_.router_index + 1);
}

RequestStream::~RequestStream() {
  if (phase_ != Phase::done) complete(true);
  if (backoff_timer_) event_free(backoff_timer_);
  if (run_event_) event_free(run_event_);
}

// ---- driving ------------------------------------------------------------------------------

void RequestStream::start() {
  enter_client_api();
  const std::string& raw = request_.body.raw();
  bool declared_json = is_json_content_type(request_.headers);
  if (!raw.empty() && (declared_json || looks_like_json(raw))) {
    if (auto error = request_.body.parse(max_json_depth_)) {
      if (declared_json) {
        reply_ = Reply{nullptr,
                       400,
                       {},
                       http::openai_error_body(400, "request body is not valid JSON: " + *error,
                                               "invalid_json")};
      }
    }
  }
  if (codec_ && client_model_.empty()) {
    std::string_view model;
    if (request_.body.get_string("/model", &model)) client_model_ = model;
  }
  for (sluice_stream& slot : slots_) order_.push_back(&slot);
  run_request_phase(Phase::request);
  run();
}

void RequestStream::enter_client_api() {
  // Almost every request is OpenAI's: told apart here without building a route.
  if (std::string_view(path_) != "/v1/messages" && !path_.starts_with("/bedrock/")) return;
  std::string error;
  apis::InboundRoute route = apis::inbound_route(method_, path_, &error);
  if (route.api == apis::ClientApi::openai) return;
  codec_ = apis::inbound_codec(route.api);
  if (!codec_) return;  // not served: the chain sees the request as it came
  // Only for these requests, so the OpenAI path pays nothing: absent means OpenAI's API.
  metadata_.set("request.api", apis::api_name(route.api));
  metadata_.set("request.client_path", path_);
  client_model_ = std::move(route.model_id);
  const std::string client_path = std::exchange(path_, "/v1/chat/completions");
  // Errors are made in OpenAI's shape like every other and leave in the client's (send_to_client).
  if (!error.empty()) {
    reply_ = Reply{nullptr, 400, {}, http::openai_error_body(400, error, "invalid_path")};
    return;
  }
  apis::ClientRequest request;
  request.path = client_path;
  request.model_id = client_model_;
  request.stream_path = route.stream_path;
  request.body = request_.body.raw();
  std::string openai_body;
  apis::ApiError failure;
  if (!codec_->decode_request(request, &openai_body, &failure)) {
    reply_ = Reply{nullptr,
                   failure.status,
                   {},
                   http::openai_error_body(failure.status, failure.message, failure.code)};
    return;
  }
  request_.body.assign(std::move(openai_body), false, max_json_depth_);
  std::erase_if(request_.headers,
                [](const http::Header& header) { return header.name == "content-type"; });
  request_.headers.push_back({"content-type", "application/json"});
}

apis::AnswerContext RequestStream::answer_context() const {
  apis::AnswerContext context;
  context.client_model = client_model_;
  context.latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(http::LoopClock::now() - started_)
          .count();
  return context;
}

void RequestStream::encode_whole_answer() {
  const int status = response_.status ? response_.status : 200;
  const std::string& body = response_.body.raw();
  apis::ClientAnswer answer = status >= 200 && status < 300
                                  ? codec_->encode_response(body, answer_context())
                                  : codec_->encode_error(apis::api_error_from_openai(status, body));
  response_.status = answer.status;
  for (const apis::Header& header : answer.headers) {
    std::erase_if(response_.headers,
                  [&](const http::Header& existing) { return existing.name == header.name; });
  }
  for (apis::Header& header : answer.headers) {
    response_.headers.push_back({std::move(header.name), std::move(header.value)});
  }
  response_.body.assign(std::move(answer.body), false, max_json_depth_);
}

void RequestStream::schedule_run() {
  if (phase_ == Phase::done) return;
  // Created on first use: most requests never pause, and an event per request costs a malloc.
  if (!run_event_)
    run_event_ = event_new(services_.loop, -1, 0, &RequestStream::on_scheduled_run, this);
  event_active(run_event_, 0, 0);
}

void RequestStream::on_scheduled_run(evutil_socket_t, short, void* self) {
  http::LoopClock::Scope clock;
  static_cast<RequestStream*>(self)->run();
}

void RequestStream::run() {
  while (phase_ != Phase::done) {
    if (reply_) {
      take_reply();
      continue;
    }
    if (phase_ == Phase::upstream) return;  // an upstream callback or a back-off timer resumes
    if (cursor_ < order_.size()) {
      sluice_stream* slot = order_[cursor_];
      if (slot->stopped) return;  // still waiting for resume()
      Step step = phase_ == Phase::response ? call_response_hook(slot, body_pass_)
                                            : call_request_hook(slot, body_pass_);
      if (step == Step::paused) return;
      if (step == Step::next) ++cursor_;
      if (step == Step::replaced) next_stream_event();
      continue;
    }
    if (phase_ == Phase::response && streaming_) {
      stream_pass_done();
      continue;
    }
    // End of a pass: headers first, then the body pass when there is a body.
    const Message& message = phase_ == Phase::response  ? response_
                             : phase_ == Phase::request ? request_
                                                        : attempt_->request;
    if (!body_pass_ && !message.body.empty()) {
      body_pass_ = true;
      cursor_ = 0;
      continue;
    }
    switch (phase_) {
      case Phase::request:
        finish_request_phase();
        break;
      case Phase::attempt_request:
        send_upstream();
        break;
      case Phase::response:
        finish_response_segment();
        break;
      default:
        return;
    }
  }
}

bool RequestStream::create_instance(sluice_stream* slot) {
  if (slot->created) return true;
  const FilterType& type = *slot->filter->type;
  if (type.hooks.stream_new) {
    slot->self = type.hooks.stream_new(slot->filter->config, slot);
    if (!slot->self) return false;
  }
  slot->created = true;
  return true;
}

RequestStream::Step RequestStream::call_request_hook(sluice_stream* slot, bool body) {
  if (!slot->created) {
    // A filter whose stream_new failed (and whose policy is open) is skipped for the rest of the
    // request: it is not asked again for the body pass, which would fail (and count) twice or
    // hand it a body whose headers it never saw.
    if (slot->create_failed) return Step::next;
    if (!create_instance(slot)) {
      slot->create_failed = true;
      return after_hook(slot, SLUICE_FAIL);
    }
  }
  const sluice_filter& hooks = slot->filter->type->hooks;
  // A hook the filter does not have: nothing can change, so nothing to look at after it.
  if (body ? !hooks.on_request_body : !hooks.on_request_headers) return Step::next;
  Message& message = slot->attempt ? slot->attempt->request : request_;
  sluice_status status = SLUICE_CONTINUE;
  in_hook_ = slot;
  if (body) {
    status = hooks.on_request_body(slot, slot->self);
  } else {
    status = hooks.on_request_headers(slot, slot->self, message.body.empty() ? 1 : 0);
  }
  in_hook_ = nullptr;
  scratch_.clear();
  return after_hook(slot, status);
}

RequestStream::Step RequestStream::call_response_hook(sluice_stream* slot, bool body) {
  if (!slot->created) return Step::next;  // never saw the request (it failed open)
  const sluice_filter& hooks = slot->filter->type->hooks;
  const bool has_hook =
      body ? hooks.on_response_body != nullptr : hooks.on_response_headers != nullptr;
  // A hook the filter does not have changes nothing; but events queued for replacement outside a
  // hook (from on_op_done) are taken by the next slot, with or without a hook, as always.
  if (!has_hook && !replacement_events_) return Step::next;
  sluice_status status = SLUICE_CONTINUE;
  in_hook_ = slot;
  if (has_hook && body) {
    status = hooks.on_response_body(slot, slot->self, !streaming_ || final_pass_ ? 1 : 0);
  } else if (has_hook) {
    status =
        hooks.on_response_headers(slot, slot->self, !streaming_ && response_.body.empty() ? 1 : 0);
  }
  in_hook_ = nullptr;
  scratch_.clear();
  Step step = after_hook(slot, status);
  if (replacement_events_) {
    std::vector<std::string> events = std::move(*replacement_events_);
    replacement_events_.reset();
    if (step == Step::next && status == SLUICE_CONTINUE) {
      replace_current_event(std::move(events));
      return Step::replaced;
    }
  }
  return step;
}

void RequestStream::replace_current_event(std::vector<std::string> events) {
  // The new events (and, at the end of the stream, the rest of the end-of-stream pass) come
  // next, each starting at the filter after the one that made them.
  const size_t start = cursor_ + 1;
  if (final_pass_) {
    final_pass_ = false;
    QueuedEvent end;
    end.start = start;
    end.final = true;
    events_->push_front(std::move(end));
  }
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    QueuedEvent event;
    event.event.data = std::move(*it);
    event.start = start;
    events_->push_front(std::move(event));
  }
}

bool RequestStream::set_stream_events(sluice_stream* slot, std::vector<std::string> events) {
  if (!streaming_ || phase_ != Phase::response || !body_pass_ || in_hook_ != slot) return false;
  replacement_events_ = std::move(events);
  return true;
}

RequestStream::Step RequestStream::after_hook(sluice_stream* slot, sluice_status status) {
  bool replied = reply_ && reply_->from == slot;
  // A resume() made inside a hook only answers a STOP returned by that same hook; it must not
  // linger and cut short a later STOP of this filter.
  bool resumed_early = std::exchange(slot->resume_early, false);
  switch (status) {
    case SLUICE_CONTINUE:
      return replied ? Step::replied : Step::next;
    case SLUICE_STOP:
      if (replied) return Step::replied;
      if (resumed_early) return Step::next;
      slot->stopped = true;
      return Step::paused;
    case SLUICE_LOCAL_REPLY:
      if (replied) return Step::replied;
      log::error(
          "filter returned LOCAL_REPLY without sending a reply",
          {{"request_id", request_id_}, {"chain", chain_.name}, {"filter", slot->filter->name}});
      break;
    default:
      break;
  }
  // SLUICE_FAIL (or an unknown status): the filter's failure_policy decides.
  RuntimeMetrics::get().filter_failures->counter({chain_.name, slot->filter->name})->inc();
  log::warn("filter failed", {{"request_id", request_id_},
                              {"chain", chain_.name},
                              {"filter", slot->filter->name},
                              {"failure_policy", slot->filter->fail_open ? "open" : "closed"}});
  if (slot->filter->fail_open) {
    if (replied) reply_.reset();
    return Step::next;
  }
  reply_ = Reply{slot,
                 500,
                 {},
                 http::openai_error_body(500, fmt::format("filter '{}' failed", slot->filter->name),
                                         "filter_failure")};
  return Step::replied;
}

// ---- request phases and attempts ----------------------------------------------------------------

void RequestStream::run_request_phase(Phase phase) {
  phase_ = phase;
  cursor_ = 0;
  body_pass_ = false;
}

void RequestStream::finish_request_phase() {
  if (chain_.router_index == Chain::kNoRouter) {
    reply_ = Reply{nullptr,
                   500,
                   {},
                   http::openai_error_body(
                       500,
                       fmt::format("chain '{}' ended without a response: no filter replied "
                                   "and none routes upstream",
                                   chain_.name),
                       "no_response")};
    return;
  }
  if (!plan_set_) {
    reply_ = Reply{nullptr,
                   500,
                   {},
                   http::openai_error_body(500,
                                           fmt::format("router filter '{}' set no upstream plan",
                                                       chain_.filters[chain_.router_index]->name),
                                           "no_route")};
    return;
  }
  // From here request_ is frozen (no filter may modify it once the request phase ended), so it
  // is the untouched copy every attempt starts from.
  start_attempt();
}

void RequestStream::start_attempt() {
  uint32_t number = attempt_ ? attempt_->number + 1 : 1;
  uint32_t target = attempt_ ? attempt_->target_index : 0;
  if (attempt_) {
    complete_slots(attempt_->slots, false);
    attempt_->call.reset();
  }
  if (next_target_) {
    target = *next_target_;
    next_target_.reset();
  }
  Attempt& attempt = attempt_.emplace();  // the previous one (if any) is done with
  attempt.number = number;
  attempt.target_index = target;
  attempt.request.shared_headers = &request_.headers;  // unchanged from here on
  attempt.request.body = request_.body;
  // The per-attempt filters' slots start afresh (their instances of the last attempt are gone).
  attempt.slots = all_slots_.subspan(chain_.router_index + 1);
  for (size_t i = chain_.router_index + 1; i < all_slots_.size(); ++i) {
    sluice_stream& slot = all_slots_[i];
    slot = sluice_stream{};
    slot.owner = this;
    slot.filter = chain_.filters[i].get();
    slot.index = i;
    slot.attempt = &attempt;
  }
  response_ = Message{};
  upstream_body_.clear();
  order_.clear();
  for (sluice_stream& slot : attempt.slots) order_.push_back(&slot);
  run_request_phase(Phase::attempt_request);
}

void RequestStream::send_upstream() {
  phase_ = Phase::upstream;
  // Filters' own keys, never the host's: read from the store without meta_get's host-key checks.
  std::optional<std::string_view> url = metadata_.get("upstream.url");
  if (!services_.upstream) {
    attempt_->failure = "no upstream client on this worker";
  } else if (!url || url->empty()) {
    attempt_->failure = "no per-attempt filter set upstream.url";
  } else {
    // Views into the attempt's request and the metadata: the transport copies what it keeps
    // before start() returns, and nothing changes them meanwhile.
    UpstreamRequestView request;
    request.url = *url;
    std::optional<std::string_view> method = metadata_.get("upstream.method");
    request.method = method ? *method : std::string_view(method_);
    request.headers = attempt_->request.read_headers();
    request.body = attempt_->request.body.raw();
    request.timeouts = runtime_->timeouts_for(plan_.targets[attempt_->target_index].deployment);
    if (plan_.per_try_timeout_ms) request.timeouts.first_byte_ms = plan_.per_try_timeout_ms;
    if (upstream_started_ == std::chrono::steady_clock::time_point{}) {
      upstream_started_ = http::LoopClock::fresh();  // after the request's filters
    }
    attempt_->call = services_.upstream->start(request, *this);
    if (attempt_->call) return;  // a callback continues
    attempt_->failure = "upstream client refused the request";
  }
  decide_after_attempt();
}

void RequestStream::on_upstream_headers(int status, http::Headers headers) {
  attempt_->http_status = static_cast<uint32_t>(status);
  attempt_->retry_after_ms = parse_retry_after_ms(headers);
  response_.status = status;
  response_.headers = std::move(headers);
  const std::string* type = http::find_header(response_.headers, "content-type");
  if (status >= 200 && status < 300 && type) {
    raw_stream_ = type->starts_with("application/vnd.amazon.eventstream");
    if (raw_stream_ || type->starts_with("text/event-stream")) {
      begin_stream();
      run();
    }
  }
}

void RequestStream::on_upstream_body(std::string_view data) {
  if (!streaming_) {
    if (upstream_body_.size() + data.size() > runtime_->bootstrap().limits().max_body_bytes()) {
      attempt_->call.reset();
      on_upstream_failure(UpstreamFailure::other, "upstream response larger than max_body_bytes");
      return;
    }
    upstream_body_.append(data);
    return;
  }
  if (raw_stream_) {
    QueuedEvent chunk;
    chunk.event.data.assign(data);
    chunk.raw = true;
    events_->push_back(std::move(chunk));
  } else {
    parsed_.clear();  // kept between reads: its capacity serves the whole stream
    if (!sse_->feed(data, &parsed_)) {
      attempt_->call.reset();
      on_upstream_failure(UpstreamFailure::other, "upstream event larger than the event bound");
      return;
    }
    for (auto& event : parsed_) events_->emplace_back().event = std::move(event);
  }
  if (events_->size() > 256 && attempt_->call && !upstream_paused_) {
    attempt_->call->pause_body();  // hooks are behind (a filter paused): stop reading
    upstream_paused_ = true;
  }
  if (phase_ == Phase::upstream && head_sent_) {  // waiting between events
    phase_ = Phase::response;
    next_stream_event();
    run();
  }
}

void RequestStream::on_upstream_complete() {
  upstream_finished_ = http::LoopClock::now();
  if (streaming_) {
    upstream_done_ = true;
    if (phase_ == Phase::upstream && head_sent_) {
      phase_ = Phase::response;
      next_stream_event();
      run();
    }
    return;
  }
  bool json = is_json_content_type(response_.headers) || looks_like_json(upstream_body_);
  assign_answer(response_.body, std::move(upstream_body_), json, max_json_depth_);
  upstream_body_.clear();
  order_.clear();
  for (auto it = attempt_->slots.rbegin(); it != attempt_->slots.rend(); ++it) {
    order_.push_back(&*it);
  }
  begin_response(true);
  run();
}

void RequestStream::on_upstream_failure(UpstreamFailure, std::string reason) {
  upstream_finished_ = http::LoopClock::now();
  if (streaming_) {
    // The head (or the decision to stream) is out: no retry; the client gets an error event.
    upstream_error_ = reason.empty() ? "upstream failed" : std::move(reason);
    if (phase_ == Phase::upstream && head_sent_) {
      phase_ = Phase::response;
      next_stream_event();
      run();
    }
    return;
  }
  attempt_->http_status = 0;
  attempt_->failure = std::move(reason);
  decide_after_attempt();
  run();
}

// ---- streaming ------------------------------------------------------------------------------

void RequestStream::begin_stream() {
  // A 2xx stream is accepted as it starts (retries stop once a byte may reach the client); the
  // router still hears about the attempt.
  ask_router();
  streaming_ = true;
  if (!raw_stream_) {
    sse_ = std::make_unique<SseParser>(runtime_->bootstrap().limits().max_body_bytes());
  }
  events_ = std::make_unique<std::deque<QueuedEvent>>();
  order_.clear();
  for (auto it = attempt_->slots.rbegin(); it != attempt_->slots.rend(); ++it) {
    order_.push_back(&*it);
  }
  for (size_t i = chain_.router_index + 1; i-- > 0;) order_.push_back(&slots_[i]);
  response_.body.assign(std::string(), false, max_json_depth_);
  begin_response(false);
}

void RequestStream::stream_pass_done() {
  if (!body_pass_) {  // the header pass: the head goes out now, chunked
    if (codec_) {
      encoder_ = codec_->stream_encoder(answer_context());
      std::erase_if(response_.headers,
                    [](const http::Header& header) { return header.name == "content-type"; });
      response_.headers.push_back({"content-type", std::string(encoder_->content_type())});
    }
    http::ResponseHead head = take_head();
    head_sent_ = true;
    response_status_ = head.status;
    sink_.send_head(head, false);
    response_.headers = std::move(head.headers);
    body_pass_ = true;
    next_stream_event();
    return;
  }
  if (final_pass_) {
    phase_ = Phase::done;
    sse_out_.clear();
    if (encoder_) encoder_->finish(&sse_out_);
    response_bytes_ += sse_out_.size();
    sink_.send_body(sse_out_, true);
    complete(false);
    return;
  }
  sse_out_.clear();  // one buffer for every event of the stream
  if (current_raw_) {
    sse_out_.assign(response_.body.raw());  // no filter turned the bytes into events
  } else if (encoder_) {
    const std::string& data = response_.body.raw();
    if (data != "[DONE]") encoder_->chunk(data, &sse_out_);  // the end comes with finish()
  } else {
    append_sse(current_event_, response_.body.raw(), &sse_out_);
  }
  if (sse_out_.empty()) {  // nothing for the client in this event
    next_stream_event();
    return;
  }
  response_bytes_ += sse_out_.size();
  if (first_body_byte_ == std::chrono::steady_clock::time_point{}) {
    first_body_byte_ = http::LoopClock::fresh();  // time to first token, as sent
  }
  sink_.send_body(sse_out_, false);
  if (!upstream_paused_ && attempt_ && attempt_->call &&
      sink_.buffered_bytes() > runtime_->bootstrap().limits().max_response_buffer_bytes()) {
    attempt_->call->pause_body();  // the client reads slower than the provider writes
    upstream_paused_ = true;
  }
  next_stream_event();
}

void RequestStream::next_stream_event() {
  cursor_ = 0;
  if (!events_->empty()) {
    // Taken from the queue's front in place: an event's strings move once, into current_event_.
    QueuedEvent& item = events_->front();
    cursor_ = item.start;
    if (item.final) {  // the end-of-stream pass, after a filter's closing events went out
      events_->pop_front();
      final_pass_ = true;
      current_raw_ = false;
      response_.body.assign(std::string(), false, max_json_depth_);
      return;
    }
    current_event_ = std::move(item.event);
    current_raw_ = item.raw;
    events_->pop_front();
    bool json = !current_raw_ && looks_like_json(current_event_.data);
    assign_answer(response_.body, std::move(current_event_.data), json, max_json_depth_);
    current_event_.data.clear();  // taken back from the body after the hooks
    if (upstream_paused_ && events_->size() < 64 && attempt_ && attempt_->call &&
        sink_.buffered_bytes() <= runtime_->bootstrap().limits().max_response_buffer_bytes()) {
      attempt_->call->resume_body();
      upstream_paused_ = false;
    }
    return;
  }
  if (!upstream_error_.empty()) {
    end_stream_with_error(upstream_error_);
    return;
  }
  if (upstream_done_) {
    final_pass_ = true;
    response_.body.assign(std::string(), false, max_json_depth_);
    return;
  }
  phase_ = Phase::upstream;  // wait for the next event (on_upstream_body resumes)
}

void RequestStream::end_stream_with_error(std::string_view reason) {
  meta_set("upstream.error", reason);
  const std::string message = fmt::format("upstream stream failed: {}", reason);
  std::string bytes;
  if (encoder_) {
    apis::ApiError error;
    error.status = 502;
    error.message = message;
    error.type = "api_error";
    error.code = "upstream_error";
    encoder_->fail(error, &bytes);
  } else {
    SseEvent event;
    event.data = http::openai_error_body(502, message, "upstream_error");
    bytes = serialize_sse(event);
  }
  response_bytes_ += bytes.size();
  phase_ = Phase::done;
  if (attempt_) attempt_->call.reset();
  sink_.send_body(bytes, true);
  complete(false);
}

void RequestStream::on_response_drained() {
  if (upstream_paused_ && events_ && events_->size() < 64 && attempt_ && attempt_->call) {
    attempt_->call->resume_body();
    upstream_paused_ = false;
  }
}

void RequestStream::decide_after_attempt() {
  Attempt& attempt = *attempt_;
  chain_.stats->count_attempt(static_cast<int>(attempt.http_status));
  sluice_verdict verdict = ask_router();
  bool has_next_target = attempt.target_index + 1 < plan_.targets.size();
  if (verdict == SLUICE_USE_POLICY) {
    bool retryable = attempt.http_status == 0
                         ? plan_.retry_on_connect_failure
                         : std::find(plan_.retry_statuses.begin(), plan_.retry_statuses.end(),
                                     attempt.http_status) != plan_.retry_statuses.end();
    verdict = !retryable ? SLUICE_ACCEPT : has_next_target ? SLUICE_NEXT_TARGET : SLUICE_RETRY_SAME;
  }
  bool can_retry =
      attempt.number < plan_.max_attempts &&
      (verdict == SLUICE_RETRY_SAME || (verdict == SLUICE_NEXT_TARGET && has_next_target));
  if (verdict != SLUICE_ACCEPT && can_retry) {
    next_target_ = verdict == SLUICE_NEXT_TARGET ? attempt.target_index + 1 : attempt.target_index;
    uint32_t delay =
        std::max(jittered_backoff_ms(plan_, attempt.number - 1), attempt.retry_after_ms);
    if (plan_.backoff_max_ms)
      delay = std::min(delay, std::max(plan_.backoff_max_ms, attempt.retry_after_ms));
    phase_ = Phase::upstream;
    attempt.call.reset();
    if (!backoff_timer_) {
      backoff_timer_ = evtimer_new(
          services_.loop,
          [](evutil_socket_t, short, void* self) {
            http::LoopClock::Scope clock;
            auto* stream = static_cast<RequestStream*>(self);
            stream->start_attempt();
            stream->run();
          },
          this);
    }
    timeval tv = to_timeval(delay);
    evtimer_add(backoff_timer_, &tv);
    return;
  }
  if (attempt.http_status == 0) {
    response_ = Message{};
    response_.status = 502;
    response_.headers = {{"content-type", "application/json"}};
    response_.body.assign(
        http::openai_error_body(502,
                                fmt::format("upstream request failed after {} attempt(s): {}",
                                            attempt.number, attempt.failure),
                                "upstream_error"),
        true, max_json_depth_);
  }
  order_.clear();
  for (size_t i = chain_.router_index + 1; i-- > 0;) order_.push_back(&slots_[i]);
  begin_response(false);
}

sluice_verdict RequestStream::ask_router() {
  const Attempt& attempt = *attempt_;
  sluice_stream* router = &slots_[chain_.router_index];
  sluice_verdict verdict = SLUICE_USE_POLICY;
  if (const auto hook = router->filter->type->hooks.on_attempt_done) {
    sluice_attempt info = {};
    info.struct_size = sizeof(info);
    info.number = attempt.number;
    info.target_index = attempt.target_index;
    const Plan::Target& target = plan_.targets[attempt.target_index];
    info.target = {sluice_str_of(target.deployment.data(), target.deployment.size()),
                   sluice_str_of(target.provider.data(), target.provider.size()),
                   sluice_str_of(target.model.data(), target.model.size())};
    info.http_status = attempt.http_status;
    info.retry_after_ms = attempt.retry_after_ms;
    in_hook_ = router;
    verdict = hook(router, router->self, &info);
    in_hook_ = nullptr;
    scratch_.clear();
  }
  return verdict;
}

// ---- response -------------------------------------------------------------------------------

void RequestStream::begin_response(bool upstream_segment) {
  phase_ = Phase::response;
  cursor_ = 0;
  body_pass_ = false;
  upstream_segment_ = upstream_segment;
}

void RequestStream::finish_response_segment() {
  if (upstream_segment_) {
    upstream_segment_ = false;
    decide_after_attempt();
    return;
  }
  send_to_client();
}

void RequestStream::take_reply() {
  Reply reply = std::move(*reply_);
  reply_.reset();
  if (head_sent_) {  // a filter failed mid-stream: the status is out, end with an error event
    end_stream_with_error(reply.from ? fmt::format("filter '{}' failed", reply.from->filter->name)
                                     : std::string("internal error"));
    return;
  }
  if (attempt_) attempt_->call.reset();
  if (backoff_timer_) evtimer_del(backoff_timer_);
  response_ = Message{};
  response_.status = reply.status;
  response_.headers = std::move(reply.headers);
  if (!reply.body.empty() && !http::find_header(response_.headers, "content-type")) {
    response_.headers.push_back({"content-type", "application/json"});
  }
  assign_answer(response_.body, std::move(reply.body), is_json_content_type(response_.headers),
                max_json_depth_);

  // The reply travels back through every filter before the one that sent it.
  // Filled in chain order up to the sender, then reversed.
  order_.clear();
  auto add_until_sender = [&](std::span<sluice_stream> slots) {
    for (sluice_stream& slot : slots) {
      if (&slot == reply.from) return true;
      order_.push_back(&slot);
    }
    return false;
  };
  if (!add_until_sender(slots_) && attempt_) add_until_sender(attempt_->slots);
  std::reverse(order_.begin(), order_.end());
  begin_response(false);
}

http::ResponseHead RequestStream::take_head() {
  http::ResponseHead head;
  head.status = response_.status ? response_.status : 200;
  head.headers = std::move(response_.headers);
  std::erase_if(head.headers, [](const http::Header& header) {
    // As views: std::string == const char* measures the literal and compares before the sizes.
    const std::string_view name = header.name;
    return is_framing_header(name) || name == "x-request-id";
  });
  head.request_id = request_id_;
  return head;
}

void RequestStream::send_to_client() {
  if (codec_) encode_whole_answer();
  http::ResponseHead head = take_head();
  head_sent_ = true;
  phase_ = Phase::done;  // from here the sink owns the bytes; an abort no longer concerns us
  response_status_ = head.status;
  const std::string& body = response_.body.raw();
  response_bytes_ = body.size();
  if (first_body_byte_ == std::chrono::steady_clock::time_point{}) {
    first_body_byte_ = http::LoopClock::fresh();
  }
  sink_.send_whole(head, body);
  response_.headers = std::move(head.headers);  // what went out, for on_complete to read
  complete(false);
}

void RequestStream::complete(bool aborted) {
  phase_ = Phase::done;
  if (backoff_timer_) evtimer_del(backoff_timer_);
  if (run_event_) event_del(run_event_);
  if (attempt_) attempt_->call.reset();
  // One clock read for both: timing.total_us and the duration histogram say the same.
  const auto now = http::LoopClock::fresh();
  publish_completion_metadata(aborted, now);
  if (attempt_) complete_slots(attempt_->slots, aborted);
  complete_slots(slots_, aborted);
  chain_.stats->count_request(aborted ? 0 : response_status_);
  chain_.stats->duration->observe(std::chrono::duration<double>(now - started_).count());
}

void RequestStream::publish_completion_metadata(bool aborted,
                                                std::chrono::steady_clock::time_point now) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  using Key = Completion::Key;
  auto us = [](auto d) { return static_cast<int64_t>(duration_cast<microseconds>(d).count()); };
  Completion& c = completion_.emplace();
  auto set = [&c](Key key, int64_t value) {
    c.value[key] = value;
    c.present[key] = true;
  };
  set(Key::status, aborted ? 0 : response_status_);
  set(Key::response_bytes, static_cast<int64_t>(response_bytes_));
  set(Key::request_bytes, static_cast<int64_t>(request_bytes_));
  set(Key::aborted, aborted ? 1 : 0);
  set(Key::attempts, attempt_ ? attempt_->number : 0);
  set(Key::total_us, us(now - started_));
  if (upstream_started_ != std::chrono::steady_clock::time_point{}) {
    auto end =
        upstream_finished_ != std::chrono::steady_clock::time_point{} ? upstream_finished_ : now;
    set(Key::upstream_us, us(end - upstream_started_));
  }
  if (first_body_byte_ != std::chrono::steady_clock::time_point{}) {
    set(Key::ttft_us, us(first_body_byte_ - started_));
  }
}

void RequestStream::complete_slots(std::span<sluice_stream> slots, bool aborted) {
  for (auto it = slots.rbegin(); it != slots.rend(); ++it) {
    sluice_stream* slot = &*it;
    if (!slot->created || slot->completed) continue;
    slot->completed = true;
    cancel_ops(slot);
    if (auto hook = slot->filter->type->hooks.on_complete) {
      in_hook_ = slot;
      hook(slot, slot->self, aborted ? 1 : 0);
      in_hook_ = nullptr;
      scratch_.clear();
    }
    cancel_ops(slot);  // on_complete may not start ops, but be sure
  }
  for (auto it = slots.rbegin(); it != slots.rend(); ++it) {
    sluice_stream* slot = &*it;
    if (slot->created && slot->filter->type->hooks.stream_destroy) {
      slot->filter->type->hooks.stream_destroy(slot->self);
    }
    slot->created = false;
    slot->self = nullptr;
  }
}

void RequestStream::on_abort() {
  if (phase_ == Phase::done) return;
  complete(true);
}

// ---- host API entry points ------------------------------------------------------------------

Message* RequestStream::message(sluice_stream* slot, sluice_part part) {
  if (part == SLUICE_REQUEST) return slot->attempt ? &slot->attempt->request : &request_;
  if (part == SLUICE_RESPONSE && (phase_ == Phase::response || head_sent_)) return &response_;
  return nullptr;
}

bool RequestStream::may_modify(sluice_stream* slot, sluice_part part) const {
  if (in_hook_ != slot && !slot->stopped) return false;
  if (part == SLUICE_REQUEST) {
    return slot->attempt ? phase_ == Phase::attempt_request && slot->attempt == &*attempt_
                         : phase_ == Phase::request;
  }
  // While streaming, each event's body is still the filters' to edit; the head is gone.
  return phase_ == Phase::response && (!head_sent_ || (streaming_ && body_pass_ && !final_pass_));
}

std::string_view RequestStream::keep(std::string text) {
  scratch_.push_front(std::move(text));
  return scratch_.front();
}

bool RequestStream::meta_set(std::string_view key, std::string_view value) {
  return metadata_.set(key, value);
}

namespace {

// The host's own metadata keys. A request reads about two dozen keys, so they are told apart by
// length first; each comparison is then of a constant size.
enum class HostKey { none, id, chain, method, path, completion };
struct HostKeyMatch {
  HostKey key = HostKey::none;
  int completion = 0;  // Completion::Key for HostKey::completion
};

HostKeyMatch find_host_key(std::string_view key) {
  constexpr auto completion = [](int index) { return HostKeyMatch{HostKey::completion, index}; };
  switch (key.size()) {
    case 10:
      if (key == "request.id") return {HostKey::id};
      break;
    case 12:
      if (key == "request.path") return {HostKey::path};
      break;
    case 13:
      if (key == "request.chain") return {HostKey::chain};
      if (key == "request.bytes") return completion(2);
      break;
    case 14:
      if (key == "request.method") return {HostKey::method};
      if (key == "response.bytes") return completion(1);
      if (key == "timing.ttft_us") return completion(7);
      break;
    case 15:
      if (key == "response.status") return completion(0);
      if (key == "request.aborted") return completion(3);
      if (key == "timing.total_us") return completion(5);
      break;
    case 17:
      if (key == "upstream.attempts") return completion(4);
      break;
    case 18:
      if (key == "timing.upstream_us") return completion(6);
      break;
    default:
      break;
  }
  return {};
}

// The host's namespaces, which hold only the keys above.
bool in_host_namespace(std::string_view key) {
  if (key.empty()) return false;
  if (key[0] == 'r') return key.starts_with("request.") || key.starts_with("response.");
  return key[0] == 't' && key.starts_with("timing.");
}

}  // namespace

[[gnu::flatten]] bool is_host_meta_key(std::string_view key) {  // on every meta_set
  return find_host_key(key).key != HostKey::none || in_host_namespace(key);
}

inline std::optional<std::string_view> RequestStream::find_meta(std::string_view key) const {
  // The host's own keys come from the request's state; nothing is copied until asked for. Any
  // other key is the filters': meta_set refuses the host's namespaces, so an unknown request.*
  // key is simply not in the store.
  const HostKeyMatch host = find_host_key(key);
  switch (host.key) {
    case HostKey::none:
      return metadata_.get(key);
    case HostKey::id:
      return request_id_;
    case HostKey::chain:
      return chain_.name;
    case HostKey::method:
      return method_;
    case HostKey::path:
      return path_;
    case HostKey::completion:
      break;
  }
  static_assert(Completion::status == 0 && Completion::response_bytes == 1 &&
                Completion::request_bytes == 2 && Completion::aborted == 3 &&
                Completion::attempts == 4 && Completion::total_us == 5 &&
                Completion::upstream_us == 6 && Completion::ttft_us == 7);  // find_host_key
  if (!completion_ || !completion_->present[host.completion]) return std::nullopt;
  Completion::Text& text = completion_->text[host.completion];
  if (text.size == 0) {
    const int64_t value = completion_->value[host.completion];
    char* end = std::to_chars(text.bytes, text.bytes + sizeof(text.bytes), value).ptr;
    text.size = static_cast<uint8_t>(end - text.bytes);
  }
  return std::string_view(text.bytes, text.size);
}

// Both flattened, so that find_meta and the store's lookup within it are inlined (GCC inlines
// little else under -fPIC): a call costs some twenty instructions, and the log filter's batch
// reads nineteen keys.
[[gnu::flatten]] std::optional<std::string_view> RequestStream::meta_get(
    std::string_view key) const {
  return find_meta(key);
}

[[gnu::flatten]] size_t RequestStream::meta_get_many(const sluice_str* keys, size_t count,
                                                     sluice_str* out) const {
  size_t found = 0;
  for (size_t i = 0; i < count; ++i) {
    const std::optional<std::string_view> value =
        find_meta(keys[i].ptr ? std::string_view(keys[i].ptr, keys[i].len) : std::string_view());
    // A found value's bytes are never NULL (a std::string's or the store's), so NULL is absent.
    out[i] = value ? sluice_str{value->data(), value->size()} : sluice_str{nullptr, 0};
    found += value ? 1 : 0;
  }
  return found;
}

bool RequestStream::send_local_reply(sluice_stream* slot, int status, http::Headers headers,
                                     std::string body) {
  if (phase_ == Phase::done || head_sent_ || status < 100 || status > 599) return false;
  bool in_phase_hook = in_hook_ == slot && cursor_ < order_.size() && order_[cursor_] == slot;
  if (!in_phase_hook && !slot->stopped) return false;
  reply_ = Reply{slot, status, std::move(headers), std::move(body)};
  if (slot->stopped) {
    slot->stopped = false;
    schedule_run();
  }
  return true;
}

bool RequestStream::send_error(sluice_stream* slot, int status, std::string_view message,
                               std::string_view code) {
  return send_local_reply(slot, status, {{"content-type", "application/json"}},
                          http::openai_error_body(status, message, code));
}

bool RequestStream::resume(sluice_stream* slot) {
  if (phase_ == Phase::done) return false;
  if (slot->stopped) {
    slot->stopped = false;
    ++cursor_;  // the paused hook is done; go on with the next filter
    schedule_run();
    return true;
  }
  if (in_hook_ == slot && cursor_ < order_.size() && order_[cursor_] == slot) {
    slot->resume_early = true;  // called before the hook returned STOP
    return true;
  }
  return false;
}

uint64_t RequestStream::timer_start(sluice_stream* slot, uint32_t delay_ms, uint64_t token) {
  if (phase_ == Phase::done || !slot->created || slot->completed || timers_.size() >= 1024) {
    return 0;
  }
  auto timer = std::make_unique<Timer>();
  timer->owner = this;
  timer->slot = slot;
  timer->id = next_op_id_++;
  timer->token = token;
  timer->ev = evtimer_new(
      services_.loop,
      [](evutil_socket_t, short, void* arg) {
        http::LoopClock::Scope clock;
        auto* t = static_cast<Timer*>(arg);
        RequestStream* self = t->owner;
        auto node = self->timers_.extract(t->id);  // keeps the timer alive during the call
        sluice_stream* slot = t->slot;
        sluice_op_done done = {};
        done.struct_size = sizeof(done);
        done.op_id = t->id;
        done.token = t->token;
        done.kind = SLUICE_OP_TIMER;
        done.result = SLUICE_OP_OK;
        if (auto hook = slot->filter->type->hooks.on_op_done) {
          sluice_stream* previous = self->in_hook_;
          self->in_hook_ = slot;
          hook(slot, slot->self, &done);
          self->in_hook_ = previous;
          self->scratch_.clear();
        }
      },
      timer.get());
  timeval tv = to_timeval(delay_ms);
  evtimer_add(timer->ev, &tv);
  uint64_t id = timer->id;
  timers_.emplace(id, std::move(timer));
  return id;
}

uint64_t RequestStream::http_call(sluice_stream* slot, UpstreamRequest request, uint64_t token,
                                  HttpCallBounds bounds) {
  if (phase_ == Phase::done || !slot->created || slot->completed || !services_.upstream ||
      http_ops_.size() >= kMaxHttpOps) {
    return 0;
  }
  if (bounds.guarded) {
    // Guarded calls fetch what a client named: bounded in number and in the memory they may
    // hold at once, whatever a filter asks.
    size_t pending = 0;
    uint64_t reserved = 0;
    for (const auto& [id, op] : http_ops_) {
      if (!op->bounds.guarded) continue;
      ++pending;
      reserved += op->bounds.max_body;
    }
    if (bounds.max_body > kMaxGuardedBody || pending >= kMaxGuardedOps ||
        reserved + bounds.max_body > kMaxGuardedReserved ||
        services_.guarded_reserved + bounds.max_body > kMaxWorkerGuardedReserved) {
      return 0;
    }
  }
  auto op = std::make_unique<HttpOp>();
  op->owner = this;
  op->slot = slot;
  op->id = next_op_id_++;
  op->token = token;
  op->bounds = bounds;
  if (bounds.guarded) services_.guarded_reserved += bounds.max_body;  // back in ~HttpOp
  op->head = request.method == "HEAD";
  op->call = services_.upstream->start(request, *op);
  if (!op->call) return 0;
  uint64_t id = op->id;
  http_ops_.emplace(id, std::move(op));
  return id;
}

bool RequestStream::op_cancel(sluice_stream* slot, uint64_t op_id) {
  if (auto op = http_ops_.find(op_id); op != http_ops_.end() && op->second->slot == slot) {
    http_ops_.erase(op);  // destroying the call cancels it silently
    return true;
  }
  auto it = timers_.find(op_id);
  if (it == timers_.end() || it->second->slot != slot) return false;
  timers_.erase(it);
  return true;
}

void RequestStream::cancel_ops(sluice_stream* slot) {
  if (timers_.empty() && http_ops_.empty()) return;  // most requests start none
  std::erase_if(timers_, [slot](const auto& entry) { return entry.second->slot == slot; });
  std::erase_if(http_ops_, [slot](const auto& entry) { return entry.second->slot == slot; });
}

bool RequestStream::set_plan(sluice_stream* slot, Plan plan) {
  if (phase_ != Phase::request || in_hook_ != slot || slot->attempt ||
      slot->index != chain_.router_index || plan.targets.empty() || plan.targets.size() > 64) {
    return false;
  }
  plan.max_attempts = std::clamp<uint32_t>(plan.max_attempts, 1, 32);
  plan_ = std::move(plan);
  plan_set_ = true;
  return true;
}

const Attempt* RequestStream::attempt_of(sluice_stream* slot) const {
  if (slot->attempt) return slot->attempt;
  if (slot->index == chain_.router_index && attempt_) return &*attempt_;
  return nullptr;
}

}  // namespace sluice::runtime
