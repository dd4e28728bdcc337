// The runtime test world: fakes, YAML builders and the fixture (see runtime_test_support.h).

#include "test/unit/runtime/runtime_test_support.h"

#include <rapidjson/document.h>

#include <optional>
#include <utility>

#include "core/observability/metrics.h"

namespace sluice::runtime::testing {

using Clock = std::chrono::steady_clock;

std::string bin_path(std::string_view file) {
  return executable_dir() + "/" + std::string(file);
}

std::string test_plugin() {
  return bin_path("libsluice_test_filters.so");
}

PluginCatalog& catalog() {
  static PluginCatalog instance(executable_dir());
  return instance;
}

// ---- YAML builders -------------------------------------------------------------------------

std::string filter(std::string_view type, std::string_view name, std::string_view config,
                   std::string_view extra) {
  std::string out = "      - {name: " + std::string(name) + ", type: " + std::string(type) +
                    ", library: " + test_plugin();
  if (!extra.empty()) out += ", " + std::string(extra);
  out += ", config: {name: " + std::string(name);
  if (!config.empty()) out += ", " + std::string(config);
  return out + "}}\n";
}

std::string script(std::string_view name, std::string_view config, std::string_view extra) {
  return filter("test.script", name, config, extra);
}

std::string chain(std::string_view name, std::string_view match,
                  std::initializer_list<std::string> filters) {
  std::string out =
      "  - name: " + std::string(name) + "\n    match: " + std::string(match) + "\n    filters:\n";
  for (const std::string& f : filters) out += f;
  return out;
}

std::string config_yaml(std::initializer_list<std::string> chains, std::string_view extra) {
  std::string out = "listeners:\n  - port: 18080\n";
  out += extra;
  out += "chains:\n";
  for (const std::string& c : chains) out += c;
  return out;
}

std::string Built::errors_text() const {
  std::string out;
  for (const auto& e : errors) out += e.format() + "\n";
  return out;
}

Built build(std::string_view yaml) {
  config::LoadOptions options;
  options.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  config::LoadResult loaded = config::load_text(yaml, "test.yaml", options);
  Built built;
  if (!loaded.config) {
    built.errors = std::move(loaded.errors);
    return built;
  }
  std::shared_ptr<const config::LoadedConfig> shared(std::move(loaded.config));
  built.runtime = RuntimeConfig::build(shared, catalog(), &built.errors);
  return built;
}

// ---- FakeSink ------------------------------------------------------------------------------

// The head as the server writes it: the request id becomes an x-request-id field (the view does
// not outlive the call).
void FakeSink::as_sent(http::ResponseHead& h) {
  if (!h.request_id.empty()) h.headers.push_back({"x-request-id", std::string(h.request_id)});
  h.request_id = {};
}

void FakeSink::send_head(const http::ResponseHead& h, bool end_stream) {
  ++heads;
  head = h;
  as_sent(head);
  if (end_stream) {
    done = true;
    done_at = Clock::now();
  }
}

void FakeSink::send_body(std::string_view data, bool end_stream) {
  body.append(data);
  if (end_stream) {
    done = true;
    done_at = Clock::now();
  }
}

void FakeSink::send_whole(const http::ResponseHead& h, std::string_view b) {
  ++heads;
  head = h;
  as_sent(head);
  body.assign(b);
  done = true;
  done_at = Clock::now();
}

std::string FakeSink::header(std::string_view name) const {
  const std::string* value = http::find_header(head.headers, name);
  return value ? *value : "<absent>";
}

int FakeSink::header_count(std::string_view name) const {
  int n = 0;
  for (const auto& h : head.headers) n += h.name == name ? 1 : 0;
  return n;
}

// ---- FakeTransport -------------------------------------------------------------------------

class FakeTransport::Call : public UpstreamCall {
 public:
  Call(FakeTransport& owner, FakeResponse response, UpstreamCallbacks& callbacks)
      : owner_(owner), response_(std::move(response)), callbacks_(callbacks) {
    ++owner_.live;
    event_ = evtimer_new(owner_.loop_, &Call::fire, this);
    timeval tv = {static_cast<time_t>(response_.delay_ms / 1000),
                  static_cast<suseconds_t>((response_.delay_ms % 1000) * 1000)};
    evtimer_add(event_, &tv);
  }
  void pause_body() override {}  // the fake answers in one piece: nothing to hold back
  void resume_body() override {}
  ~Call() override {
    *alive_ = false;
    if (!answered_) ++owner_.cancelled;
    --owner_.live;
    event_free(event_);
  }

 private:
  // Delivers the scripted outcome. Any callback may destroy this call (the runtime resets it
  // when it decides), so nothing of `this` is touched once the call may be gone.
  static void fire(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Call*>(arg);
    std::shared_ptr<bool> alive = self->alive_;
    UpstreamCallbacks& callbacks = self->callbacks_;
    if (self->stage_ > 0) {  // a later chunk of a streamed answer
      self->next_chunk();
      return;
    }
    self->stage_ = 1;
    if (self->response_.fail) {
      self->answered_ = true;
      ++self->owner_.answered;
      callbacks.on_upstream_failure(self->response_.fail_kind, self->response_.reason);
      return;
    }
    callbacks.on_upstream_headers(self->response_.status, self->response_.headers);
    if (!*alive) return;
    if (!self->response_.chunks.empty()) {
      self->next_chunk();
      return;
    }
    self->answered_ = true;
    ++self->owner_.answered;
    if (!self->response_.body.empty()) callbacks.on_upstream_body(self->response_.body);
    if (!*alive) return;
    callbacks.on_upstream_complete();
  }

  // Delivers the next chunk now and arms the timer for the one after, or finishes.
  void next_chunk() {
    std::shared_ptr<bool> alive = alive_;
    if (chunk_ < response_.chunks.size()) {
      std::string chunk = response_.chunks[chunk_++];
      callbacks_.on_upstream_body(chunk);
      if (!*alive) return;
      timeval tv = {0, static_cast<suseconds_t>(response_.chunk_delay_ms * 1000)};
      evtimer_add(event_, &tv);
      return;
    }
    answered_ = true;
    ++owner_.answered;
    if (response_.fail_after_chunks) {
      callbacks_.on_upstream_failure(UpstreamFailure::reset, "connection reset mid-stream");
    } else {
      callbacks_.on_upstream_complete();
    }
  }

  FakeTransport& owner_;
  FakeResponse response_;
  UpstreamCallbacks& callbacks_;
  int stage_ = 0;
  size_t chunk_ = 0;
  event* event_ = nullptr;
  bool answered_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

void FakeTransport::script(std::vector<FakeResponse> responses) {
  for (auto& r : responses) script_.push_back(std::move(r));
}

std::unique_ptr<UpstreamCall> FakeTransport::start(const UpstreamRequestView& request,
                                                   UpstreamCallbacks& callbacks) {
  sent.push_back({UpstreamRequest(request), Clock::now()});  // the view ends with this call
  FakeResponse response;
  if (script_.empty()) {
    response.fail = true;
    response.reason = "fake transport: script exhausted";
  } else {
    response = std::move(script_.front());
    script_.pop_front();
  }
  return std::make_unique<Call>(*this, std::move(response), callbacks);
}

// ---- fixture -------------------------------------------------------------------------------

namespace {
void wake(evutil_socket_t, short, void*) {}
}  // namespace

RuntimeTest::RuntimeTest() : started_at_(Clock::now()) {
  loop_ = event_base_new();
  transport_ = std::make_unique<FakeTransport>(loop_);
  WorkerServices services;
  services.loop = loop_;
  services.upstream = transport_.get();
  dispatcher_ = std::make_unique<Dispatcher>(services, source_);
  metrics_before_ = metrics::global().render();
}

RuntimeTest::~RuntimeTest() {
  exchange_.reset();
  // Whatever the request left behind (timers, calls) must be gone with it: run the loop a little
  // so a timer that was not cancelled fires now, under ASan, rather than go unnoticed.
  run_for(2);
  EXPECT_EQ(transport_->live, 0) << "an upstream call outlived its request";
  EXPECT_LE(sink_.heads, 1) << "the response head was sent more than once";
  dispatcher_.reset();
  transport_.reset();
  event_base_free(loop_);
}

::testing::AssertionResult RuntimeTest::use(std::string_view yaml) {
  Built built = build(yaml);
  if (!built.runtime) {
    return ::testing::AssertionFailure() << "config did not build:\n"
                                         << built.errors_text() << "YAML:\n"
                                         << yaml;
  }
  source_.publish(built.runtime);
  return ::testing::AssertionSuccess();
}

void RuntimeTest::start(std::string method, std::string path, std::string body,
                        http::Headers headers) {
  http::Request request;
  request.method = std::move(method);
  request.target = path;
  size_t query = path.find('?');
  request.path = path.substr(0, query);
  if (query != std::string::npos) request.query = path.substr(query + 1);
  request.headers = std::move(headers);
  request.body = std::move(body);
  request.peer = "127.0.0.1:50000";
  started_at_ = Clock::now();
  exchange_ = dispatcher_->start(std::move(request), sink_);
}

bool RuntimeTest::run_until_response(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  event* waker = evtimer_new(loop_, &wake, nullptr);
  while (!sink_.done && Clock::now() < deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    timeval tv = {static_cast<time_t>(left / 1000000), static_cast<suseconds_t>(left % 1000000)};
    evtimer_add(waker, &tv);
    event_base_loop(loop_, EVLOOP_ONCE);
  }
  event_free(waker);
  return sink_.done;
}

void RuntimeTest::run_for(int ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(ms);
  event* waker = evtimer_new(loop_, &wake, nullptr);
  while (Clock::now() < deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    timeval tv = {static_cast<time_t>(left / 1000000), static_cast<suseconds_t>(left % 1000000)};
    evtimer_add(waker, &tv);
    event_base_loop(loop_, EVLOOP_ONCE);
  }
  event_free(waker);
}

void RuntimeTest::send(std::string method, std::string path, std::string body,
                       http::Headers headers) {
  start(std::move(method), std::move(path), std::move(body), std::move(headers));
  if (!run_until_response()) ADD_FAILURE() << "no response within 2s";
}

void RuntimeTest::finish_exchange() {
  exchange_.reset();
  run_for(2);
}

int64_t series_value(const std::string& rendered, const std::string& series) {
  std::string needle = "\n" + series + " ";
  size_t at = rendered.find(needle);
  if (at == std::string::npos) return 0;
  return std::stoll(rendered.substr(at + needle.size()));
}

int64_t RuntimeTest::metric_delta(const std::string& series) const {
  return series_value(metrics::global().render(), series) - series_value(metrics_before_, series);
}

int64_t RuntimeTest::instances(std::string_view filter) const {
  return metric_delta("sluice_plugin_test_instances_total{filter=\"" + std::string(filter) + "\"}");
}

int64_t RuntimeTest::completions(std::string_view filter, bool aborted) const {
  return metric_delta("sluice_plugin_test_completions_total{filter=\"" + std::string(filter) +
                      "\",aborted=\"" + (aborted ? "1" : "0") + "\"}");
}

int64_t RuntimeTest::op_done(std::string_view filter) const {
  return metric_delta("sluice_plugin_test_op_done_total{filter=\"" + std::string(filter) + "\"}");
}

namespace {
std::string error_field(std::string_view body, const char* field) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error")) return "";
  const auto& error = doc["error"];
  if (!error.IsObject() || !error.HasMember(field) || !error[field].IsString()) return "";
  return error[field].GetString();
}
}  // namespace

std::string RuntimeTest::error_message(std::string_view body) {
  return error_field(body, "message");
}

std::string RuntimeTest::error_code(std::string_view body) {
  return error_field(body, "code");
}

}  // namespace sluice::runtime::testing
