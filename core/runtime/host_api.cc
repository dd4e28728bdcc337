// The sluice_host_api table: the C functions plugins call, each checking its handle, its
// arguments and the hook it is called from before touching anything, and logging misuse.

#include "core/runtime/host_api.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "core/http/ascii_case.h"
#include "core/http/token.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"
#include "core/runtime/chain.h"
#include "core/runtime/json_body.h"
#include "core/runtime/request_stream.h"

namespace sluice::runtime {
namespace {

std::string_view view(sluice_str s) {
  return s.ptr ? std::string_view(s.ptr, s.len) : "";
}
sluice_str str(std::string_view v) {
  return sluice_str_of(v.data(), v.size());
}

log::Level to_level(sluice_log_level level) {
  switch (level) {
    case SLUICE_LOG_DEBUG:
      return log::Level::debug;
    case SLUICE_LOG_INFO:
      return log::Level::info;
    case SLUICE_LOG_WARN:
      return log::Level::warn;
    default:
      return log::Level::error;
  }
}

// Logs a refused host call once per call site kind; misuse must be visible, never fatal.
int refuse(sluice_stream* s, const char* function, const char* why) {
  if (log::enabled(log::Level::warn)) {
    log::warn("plugin host call refused",
              {{"function", function},
               {"reason", why},
               {"filter", s && s->filter ? std::string_view(s->filter->name) : ""},
               {"request_id", s && s->owner ? std::string_view(s->owner->request_id()) : ""}});
  }
  return 0;
}

bool live(sluice_stream* s) {
  return s && s->owner && s->created && !s->completed;
}

// Header names are tokens; values must not carry CR, LF or NUL (no header injection).
bool valid_header_name(std::string_view name) {
  return name.size() <= 256 && http::is_token(name);
}
bool valid_header_value(std::string_view value) {
  return value.size() <= 16384 && !http::has_cr_lf_or_nul(value);
}

// ---- logging and metrics --------------------------------------------------------------------

int api_log_enabled(sluice_log_level level) {
  return log::enabled(to_level(level)) ? 1 : 0;
}

void api_log(sluice_config* c, sluice_stream* s, sluice_log_level level, sluice_str message) {
  log::Level l = to_level(level);
  if (!log::enabled(l)) return;
  std::string_view text = view(message).substr(0, 8192);
  std::string_view request_id = s && s->owner ? std::string_view(s->owner->request_id()) : "";
  log::write(l, text,
             {{"chain", c ? std::string_view(c->chain) : ""},
              {"filter", c ? std::string_view(c->filter) : ""},
              {"request_id", request_id}});
}

uint32_t api_metric_define(sluice_config* c, sluice_metric_kind kind, sluice_str name,
                           sluice_str help, const sluice_str* label_names, size_t label_count) {
  if (!c || !c->defining || label_count > 16 || (label_count && !label_names)) return 0;
  metrics::Kind k = kind == SLUICE_COUNTER ? metrics::Kind::counter
                    : kind == SLUICE_GAUGE ? metrics::Kind::gauge
                                           : metrics::Kind::histogram;
  if (kind != SLUICE_COUNTER && kind != SLUICE_GAUGE && kind != SLUICE_HISTOGRAM) return 0;
  std::vector<std::string> labels;
  for (size_t i = 0; i < label_count; ++i) labels.emplace_back(view(label_names[i]));
  metrics::Family* family =
      metrics::global().family(k, fmt::format("sluice_plugin_{}", view(name)), view(help),
                               std::move(labels), metrics::latency_buckets_seconds());
  if (!family || c->metrics.size() >= 256) return 0;
  c->metrics.push_back({kind, family});
  return static_cast<uint32_t>(c->metrics.size());
}

int api_metric_record(sluice_config* c, uint32_t id, const sluice_str* label_values,
                      size_t label_count, double value) {
  if (!c || id == 0 || id > c->metrics.size() || label_count > 16) return 0;
  const auto& metric = c->metrics[id - 1];
  if (label_count != metric.family->label_count() || (label_count && !label_values)) return 0;
  std::vector<std::string_view> values;
  for (size_t i = 0; i < label_count; ++i) values.push_back(view(label_values[i]));
  switch (metric.kind) {
    case SLUICE_COUNTER:
      if (auto* counter = metric.family->counter(values); counter && value >= 0) {
        counter->inc(static_cast<int64_t>(value));
        return 1;
      }
      return 0;
    case SLUICE_GAUGE:
      if (auto* gauge = metric.family->gauge(values)) {
        gauge->set(static_cast<int64_t>(value));
        return 1;
      }
      return 0;
    default:
      if (auto* histogram = metric.family->histogram(values)) {
        histogram->observe(value);
        return 1;
      }
      return 0;
  }
}

// ---- headers --------------------------------------------------------------------------------

Message* readable(sluice_stream* s, sluice_part part, const char* function) {
  if (!live(s)) return refuse(s, function, "stream not live"), nullptr;
  Message* message = s->owner->message(s, part);
  if (!message) refuse(s, function, "no such message yet");
  return message;
}

Message* writable(sluice_stream* s, sluice_part part, const char* function) {
  Message* message = readable(s, part, function);
  if (message && !s->owner->may_modify(s, part)) {
    refuse(s, function, "not modifiable in this hook");
    return nullptr;
  }
  return message;
}

size_t api_header_count(sluice_stream* s, sluice_part part) {
  Message* m = readable(s, part, "header_count");
  return m ? m->read_headers().size() : 0;
}

int api_header_at(sluice_stream* s, sluice_part part, size_t index, sluice_header* out) {
  Message* m = readable(s, part, "header_at");
  if (!m || !out || index >= m->read_headers().size()) return 0;
  const http::Header& field = m->read_headers()[index];
  out->name = str(field.name);
  out->value = str(field.value);
  return 1;
}

int api_header_get(sluice_stream* s, sluice_part part, sluice_str name, sluice_str* out) {
  Message* m = readable(s, part, "header_get");
  if (!m || !out) return 0;
  const std::string* value = http::find_header(m->read_headers(), http::lower_ascii(view(name)));
  if (!value) return 0;
  *out = str(*value);
  return 1;
}

int api_header_set(sluice_stream* s, sluice_part part, sluice_str name, sluice_str value) {
  Message* m = writable(s, part, "header_set");
  if (!m) return 0;
  if (part == SLUICE_RESPONSE && s->owner->response_head_sent()) {
    return refuse(s, "header_set", "the response head has already been sent");
  }
  if (!valid_header_name(view(name)) || (value.ptr && !valid_header_value(view(value)))) {
    return refuse(s, "header_set", "invalid header name or value");
  }
  std::string key = http::lower_ascii(view(name));
  http::Headers& headers = m->edit_headers();
  std::erase_if(headers, [&](const http::Header& h) { return h.name == key; });
  if (value.ptr) headers.push_back({std::move(key), std::string(view(value))});
  return 1;
}

int api_header_add(sluice_stream* s, sluice_part part, sluice_str name, sluice_str value) {
  Message* m = writable(s, part, "header_add");
  if (!m) return 0;
  if (part == SLUICE_RESPONSE && s->owner->response_head_sent()) {
    return refuse(s, "header_add", "the response head has already been sent");
  }
  if (!valid_header_name(view(name)) || !valid_header_value(view(value))) {
    return refuse(s, "header_add", "invalid header name or value");
  }
  if (m->read_headers().size() >= 1000) return refuse(s, "header_add", "too many headers");
  m->edit_headers().push_back({http::lower_ascii(view(name)), std::string(view(value))});
  return 1;
}

int api_headers_clear(sluice_stream* s, sluice_part part) {
  Message* m = writable(s, part, "headers_clear");
  if (!m) return 0;
  if (part == SLUICE_RESPONSE && s->owner->response_head_sent()) {
    return refuse(s, "headers_clear", "the response head has already been sent");
  }
  m->clear_headers();
  return 1;
}

// ---- body and JSON --------------------------------------------------------------------------

int api_body_get(sluice_stream* s, sluice_part part, sluice_str* out) {
  Message* m = readable(s, part, "body_get");
  if (!m || !out) return 0;
  *out = str(m->body.raw());
  return 1;
}

// How a replaced body is held: a JSON one is parsed when a filter next reads it as JSON, if one
// does (most replaced bodies are only sent), to this depth; 0 for any other, kept raw. JSON is a
// body its part declares JSON, or one that looks like it (`looks_json`), as a body is taken when
// it arrives: an SSE event's data has no content type of its own. Text that is not JSON stays
// raw either way (the filter chose to send it).
unsigned replaced_body_depth(sluice_stream* s, const Message& m, bool looks_json) {
  return looks_json || is_json_content_type(m.read_headers())
             ? std::max(s->owner->max_json_depth(), 1u)
             : 0;
}

// looks_like_json of body with its [offset, offset + length) replaced by data, without making it.
bool spliced_looks_like_json(std::string_view body, size_t offset, size_t length,
                             std::string_view data) {
  for (const std::string_view piece :
       {body.substr(0, offset), data, body.substr(offset + length)}) {
    if (piece.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      return looks_like_json(piece);
    }
  }
  return false;
}

int api_body_replace(sluice_stream* s, sluice_part part, sluice_str data) {
  Message* m = writable(s, part, "body_replace");
  if (!m) return 0;
  std::string text(view(data));
  if (const unsigned depth = replaced_body_depth(s, *m, looks_like_json(text))) {
    m->body.assign_lazy(std::move(text), depth);
  } else {
    m->body.assign(std::move(text), false, 0);
  }
  return 1;
}

int api_body_splice(sluice_stream* s, sluice_part part, size_t offset, size_t length,
                    sluice_str data) {
  Message* m = writable(s, part, "body_splice");
  if (!m) return 0;
  const std::string& body = m->body.raw();
  if (offset > body.size() || length > body.size() - offset) {
    return refuse(s, "body_splice", "the range is not within the body");
  }
  const bool looks_json = spliced_looks_like_json(body, offset, length, view(data));
  m->body.splice_raw(offset, length, view(data), replaced_body_depth(s, *m, looks_json));
  return 1;
}

// readable() for the JSON reads, which plugins make by the dozen a request: a live stream's
// message without readable()'s frame (it is built for logging a refusal), which sees the rest.
Message* json_readable(sluice_stream* s, sluice_part part, const char* function) {
  if (live(s)) {
    if (Message* message = s->owner->message(s, part)) return message;
  }
  return readable(s, part, function);
}

int api_json_get(sluice_stream* s, sluice_part part, sluice_str pointer, sluice_str* out) {
  Message* m = json_readable(s, part, "json_get");
  if (!m || !out) return 0;
  std::string json;
  if (!m->body.get_json(view(pointer), &json)) return 0;
  *out = str(s->owner->keep(std::move(json)));
  return 1;
}

size_t api_json_get_many(sluice_stream* s, sluice_part part, const sluice_str* pointers,
                         size_t count, sluice_str* out) {
  if (!out) return 0;
  for (size_t i = 0; i < count; ++i) out[i] = sluice_str{nullptr, 0};
  Message* m = pointers && count ? json_readable(s, part, "json_get_many") : nullptr;
  if (!m) return 0;
  // The message is found once; most pointers name members the body does not have, which the
  // JSON view answers without a lookup.
  size_t found = 0;
  std::string json;
  for (size_t i = 0; i < count; ++i) {
    if (!m->body.get_json(view(pointers[i]), &json)) continue;
    out[i] = str(s->owner->keep(std::move(json)));
    json = std::string();
    ++found;
  }
  return found;
}

int api_json_get_string(sluice_stream* s, sluice_part part, sluice_str pointer, sluice_str* out) {
  Message* m = json_readable(s, part, "json_get_string");
  std::string_view value;
  if (!m || !out || !m->body.get_string(view(pointer), &value)) return 0;
  *out = str(value);
  return 1;
}

int api_json_get_number(sluice_stream* s, sluice_part part, sluice_str pointer, double* out) {
  Message* m = json_readable(s, part, "json_get_number");
  return m && out && m->body.get_number(view(pointer), out) ? 1 : 0;
}

int api_json_set(sluice_stream* s, sluice_part part, sluice_str pointer, sluice_str json_value) {
  Message* m = writable(s, part, "json_set");
  return m && m->body.set(view(pointer), view(json_value), s->owner->max_json_depth()) ? 1 : 0;
}

int api_json_remove(sluice_stream* s, sluice_part part, sluice_str pointer) {
  Message* m = writable(s, part, "json_remove");
  return m && m->body.remove(view(pointer)) ? 1 : 0;
}

// ---- metadata, flow control, async ----------------------------------------------------------

int api_meta_set(sluice_stream* s, sluice_str key, sluice_str value) {
  if (!live(s)) return refuse(s, "meta_set", "stream not live");
  std::string_view k = view(key);
  if (is_host_meta_key(k)) {
    return refuse(s, "meta_set",
                  "request.*, response.*, timing.* and upstream.attempts are the "
                  "host's");
  }
  return s->owner->meta_set(k, view(value)) ? 1 : 0;
}

int api_meta_get(sluice_stream* s, sluice_str key, sluice_str* out) {
  if (!s || !s->owner || !out) return 0;
  std::optional<std::string_view> value = s->owner->meta_get(view(key));
  if (!value) return 0;
  *out = str(*value);
  return 1;
}

size_t api_meta_get_many(sluice_stream* s, const sluice_str* keys, size_t count, sluice_str* out) {
  if (!out) return 0;
  if (s && s->owner && keys) return s->owner->meta_get_many(keys, count, out);
  for (size_t i = 0; i < count; ++i) out[i] = sluice_str{nullptr, 0};  // refused: all absent
  return 0;
}

int api_send_local_reply(sluice_stream* s, uint32_t status, const sluice_header* headers,
                         size_t header_count, sluice_str body) {
  if (!live(s)) return refuse(s, "send_local_reply", "stream not live");
  if (header_count > 100 || (header_count && !headers)) {
    return refuse(s, "send_local_reply", "too many headers");
  }
  http::Headers list;
  list.reserve(header_count + 1);  // room for the content-type the host may add
  for (size_t i = 0; i < header_count; ++i) {
    std::string_view name = view(headers[i].name), value = view(headers[i].value);
    if (!valid_header_name(name) || !valid_header_value(value)) {
      return refuse(s, "send_local_reply", "invalid header name or value");
    }
    list.push_back({http::lower_ascii(name), std::string(value)});
  }
  if (!s->owner->send_local_reply(s, static_cast<int>(status), std::move(list),
                                  std::string(view(body)))) {
    return refuse(s, "send_local_reply",
                  "not allowed now (outside this filter's turn, bad "
                  "status, or the response already started)");
  }
  return 1;
}

int api_send_error(sluice_stream* s, uint32_t status, sluice_str message, sluice_str code) {
  if (!live(s)) return refuse(s, "send_error", "stream not live");
  if (!s->owner->send_error(s, static_cast<int>(status), view(message), view(code))) {
    return refuse(s, "send_error", "not allowed now");
  }
  return 1;
}

int api_resume(sluice_stream* s) {
  if (!live(s)) return refuse(s, "resume", "stream not live");
  return s->owner->resume(s) ? 1 : refuse(s, "resume", "this filter is not paused");
}

uint64_t api_timer_start(sluice_stream* s, uint32_t delay_ms, uint64_t token) {
  if (!live(s)) return refuse(s, "timer_start", "stream not live");
  return s->owner->timer_start(s, delay_ms, token);
}

int api_op_cancel(sluice_stream* s, uint64_t op_id) {
  if (!live(s)) return 0;
  return s->owner->op_cancel(s, op_id) ? 1 : 0;
}

int api_route_set_plan(sluice_stream* s, const sluice_target* targets, size_t target_count,
                       const sluice_retry_policy* policy) {
  if (!live(s)) return refuse(s, "route_set_plan", "stream not live");
  if (!targets || target_count == 0) return refuse(s, "route_set_plan", "no targets");
  Plan plan;
  for (size_t i = 0; i < target_count && i <= 64; ++i) {
    plan.targets.push_back({std::string(view(targets[i].deployment)),
                            std::string(view(targets[i].provider)),
                            std::string(view(targets[i].model))});
  }
  if (policy && policy->struct_size >=
                    offsetof(sluice_retry_policy, retry_on_connect_failure) + sizeof(int)) {
    plan.max_attempts = policy->max_attempts;
    plan.per_try_timeout_ms = policy->per_try_timeout_ms;
    plan.backoff_base_ms = policy->backoff_base_ms;
    plan.backoff_max_ms = policy->backoff_max_ms;
    if (policy->retry_statuses) {
      size_t n = std::min<size_t>(policy->retry_status_count, 64);
      plan.retry_statuses.assign(policy->retry_statuses, policy->retry_statuses + n);
    }
    plan.retry_on_connect_failure = policy->retry_on_connect_failure != 0;
  }
  if (!s->owner->set_plan(s, std::move(plan))) {
    return refuse(s, "route_set_plan",
                  "only the router filter, in a request hook, with 1 to 64 "
                  "targets");
  }
  return 1;
}

int api_attempt_get(sluice_stream* s, sluice_attempt* out) {
  if (!s || !s->owner || !out || out->struct_size < sizeof(sluice_attempt)) return 0;
  const Attempt* attempt = s->owner->attempt_of(s);
  if (!attempt) return 0;
  const Plan::Target& target = s->owner->plan().targets[attempt->target_index];
  out->number = attempt->number;
  out->target_index = attempt->target_index;
  out->target = {str(target.deployment), str(target.provider), str(target.model)};
  out->http_status = attempt->http_status;
  out->retry_after_ms = attempt->retry_after_ms;
  return 1;
}

int api_config_registry(sluice_config* c, sluice_str* out_json) {
  if (!c || !c->defining || !c->registry || !out_json) return 0;
  *out_json = str(*c->registry);
  return 1;
}

// The request of an http_call or http_call_guarded, checked; false (refused and logged) when the
// URL, method or a header cannot be sent.
bool call_request(sluice_stream* s, const char* function, sluice_str method, sluice_str url,
                  const sluice_header* headers, size_t header_count, sluice_str body,
                  UpstreamRequest* request) {
  if (!live(s)) return refuse(s, function, "stream not live");
  std::string_view u = view(url);
  if (!(u.starts_with("http://") || u.starts_with("https://")) || u.size() > 8192 ||
      !valid_header_value(u)) {
    return refuse(s, function, "url must be an absolute http(s) URL");
  }
  if (!valid_header_name(view(method)) || header_count > 100 || (header_count && !headers)) {
    return refuse(s, function, "invalid method or too many headers");
  }
  request->url = std::string(u);
  request->method = std::string(view(method));
  for (size_t i = 0; i < header_count; ++i) {
    std::string_view name = view(headers[i].name), value = view(headers[i].value);
    if (!valid_header_name(name) || !valid_header_value(value)) {
      return refuse(s, function, "invalid header name or value");
    }
    request->headers.push_back({http::lower_ascii(name), std::string(value)});
  }
  request->body = std::string(view(body));
  return true;
}

uint64_t api_http_call(sluice_stream* s, sluice_str method, sluice_str url,
                       const sluice_header* headers, size_t header_count, sluice_str body,
                       uint32_t timeout_ms, uint64_t token) {
  UpstreamRequest request;
  if (!call_request(s, "http_call", method, url, headers, header_count, body, &request)) return 0;
  if (timeout_ms) {
    request.timeouts.total_ms = timeout_ms;
    request.timeouts.first_byte_ms = timeout_ms;
  }
  uint64_t id = s->owner->http_call(s, std::move(request), token);
  return id ? id : refuse(s, "http_call", "no upstream client here, or too many calls");
}

uint64_t api_http_call_guarded(sluice_stream* s, sluice_str method, sluice_str url,
                               const sluice_header* headers, size_t header_count, sluice_str body,
                               const sluice_http_limits* limits, uint64_t token) {
  constexpr uint32_t kMaxTimeoutMs = 60000;
  if (!limits || limits->struct_size < sizeof(sluice_http_limits) || limits->timeout_ms == 0 ||
      limits->timeout_ms > kMaxTimeoutMs || limits->max_body_bytes == 0 ||
      limits->max_body_bytes > RequestStream::kMaxGuardedBody) {
    return refuse(s, "http_call_guarded",
                  "limits must be given: timeout_ms 1..60000, max_body_bytes 1..32 MiB");
  }
  UpstreamRequest request;
  if (!call_request(s, "http_call_guarded", method, url, headers, header_count, body, &request)) {
    return 0;
  }
  request.timeouts.connect_ms = limits->timeout_ms;
  request.timeouts.first_byte_ms = limits->timeout_ms;
  request.timeouts.idle_ms = limits->timeout_ms;
  request.timeouts.total_ms = limits->timeout_ms;
  request.isolated = true;
  request.public_addresses_only = limits->public_addresses_only != 0;
  HttpCallBounds bounds;
  bounds.max_body = limits->max_body_bytes;
  bounds.guarded = true;
  uint64_t id = s->owner->http_call(s, std::move(request), token, bounds);
  return id ? id
            : refuse(s, "http_call_guarded",
                     "no upstream client here, or too many guarded calls (8, 64 MiB) pending");
}

int api_stream_events_set(sluice_stream* s, const sluice_str* events, size_t count) {
  if (!s || !s->owner || (count > 0 && !events)) return 0;
  constexpr size_t kMaxEvents = 4096;  // one provider unit never holds more
  if (count > kMaxEvents) return refuse(s, "stream_events_set", "more than 4096 events at once");
  std::vector<std::string> texts;
  texts.reserve(count);
  for (size_t i = 0; i < count; ++i) texts.emplace_back(view(events[i]));
  if (!s->owner->set_stream_events(s, std::move(texts))) {
    return refuse(s, "stream_events_set",
                  "only in on_response_body of a streamed response, inside the hook");
  }
  return 1;
}

int api_response_status_set(sluice_stream* s, uint32_t status) {
  Message* m = writable(s, SLUICE_RESPONSE, "response_status_set");
  if (!m) return 0;
  if (s->owner->response_head_sent()) {
    return refuse(s, "response_status_set", "the response head has already been sent");
  }
  if (status < 100 || status > 599) return refuse(s, "response_status_set", "not a status");
  m->status = static_cast<int>(status);
  return 1;
}

std::atomic<uint64_t> reopen_counter{0};

uint64_t api_reopen_generation() {
  return reopen_counter.load(std::memory_order_relaxed);
}

const sluice_host_api kHostApi = {
    sizeof(sluice_host_api),
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    api_log_enabled,
    api_log,
    api_metric_define,
    api_metric_record,
    api_header_count,
    api_header_at,
    api_header_get,
    api_header_set,
    api_header_add,
    api_body_get,
    api_body_replace,
    api_json_get,
    api_json_get_string,
    api_json_get_number,
    api_json_set,
    api_json_remove,
    api_meta_set,
    api_meta_get,
    api_send_local_reply,
    api_send_error,
    api_resume,
    api_timer_start,
    api_op_cancel,
    api_route_set_plan,
    api_attempt_get,
    api_config_registry,
    api_http_call,
    api_reopen_generation,
    api_meta_get_many,
    api_headers_clear,
    api_stream_events_set,
    api_response_status_set,
    api_http_call_guarded,
    api_json_get_many,
    api_body_splice,
};

}  // namespace

const sluice_host_api* host_api() {
  return &kHostApi;
}

void bump_reopen_generation() {
  reopen_counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace sluice::runtime
