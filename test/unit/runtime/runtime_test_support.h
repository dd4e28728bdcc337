#pragma once
// The world a runtime test runs in: a real event loop, a fake ResponseSink recording what reached
// the client, a fake UpstreamTransport answering per script (always later, from a loop timer),
// and the real Dispatcher / RequestStream / RuntimeConfig over the scripted test plugins
// (test/plugins, loaded from the bin folder next to this binary).
//
// Plugin metrics (sluice_plugin_test_*) live in the process-wide registry and accumulate over the
// whole run; the fixture snapshots them when a test starts and reports deltas.

#include <event2/event.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/loader.h"
#include "core/http/exchange.h"
#include "core/runtime/chain.h"
#include "core/runtime/dispatcher.h"
#include "core/runtime/plugin_loader.h"
#include "core/runtime/upstream.h"

namespace sluice::runtime::testing {

// A file in the build's bin folder (where the test binary and every plugin land).
std::string bin_path(std::string_view file);
// libsluice_test_filters.so in the bin folder.
std::string test_plugin();
// One catalog for the whole run: plugin libraries are never unloaded, as in the server.
PluginCatalog& catalog();

// ---- YAML builders -------------------------------------------------------------------------

// One entry of a chain's filter list, from the test plugin:
//   - {name: NAME, type: TYPE, library: <test plugin>, EXTRA, config: {name: NAME, CONFIG}}
std::string filter(std::string_view type, std::string_view name, std::string_view config = "",
                   std::string_view extra = "");
std::string script(std::string_view name, std::string_view config = "",
                   std::string_view extra = "");
// A chain: name, match (a YAML flow mapping) and filter entries.
std::string chain(std::string_view name, std::string_view match,
                  std::initializer_list<std::string> filters);
// A whole config file: one listener plus the chains given.
std::string config_yaml(std::initializer_list<std::string> chains, std::string_view extra = "");

struct Built {
  std::shared_ptr<const RuntimeConfig> runtime;
  std::vector<config::Diagnostic> errors;  // loader or build errors
  std::string errors_text() const;
};
// Loads `yaml` as "test.yaml" and builds it against catalog().
Built build(std::string_view yaml);

// ---- fakes ---------------------------------------------------------------------------------

class FakeSink : public http::ResponseSink {
 public:
  void send_head(const http::ResponseHead& head, bool end_stream) override;
  void send_body(std::string_view data, bool end_stream) override;
  void send_whole(const http::ResponseHead& head, std::string_view body) override;
  static void as_sent(http::ResponseHead& head);
  size_t buffered_bytes() const override { return 0; }

  // The value of response header `name`, or "<absent>".
  std::string header(std::string_view name) const;
  int header_count(std::string_view name) const;

  bool done = false;
  int heads = 0;  // how many times a head was sent (must be 1)
  http::ResponseHead head;
  std::string body;
  std::chrono::steady_clock::time_point done_at;
};

struct FakeResponse {
  int status = 200;
  http::Headers headers;
  std::string body = R"({"ok":true})";
  bool fail = false;  // a failure instead of a response, of this kind
  UpstreamFailure fail_kind = UpstreamFailure::connect;
  std::string reason = "connection refused";
  uint32_t delay_ms = 1;
  // Streaming: after the head, each chunk is delivered by its own timer (chunk_delay_ms apart),
  // then the call completes, or fails when fail_after_chunks is set.
  std::vector<std::string> chunks;
  uint32_t chunk_delay_ms = 1;
  bool fail_after_chunks = false;
};

class FakeTransport : public UpstreamTransport {
 public:
  explicit FakeTransport(event_base* loop) : loop_(loop) {}
  // Responses for the next calls, in order. A call beyond the script fails ("script exhausted").
  void script(std::vector<FakeResponse> responses);
  std::unique_ptr<UpstreamCall> start(const UpstreamRequestView& request,
                                      UpstreamCallbacks& callbacks) override;

  struct Sent {
    UpstreamRequest request;
    std::chrono::steady_clock::time_point at;
  };
  std::vector<Sent> sent;
  int answered = 0;   // calls that delivered their outcome
  int cancelled = 0;  // calls destroyed before answering
  int live = 0;       // calls not yet destroyed

 private:
  class Call;
  event_base* loop_;
  std::deque<FakeResponse> script_;
};

// ---- fixture -------------------------------------------------------------------------------

class RuntimeTest : public ::testing::Test {
 protected:
  RuntimeTest();
  ~RuntimeTest() override;

  // Builds `yaml` and publishes it to the dispatcher.
  ::testing::AssertionResult use(std::string_view yaml);
  // Hands a request to the dispatcher (the exchange is kept in exchange_).
  void start(std::string method, std::string path, std::string body = "",
             http::Headers headers = {{"content-type", "application/json"}});
  // Runs the loop until the client has a response or `timeout_ms` passed; true when answered.
  bool run_until_response(int timeout_ms = 2000);
  // Runs the loop for `ms` milliseconds.
  void run_for(int ms);
  // start() then run_until_response(); fails the test when no response comes.
  void send(std::string method, std::string path, std::string body = "",
            http::Headers headers = {{"content-type", "application/json"}});
  // Ends the exchange as the connection would (destroy it), then lets the loop settle.
  void finish_exchange();

  // Plugin metric deltas since the test began.
  int64_t instances(std::string_view filter) const;
  int64_t completions(std::string_view filter, bool aborted) const;
  int64_t op_done(std::string_view filter) const;
  int64_t metric_delta(const std::string& series) const;
  // The error message of an OpenAI error body, or "" when the body is not one.
  static std::string error_message(std::string_view body);
  static std::string error_code(std::string_view body);

  event_base* loop_ = nullptr;
  FakeSink sink_;
  std::unique_ptr<FakeTransport> transport_;
  ConfigSource source_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<http::Exchange> exchange_;
  std::chrono::steady_clock::time_point started_at_;

 private:
  std::string metrics_before_;
};

// The value of `series` (e.g. `name{a="b"}`) in a Prometheus text rendering; 0 when absent.
int64_t series_value(const std::string& rendered, const std::string& series);

}  // namespace sluice::runtime::testing
