#pragma once
// Scripted test filters (libsluice_test_filters.so), written with the C++ SDK only. Their JSON
// config says what each hook does, so runtime tests can drive every path of the chain runtime
// through the real ABI. Three types share one implementation:
//   test.script    a plain filter
//   test.router    a sluice::RouteFilter: sets the plan from its config, answers on_attempt_done
//   test.upstream  a per-attempt filter: sets meta "upstream.url", tags the attempt number
// Beside them, test.callout (one http_call) and test.passive (overrides no hook but on_complete,
// so the SDK hands the host NULL for the others, as for the log filter).
//
// Config keys (all optional unless noted; unknown keys are refused):
//   name                  instance label used in notes, traces, replies and metric labels
//   on_request_headers, on_request_body, on_response_headers, on_response_body: one action of
//       "continue" | "stop_then_resume:<ms>" | "stop_then_reply:<ms>:<status>" | "reply:<status>" |
//       "fail" | "throw" | "resume_early" | "resume_then_continue" | "bad_local_reply"
//   trace_header          response header every instance appends its name to (on_response_headers)
//   request_trace_header  request header every instance appends its name to (on_request_headers)
//   meta_set {key: value}, meta_get {label: key}, request_header_set {name: value},
//   request_header_get {label: name}     run in on_request_headers, reads before writes
//   request_headers_clear true           every request header field dropped (after the reads,
//                                        before request_header_set)
//   json_get {label: pointer}, json_set {pointer: json}   run in on_request_body, reads first
//   body_replace          the request body's new text, set in on_request_body before json_get
//   response_splice {old: new}   in on_response_body (each event of a stream), the first `old`
//                         of the response body becomes `new` (body_splice)
//   response_json_get {label: pointer}   in on_response_body of a streamed response, after
//                         response_splice: each event goes on as "<data> <label>=<string at
//                         pointer, or <none>>" (stream_events_set)
//   refuse                config_new fails with this message
//   throw_in_constructor  stream_new fails (the constructor throws after counting the instance)
//   split_events "<s1>,<s2>,.."  each streamed response event (data D) becomes events D<s1>,
//       D<s2>, ... (stream_events_set); "" drops every event
//   end_events "<e1>,<e2>,.."    at the end of a streamed response, events e1, e2, ... go out
//   op_done_events "<e1>,.."     on_op_done of a stop_then_resume sets these events (outside
//                                the body hook, which the host allows) before it resumes
//   response_status N     on_response_headers and on_response_body set the response status to N
//                         (response_status_set; the outcome is noted as "status-h"/"status-b")
//   router: targets [{deployment, provider, model}], max_attempts, per_try_timeout_ms,
//       backoff_base_ms, backoff_max_ms, retry_statuses [..], retry_on_connect_failure,
//       set_plan (default true), verdicts {"<status or 0>":
//       use_policy|accept|retry_same|next_target}
//   upstream: url (meta upstream.url), attempt_header (request header carrying the attempt number)
//
// What a filter observed ("notes") comes back as response headers x-n-<name>-<label>, written
// in on_response_headers, or attached to the local reply the filter sends itself. Metrics (read by
// the tests from the host's registry): sluice_plugin_test_instances_total{filter},
// sluice_plugin_test_completions_total{filter,aborted}, sluice_plugin_test_op_done_total{filter}.

#include <sluice/filter.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice_test {

enum Hook { kRequestHeaders = 0, kRequestBody, kResponseHeaders, kResponseBody, kHookCount };

struct Action {
  enum Kind {
    kContinue,
    kStopThenResume,
    kStopThenReply,
    kReply,
    kFail,
    kThrow,
    kResumeEarly,
    kResumeThenContinue,
    kBadLocalReply,
  };
  Kind kind = kContinue;
  uint32_t ms = 0;
  uint32_t status = 0;
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Config {
  std::string name = "unnamed";
  Action actions[kHookCount];
  std::string trace_header;
  std::string request_trace_header;
  Pairs meta_set, meta_get, request_header_set, request_header_get, json_get, json_set;
  std::optional<std::string> body_replace;
  bool request_headers_clear = false;
  Pairs response_splice, response_json_get;

  // test.router
  struct Target {
    std::string deployment, provider, model;
  };
  std::vector<Target> targets;
  uint32_t max_attempts = 1;
  uint32_t per_try_timeout_ms = 0;
  uint32_t backoff_base_ms = 0;
  uint32_t backoff_max_ms = 0;
  std::vector<uint32_t> retry_statuses;
  bool retry_on_connect_failure = false;
  bool set_plan = true;
  bool throw_in_constructor = false;
  bool has_split_events = false;
  uint32_t response_status = 0;
  bool has_op_done_events = false;
  std::vector<std::string> split_events, end_events, op_done_events;
  std::map<uint32_t, sluice_verdict> verdicts;

  // test.upstream
  std::string url;
  std::string attempt_header;

  sluice::Metric instances, completions, op_done;

  static std::unique_ptr<Config> create(sluice::ConfigContext& context, std::string_view json,
                                        std::string& error);
};

// The behaviour shared by the three types; Base is sluice::Filter or sluice::RouteFilter.
template <class Base>
class Scripted : public Base {
 public:
  Scripted(const Config& config, sluice::Stream stream);
  sluice::Status on_request_headers(bool end_of_stream) override;
  sluice::Status on_request_body() override;
  sluice::Status on_response_headers(bool end_of_stream) override;
  sluice::Status on_response_body(bool end_of_stream) override;
  void on_op_done(const sluice_op_done& done) override;
  void on_complete(bool aborted) override;

 protected:
  using Base::stream;
  void note(std::string label, std::string value);
  // Extra request-header work of a subtype, before the scripted action.
  virtual void request_headers_extra() {}
  virtual void request_body_extra() {}

  const Config& config_;
  Pairs notes_;

 private:
  sluice::Status act(Hook hook);
  void append_to_header(sluice::Part part, const std::string& name);
  void json_ops();
  void response_body_ops();  // response_splice, then response_json_get
};

class ScriptFilter : public Scripted<sluice::Filter> {
 public:
  using Scripted::Scripted;
};

class RouterFilter : public Scripted<sluice::RouteFilter> {
 public:
  using Scripted::Scripted;
  sluice::Status on_request_headers(bool end_of_stream) override;
  sluice::Status on_request_body() override;
  sluice_verdict on_attempt_done(const sluice_attempt& attempt) override;

 private:
  void set_plan();
  std::string attempts_;  // "1:d0:500,2:d1:200"
};

class UpstreamFilter : public Scripted<sluice::Filter> {
 public:
  using Scripted::Scripted;

 protected:
  void request_headers_extra() override;
};

}  // namespace sluice_test
