// Scripted test filters: config parsing, the scripted hooks, and the plugin entry point.

#include "test_filters.h"

#include <rapidjson/document.h>

#include <charconv>
#include <stdexcept>

namespace sluice_test {
namespace {

using sluice::Part;
using sluice::Status;

bool parse_uint(std::string_view text, uint32_t* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_action(std::string_view text, Action* out) {
  auto split = [](std::string_view s, std::vector<std::string_view>* parts) {
    size_t start = 0;
    while (true) {
      size_t colon = s.find(':', start);
      parts->push_back(s.substr(start, colon == std::string_view::npos ? colon : colon - start));
      if (colon == std::string_view::npos) return;
      start = colon + 1;
    }
  };
  std::vector<std::string_view> p;
  split(text, &p);
  const std::string_view verb = p[0];
  Action a;
  if (verb == "continue" && p.size() == 1) {
    a.kind = Action::kContinue;
  } else if (verb == "stop_then_resume" && p.size() == 2 && parse_uint(p[1], &a.ms)) {
    a.kind = Action::kStopThenResume;
  } else if (verb == "stop_then_reply" && p.size() == 3 && parse_uint(p[1], &a.ms) &&
             parse_uint(p[2], &a.status)) {
    a.kind = Action::kStopThenReply;
  } else if (verb == "reply" && p.size() == 2 && parse_uint(p[1], &a.status)) {
    a.kind = Action::kReply;
  } else if (verb == "fail" && p.size() == 1) {
    a.kind = Action::kFail;
  } else if (verb == "throw" && p.size() == 1) {
    a.kind = Action::kThrow;
  } else if (verb == "resume_early" && p.size() == 1) {
    a.kind = Action::kResumeEarly;
  } else if (verb == "resume_then_continue" && p.size() == 1) {
    a.kind = Action::kResumeThenContinue;
  } else if (verb == "bad_local_reply" && p.size() == 1) {
    a.kind = Action::kBadLocalReply;
  } else {
    return false;
  }
  *out = a;
  return true;
}

// Numbers may arrive as JSON numbers or as strings, depending on how the YAML was written.
bool get_uint(const rapidjson::Value& v, uint32_t* out) {
  if (v.IsUint()) {
    *out = v.GetUint();
    return true;
  }
  return v.IsString() && parse_uint(std::string_view(v.GetString(), v.GetStringLength()), out);
}

bool get_bool(const rapidjson::Value& v, bool* out) {
  if (v.IsBool()) {
    *out = v.GetBool();
    return true;
  }
  if (v.IsString()) {
    std::string_view s(v.GetString(), v.GetStringLength());
    if (s == "true" || s == "false") {
      *out = s == "true";
      return true;
    }
  }
  return false;
}

std::string as_text(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string();
}

bool get_pairs(const rapidjson::Value& v, Pairs* out) {
  if (!v.IsObject()) return false;
  for (const auto& member : v.GetObject()) {
    if (!member.value.IsString()) return false;
    out->emplace_back(as_text(member.name), as_text(member.value));
  }
  return true;
}

bool parse_verdict(std::string_view text, sluice_verdict* out) {
  if (text == "use_policy")
    *out = SLUICE_USE_POLICY;
  else if (text == "accept")
    *out = SLUICE_ACCEPT;
  else if (text == "retry_same")
    *out = SLUICE_RETRY_SAME;
  else if (text == "next_target")
    *out = SLUICE_NEXT_TARGET;
  else
    return false;
  return true;
}

// "a,b,c" as {"a","b","c"}; "" as none.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    size_t comma = text.find(',');
    items.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return items;
}

constexpr const char* kHookKeys[kHookCount] = {"on_request_headers", "on_request_body",
                                               "on_response_headers", "on_response_body"};

bool parse_key(Config& c, std::string_view key, const rapidjson::Value& v, std::string& error) {
  for (int h = 0; h < kHookCount; ++h) {
    if (key == kHookKeys[h]) {
      if (parse_action(as_text(v), &c.actions[h])) return true;
      error = "bad action for " + std::string(key);
      return false;
    }
  }
  bool ok = true;
  if (key == "name")
    c.name = as_text(v), ok = !c.name.empty();
  else if (key == "trace_header")
    c.trace_header = as_text(v);
  else if (key == "request_trace_header")
    c.request_trace_header = as_text(v);
  else if (key == "meta_set")
    ok = get_pairs(v, &c.meta_set);
  else if (key == "meta_get")
    ok = get_pairs(v, &c.meta_get);
  else if (key == "request_header_set")
    ok = get_pairs(v, &c.request_header_set);
  else if (key == "request_header_get")
    ok = get_pairs(v, &c.request_header_get);
  else if (key == "request_headers_clear")
    ok = get_bool(v, &c.request_headers_clear);
  else if (key == "json_get")
    ok = get_pairs(v, &c.json_get);
  else if (key == "json_set")
    ok = get_pairs(v, &c.json_set);
  else if (key == "body_replace")
    c.body_replace = as_text(v);
  else if (key == "response_splice")
    ok = get_pairs(v, &c.response_splice);
  else if (key == "response_json_get")
    ok = get_pairs(v, &c.response_json_get);
  else if (key == "max_attempts")
    ok = get_uint(v, &c.max_attempts);
  else if (key == "per_try_timeout_ms")
    ok = get_uint(v, &c.per_try_timeout_ms);
  else if (key == "backoff_base_ms")
    ok = get_uint(v, &c.backoff_base_ms);
  else if (key == "backoff_max_ms")
    ok = get_uint(v, &c.backoff_max_ms);
  else if (key == "retry_on_connect_failure")
    ok = get_bool(v, &c.retry_on_connect_failure);
  else if (key == "set_plan")
    ok = get_bool(v, &c.set_plan);
  else if (key == "throw_in_constructor")
    ok = get_bool(v, &c.throw_in_constructor);
  else if (key == "url")
    c.url = as_text(v);
  else if (key == "response_status")
    ok = get_uint(v, &c.response_status);
  else if (key == "split_events") {
    c.has_split_events = true;
    c.split_events = split_list(as_text(v));
  } else if (key == "end_events")
    c.end_events = split_list(as_text(v));
  else if (key == "op_done_events") {
    c.has_op_done_events = true;
    c.op_done_events = split_list(as_text(v));
  } else if (key == "attempt_header")
    c.attempt_header = as_text(v);
  else if (key == "retry_statuses" && v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      uint32_t status = 0;
      ok = ok && get_uint(item, &status);
      c.retry_statuses.push_back(status);
    }
  } else if (key == "targets" && v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      Pairs fields;
      ok = ok && get_pairs(item, &fields);
      Config::Target target;
      for (const auto& [k, value] : fields) {
        if (k == "deployment")
          target.deployment = value;
        else if (k == "provider")
          target.provider = value;
        else if (k == "model")
          target.model = value;
        else
          ok = false;
      }
      c.targets.push_back(std::move(target));
    }
  } else if (key == "verdicts") {
    Pairs verdicts;
    ok = get_pairs(v, &verdicts);
    for (const auto& [status, verdict] : verdicts) {
      uint32_t code = 0;
      sluice_verdict parsed = SLUICE_USE_POLICY;
      ok = ok && parse_uint(status, &code) && parse_verdict(verdict, &parsed);
      c.verdicts[code] = parsed;
    }
  } else if (key == "refuse") {
    error = as_text(v);
    return false;
  } else {
    error = "unknown key '" + std::string(key) + "'";
    return false;
  }
  if (!ok) error = "bad value for '" + std::string(key) + "'";
  return ok;
}

}  // namespace

std::unique_ptr<Config> Config::create(sluice::ConfigContext& context, std::string_view json,
                                       std::string& error) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    error = "config is not a JSON object";
    return nullptr;
  }
  auto config = std::make_unique<Config>();
  for (const auto& member : doc.GetObject()) {
    if (!parse_key(*config, as_text(member.name), member.value, error)) return nullptr;
  }
  config->instances = context.metric(SLUICE_COUNTER, "test_instances_total",
                                     "Test filter instances created.", {"filter"});
  config->completions = context.metric(SLUICE_COUNTER, "test_completions_total",
                                       "Test filter on_complete calls.", {"filter", "aborted"});
  config->op_done = context.metric(SLUICE_COUNTER, "test_op_done_total",
                                   "Test filter on_op_done calls.", {"filter"});
  if (!config->instances.valid() || !config->completions.valid() || !config->op_done.valid()) {
    error = "metric_define refused a test metric";
    return nullptr;
  }
  return config;
}

// ---- Scripted ------------------------------------------------------------------------------

template <class Base>
Scripted<Base>::Scripted(const Config& config, sluice::Stream stream)
    : Base(stream), config_(config) {
  config_.instances.record(1, {config_.name});
  if (config_.throw_in_constructor) throw std::runtime_error("scripted stream_new failure");
}

template <class Base>
void Scripted<Base>::note(std::string label, std::string value) {
  notes_.emplace_back(std::move(label), std::move(value));
}

template <class Base>
void Scripted<Base>::append_to_header(Part part, const std::string& name) {
  std::string value;
  if (auto previous = stream().header(part, name)) value = std::string(*previous) + ",";
  value += config_.name;
  stream().set_header(part, name, value);
}

template <class Base>
void Scripted<Base>::json_ops() {
  if (config_.body_replace) {
    note("breplace", stream().replace_body(Part::request, *config_.body_replace) ? "1" : "0");
  }
  for (const auto& [label, pointer] : config_.json_get) {
    if (auto text = stream().json_string(Part::request, pointer)) {
      note(label, std::string(*text));
    } else if (auto json = stream().json(Part::request, pointer)) {
      note(label, std::string(*json));
    } else {
      note(label, "<none>");
    }
  }
  for (const auto& [pointer, value] : config_.json_set) {
    note("jset", stream().json_set(Part::request, pointer, value) ? "1" : "0");
  }
}

template <class Base>
void Scripted<Base>::response_body_ops() {
  for (const auto& [old_text, new_text] : config_.response_splice) {
    const std::string_view body = stream().body(Part::response);
    const size_t at = body.find(old_text);
    if (at != std::string_view::npos) {
      stream().splice_body(Part::response, at, old_text.size(), new_text);
    }
  }
  if (config_.response_json_get.empty()) return;
  std::string event(stream().body(Part::response));
  for (const auto& [label, pointer] : config_.response_json_get) {
    const auto text = stream().json_string(Part::response, pointer);
    event += " " + label + "=" + (text ? std::string(*text) : std::string("<none>"));
  }
  stream().set_events({event});
}

template <class Base>
Status Scripted<Base>::on_request_headers(bool) {
  const sluice::Stream& s = stream();
  if (!config_.request_trace_header.empty()) {
    append_to_header(Part::request, config_.request_trace_header);
  }
  // Reads first, then writes: a filter observes what the filters before it left.
  for (const auto& [label, key] : config_.meta_get) {
    auto value = s.meta(key);
    note(label, value ? std::string(*value) : "<none>");
  }
  for (const auto& [label, name] : config_.request_header_get) {
    auto value = s.header(Part::request, name);
    note(label, value ? std::string(*value) : "<none>");
  }
  for (const auto& [key, value] : config_.meta_set) {
    note("mset-" + key, s.set_meta(key, value) ? "1" : "0");
  }
  if (config_.request_headers_clear) {
    note("hclear", s.clear_headers(Part::request) ? "1" : "0");
  }
  for (const auto& [name, value] : config_.request_header_set) {
    note("hset-" + name, s.set_header(Part::request, name, value) ? "1" : "0");
  }
  request_headers_extra();
  return act(kRequestHeaders);
}

template <class Base>
Status Scripted<Base>::on_request_body() {
  json_ops();
  request_body_extra();
  return act(kRequestBody);
}

template <class Base>
Status Scripted<Base>::on_response_headers(bool) {
  if (config_.response_status) {
    note("status-h", stream().set_status(config_.response_status) ? "1" : "0");
  }
  for (const auto& [label, value] : notes_) {
    stream().set_header(Part::response, "x-n-" + config_.name + "-" + label, value);
  }
  if (!config_.trace_header.empty()) append_to_header(Part::response, config_.trace_header);
  return act(kResponseHeaders);
}

template <class Base>
Status Scripted<Base>::on_response_body(bool end_of_stream) {
  if (config_.response_status) {
    // Seen by the filters whose headers hook runs later, or by nobody: the head is out when a
    // stream's body hooks run.
    stream().set_status(config_.response_status);
  }
  if (!end_of_stream) response_body_ops();
  if (config_.has_split_events && !end_of_stream) {
    const std::string body(stream().body(Part::response));
    std::vector<std::string> events;
    for (const std::string& suffix : config_.split_events) events.push_back(body + suffix);
    stream().set_events(events);
  } else if (end_of_stream && !config_.end_events.empty()) {
    stream().set_events(config_.end_events);
  }
  return act(kResponseBody);
}

template <class Base>
void Scripted<Base>::on_op_done(const sluice_op_done& done) {
  config_.op_done.record(1, {config_.name});
  if (done.token == Action::kStopThenResume) {
    if (config_.has_op_done_events)
      note("op-done-events", stream().set_events(config_.op_done_events) ? "1" : "0");
    stream().resume();
  } else if (done.token >= 1000) {  // stop_then_reply: the status rides in the token
    stream().error(static_cast<uint32_t>(done.token - 1000),
                   "filter " + config_.name + " replied late", "late_reply");
  }
}

template <class Base>
void Scripted<Base>::on_complete(bool aborted) {
  config_.completions.record(1, {config_.name, aborted ? "1" : "0"});
}

template <class Base>
Status Scripted<Base>::act(Hook hook) {
  const Action& action = config_.actions[hook];
  const sluice::Stream& s = stream();
  switch (action.kind) {
    case Action::kContinue:
      return sluice::Continue;
    case Action::kStopThenResume:
      return s.start_timer(action.ms, Action::kStopThenResume) ? sluice::Stop : sluice::Fail;
    case Action::kStopThenReply:
      return s.start_timer(action.ms, 1000 + action.status) ? sluice::Stop : sluice::Fail;
    case Action::kReply: {
      std::vector<sluice_header> headers;
      std::vector<std::string> names;
      names.reserve(notes_.size() + 1);
      for (const auto& [label, value] : notes_) {
        names.push_back("x-n-" + config_.name + "-" + label);
        headers.push_back({sluice::detail::str(names.back()), sluice::detail::str(value)});
      }
      headers.push_back({SLUICE_LIT("content-type"), SLUICE_LIT("application/json")});
      std::string body = "{\"replied_by\":\"" + config_.name + "\"}";
      return s.api()->send_local_reply(s.handle(), action.status, headers.data(), headers.size(),
                                       sluice::detail::str(body))
                 ? sluice::LocalReply
                 : sluice::Fail;
    }
    case Action::kFail:
      return sluice::Fail;
    case Action::kThrow:
      throw std::runtime_error("scripted throw from " + config_.name);
    case Action::kResumeEarly:
      note("early-resume", s.resume() ? "1" : "0");
      return sluice::Stop;
    case Action::kResumeThenContinue:
      s.resume();
      return sluice::Continue;
    case Action::kBadLocalReply:
      return sluice::LocalReply;
  }
  return sluice::Fail;
}

template class Scripted<sluice::Filter>;
template class Scripted<sluice::RouteFilter>;

// ---- test.router ---------------------------------------------------------------------------

void RouterFilter::set_plan() {
  if (!config_.set_plan) return;
  std::vector<sluice_target> targets;
  for (const auto& t : config_.targets) {
    targets.push_back({sluice::detail::str(t.deployment), sluice::detail::str(t.provider),
                       sluice::detail::str(t.model)});
  }
  sluice_retry_policy policy = {};
  policy.struct_size = sizeof(policy);
  policy.max_attempts = config_.max_attempts;
  policy.per_try_timeout_ms = config_.per_try_timeout_ms;
  policy.backoff_base_ms = config_.backoff_base_ms;
  policy.backoff_max_ms = config_.backoff_max_ms;
  policy.retry_statuses = config_.retry_statuses.data();
  policy.retry_status_count = config_.retry_statuses.size();
  policy.retry_on_connect_failure = config_.retry_on_connect_failure ? 1 : 0;
  int ok =
      stream().api()->route_set_plan(stream().handle(), targets.data(), targets.size(), &policy);
  note("plan", ok ? "1" : "0");
}

Status RouterFilter::on_request_headers(bool end_of_stream) {
  if (end_of_stream) set_plan();  // no body: on_request_body will not run
  return Scripted::on_request_headers(end_of_stream);
}

Status RouterFilter::on_request_body() {
  set_plan();
  return Scripted::on_request_body();
}

sluice_verdict RouterFilter::on_attempt_done(const sluice_attempt& attempt) {
  // The host's view of the attempt must agree with what it passes here.
  sluice_attempt current = {};
  current.struct_size = sizeof(current);
  bool agrees = stream().api()->attempt_get(stream().handle(), &current) &&
                current.number == attempt.number && current.target_index == attempt.target_index;
  attempts_ += (attempts_.empty() ? "" : ",") + std::to_string(attempt.number) + ":" +
               std::string(sluice::detail::view(attempt.target.deployment)) + ":" +
               std::to_string(attempt.http_status) + (agrees ? "" : ":disagree");
  if (!notes_.empty() && notes_.back().first == "attempts") notes_.pop_back();
  note("attempts", attempts_);
  auto it = config_.verdicts.find(attempt.http_status);
  return it == config_.verdicts.end() ? SLUICE_USE_POLICY : it->second;
}

// ---- test.upstream -------------------------------------------------------------------------

void UpstreamFilter::request_headers_extra() {
  sluice_attempt attempt = {};
  attempt.struct_size = sizeof(attempt);
  if (!stream().api()->attempt_get(stream().handle(), &attempt)) {
    note("attempt", "none");
    return;
  }
  note("attempt", std::to_string(attempt.number));
  std::string url = config_.url;
  if (size_t at = url.find("{deployment}"); at != std::string::npos) {
    url.replace(at, 12, sluice::detail::view(attempt.target.deployment));
  }
  if (!url.empty()) note("url-set", stream().set_meta("upstream.url", url) ? "1" : "0");
  if (!config_.attempt_header.empty()) {
    stream().set_header(Part::request, config_.attempt_header, std::to_string(attempt.number));
    stream().set_header(Part::request, config_.attempt_header + "-target",
                        sluice::detail::view(attempt.target.deployment));
  }
}

}  // namespace sluice_test

namespace sluice_test {

// test.callout: makes one http_call to `url` (POST "ping", header x-callout: yes, token 42) from
// on_request_headers and answers with "<result>|<http status>|<token>|<body>" when it completes.
class CalloutFilter : public sluice::Filter {
 public:
  CalloutFilter(const Config& config, sluice::Stream stream)
      : sluice::Filter(stream), config_(config) {}
  sluice::Status on_request_headers(bool) override {
    sluice_header header = {SLUICE_LIT("x-callout"), SLUICE_LIT("yes")};
    uint64_t id = stream().api()->http_call(stream().handle(), SLUICE_LIT("POST"),
                                            sluice_str_of(config_.url.data(), config_.url.size()),
                                            &header, 1, SLUICE_LIT("ping"), 500, 42);
    if (id == 0) {
      stream().error(502, "http_call refused");
      return sluice::LocalReply;
    }
    return sluice::Stop;
  }
  void on_op_done(const sluice_op_done& done) override {
    if (done.kind != SLUICE_OP_HTTP) return;
    std::string body = std::to_string(done.result) + "|" + std::to_string(done.http_status) + "|" +
                       std::to_string(done.token) + "|" +
                       std::string(done.body.ptr ? done.body.ptr : "", done.body.len);
    stream().local_reply(200, body, {{"content-type", "text/plain"}});
  }

 private:
  const Config& config_;
};

// test.passive: counts its completions and has no other hook.
class PassiveFilter : public sluice::Filter {
 public:
  PassiveFilter(const Config& config, sluice::Stream stream)
      : sluice::Filter(stream), config_(config) {}
  void on_complete(bool aborted) override {
    config_.completions.record(1, {config_.name, aborted ? "1" : "0"});
  }

 private:
  const Config& config_;
};

}  // namespace sluice_test

SLUICE_PLUGIN("sluice-test-filters", "1.0.0",
              SLUICE_FILTER_TYPE("test.script", sluice_test::Config, sluice_test::ScriptFilter),
              SLUICE_FILTER_TYPE("test.router", sluice_test::Config, sluice_test::RouterFilter),
              SLUICE_FILTER_TYPE("test.upstream", sluice_test::Config, sluice_test::UpstreamFilter),
              SLUICE_FILTER_TYPE("test.callout", sluice_test::Config, sluice_test::CalloutFilter),
              SLUICE_FILTER_TYPE("test.passive", sluice_test::Config, sluice_test::PassiveFilter))
