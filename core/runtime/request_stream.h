#pragma once
// RequestStream: one request's journey through its chain. It creates the filter instances, runs
// request hooks in chain order and response hooks in reverse, pauses on STOP until resume(),
// turns local replies and failures into responses, runs the upstream attempts a router filter
// planned (fresh per-attempt filter instances each time), and calls on_complete exactly once per
// instance before destroying it.
//
// Re-entrancy: a plugin calling resume() or send_local_reply() from on_op_done does not run the
// chain inside its own call; the continuation runs on a fresh loop turn, so no filter is ever
// destroyed while one of its hooks is on the stack. Single-threaded: everything runs on the
// worker's loop.

#include <event2/event.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <forward_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/apis/client_api.h"
#include "core/http/exchange.h"
#include "core/http/flow_control.h"
#include "core/observability/request_id.h"
#include "core/runtime/block_cache.h"
#include "core/runtime/chain.h"
#include "core/runtime/host_api.h"
#include "core/runtime/json_body.h"
#include "core/runtime/meta_store.h"
#include "core/runtime/sse_parser.h"
#include "core/runtime/upstream.h"

namespace sluice::metrics {
class Family;
}

namespace sluice::runtime {

// What every request on one worker shares.
struct WorkerServices {
  event_base* loop = nullptr;
  UpstreamTransport* upstream = nullptr;  // null: no upstream client on this worker
  // The max_body of every guarded call pending on the worker, whichever request made it: what
  // client-named fetches may hold at once, bounded by RequestStream::kMaxWorkerGuardedReserved.
  // Only the worker's thread touches it.
  uint64_t guarded_reserved = 0;
};

// Headers, body and (for responses) status of one message.
struct Message {
  int status = 0;
  http::Headers headers;  // unless shared_headers is set
  JsonBody body;
  // An attempt's request reads the request's header fields until a filter changes them: most
  // chains' provider filter replaces them all, and a copy per attempt would be thrown away.
  const http::Headers* shared_headers = nullptr;

  const http::Headers& read_headers() const { return shared_headers ? *shared_headers : headers; }
  http::Headers& edit_headers() {
    if (shared_headers) {
      headers = *shared_headers;
      shared_headers = nullptr;
    }
    return headers;
  }
  void clear_headers() {
    headers.clear();
    if (shared_headers) {
      headers.reserve(shared_headers->size());  // room for a replacement of the same size
      shared_headers = nullptr;
    }
  }
};

struct Plan {
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
};

struct Attempt {
  uint32_t number = 0;
  uint32_t target_index = 0;
  Message request;                 // an untouched copy of the request as it left the router
                                   // (its header fields shared until changed: see Message)
  std::span<sluice_stream> slots;  // the per-attempt filters' (RequestStream's storage)
  std::unique_ptr<UpstreamCall> call;
  uint32_t http_status = 0;
  uint32_t retry_after_ms = 0;
  std::string failure;  // why no response arrived
};

// Whether a metadata key is the host's (request.*, response.*, timing.*, upstream.attempts):
// plugins may read such keys, never set them.
bool is_host_meta_key(std::string_view key);

// The bounds of one HTTP callout (RequestStream::http_call).
struct HttpCallBounds {
  uint64_t max_body = 16 * 1024 * 1024;  // response body bound
  bool guarded = false;                  // http_call_guarded: reports TOO_LARGE and REFUSED
};

class RequestStream : public http::Exchange,
                      public http::ResponseDrainListener,
                      private UpstreamCallbacks,
                      private BlockCache<RequestStream> {
 public:
  // One is made and destroyed per request: the block is reused (block_cache.h).
  using BlockCache<RequestStream>::operator new;
  using BlockCache<RequestStream>::operator delete;

  RequestStream(WorkerServices& services, std::shared_ptr<const RuntimeConfig> runtime,
                const Chain& chain, http::Request request, http::ResponseSink& sink,
                const RequestId& request_id);
  ~RequestStream() override;

  // Runs the chain until it pauses or answers. Call once.
  void start();
  void on_abort() override;
  // The client's output buffer fell back under its bound: resume a paused upstream stream.
  void on_response_drained() override;

  // ---- for the host API table (host_api.cc); `slot` is the caller's handle ----
  Message* message(sluice_stream* slot, sluice_part part);
  bool may_modify(sluice_stream* slot, sluice_part part) const;
  bool response_head_sent() const { return head_sent_; }
  std::string_view keep(std::string text);  // scratch storage valid until the hook returns
  unsigned max_json_depth() const { return max_json_depth_; }
  bool meta_set(std::string_view key, std::string_view value);
  std::optional<std::string_view> meta_get(std::string_view key) const;
  // meta_get of each key: out[i] its value or {NULL, 0}; returns how many were found.
  size_t meta_get_many(const sluice_str* keys, size_t count, sluice_str* out) const;
  bool send_local_reply(sluice_stream* slot, int status, http::Headers headers, std::string body);
  bool send_error(sluice_stream* slot, int status, std::string_view message, std::string_view code);
  bool resume(sluice_stream* slot);
  uint64_t timer_start(sluice_stream* slot, uint32_t delay_ms, uint64_t token);
  // An HTTP callout on the worker's upstream client; 0 when refused. A guarded one (a URL from a
  // client, http_call_guarded) is refused beyond kMaxGuardedOps pending, a max_body above
  // kMaxGuardedBody, kMaxGuardedReserved of max_body across the stream's pending ones, or
  // kMaxWorkerGuardedReserved across the pending ones of every request on the worker.
  static constexpr size_t kMaxHttpOps = 64;
  static constexpr size_t kMaxGuardedOps = 8;
  static constexpr uint64_t kMaxGuardedBody = 32 * 1024 * 1024;
  static constexpr uint64_t kMaxGuardedReserved = 64 * 1024 * 1024;
  static constexpr uint64_t kMaxWorkerGuardedReserved = 256 * 1024 * 1024;
  uint64_t http_call(sluice_stream* slot, UpstreamRequest request, uint64_t token,
                     HttpCallBounds bounds = {});
  bool op_cancel(sluice_stream* slot, uint64_t op_id);
  // stream_events_set: in slot's on_response_body of a streamed response only.
  bool set_stream_events(sluice_stream* slot, std::vector<std::string> events);
  bool set_plan(sluice_stream* slot, Plan plan);
  const Attempt* attempt_of(sluice_stream* slot) const;
  const Plan& plan() const { return plan_; }
  std::string_view request_id() const { return request_id_.view(); }
  const Chain& chain() const { return chain_; }

 private:
  enum class Phase { request, attempt_request, upstream, response, done };
  enum class Step { next, paused, replied, replaced };
  struct Reply {
    sluice_stream* from;
    int status;
    http::Headers headers;
    std::string body;
  };
  struct Timer;
  struct HttpOp;

  // The slots the current phase visits, in visiting order, in room for one per filter of the
  // chain (no phase visits a filter twice), so refilling it never allocates.
  class SlotOrder {
   public:
    void set_room(std::span<sluice_stream*> room) { room_ = room; }
    void clear() { size_ = 0; }
    void push_back(sluice_stream* slot) {
      if (size_ == room_.size()) std::abort();  // a phase visiting a filter twice: a bug
      room_[size_++] = slot;
    }
    size_t size() const { return size_; }
    sluice_stream* operator[](size_t i) const { return room_[i]; }
    sluice_stream** begin() { return room_.data(); }
    sluice_stream** end() { return room_.data() + size_; }

   private:
    std::span<sluice_stream*> room_;
    size_t size_ = 0;
  };

  // Driving.
  void run();
  void schedule_run();
  static void on_scheduled_run(evutil_socket_t, short, void* self);
  Step call_request_hook(sluice_stream* slot, bool body);
  Step call_response_hook(sluice_stream* slot, bool body);
  Step after_hook(sluice_stream* slot, sluice_status status);
  bool create_instance(sluice_stream* slot);

  // Phases.
  void run_request_phase(Phase phase);  // over order_, which the caller filled
  void finish_request_phase();
  void start_attempt();
  void send_upstream();
  void finish_attempt_response();
  void decide_after_attempt();
  void begin_response(bool upstream_segment);  // over order_, which the caller filled
  void finish_response_segment();
  void take_reply();
  void send_to_client();
  // The response head as it goes out: response_'s headers moved in (not copied) without the
  // framing ones and any upstream x-request-id; ours goes as the head's request_id. The caller
  // moves the headers back once sent, for on_complete to read.
  http::ResponseHead take_head();
  sluice_verdict ask_router();
  // Streaming (SSE) responses: one response-body pass per event.
  void begin_stream();
  void stream_pass_done();
  void next_stream_event();
  void replace_current_event(std::vector<std::string> events);
  void end_stream_with_error(std::string_view reason);
  void publish_completion_metadata(bool aborted, std::chrono::steady_clock::time_point now);
  // Client APIs other than OpenAI's (core/apis): the request becomes OpenAI's before the chain;
  // the answer (whole, streamed or an error) goes out in the client's API.
  void enter_client_api();
  apis::AnswerContext answer_context() const;
  void encode_whole_answer();
  std::optional<std::string_view> find_meta(std::string_view key) const;  // meta_get's body
  void complete(bool aborted);
  void complete_slots(std::span<sluice_stream> slots, bool aborted);
  void cancel_ops(sluice_stream* slot);

  // Upstream callbacks.
  void on_upstream_headers(int status, http::Headers headers) override;
  void on_upstream_body(std::string_view data) override;
  void on_upstream_complete() override;
  void on_upstream_failure(UpstreamFailure kind, std::string reason) override;

  WorkerServices& services_;  // the worker's, shared by its requests (guarded_reserved)
  std::shared_ptr<const RuntimeConfig> runtime_;  // keeps the chain and plugin configs alive
  const Chain& chain_;
  http::ResponseSink& sink_;
  RequestId request_id_;
  std::string method_, path_;
  const apis::InboundCodec* codec_ = nullptr;  // null: the client speaks OpenAI's API
  std::unique_ptr<apis::StreamEncoder> encoder_;
  std::string client_model_;
  unsigned max_json_depth_;
  std::chrono::steady_clock::time_point started_;

  Message request_;  // after the request phase, the untouched copy each attempt starts from
  Message response_;
  MetaStore metadata_;  // what filters set
  // The host's completion figures, captured before on_complete and formatted only when asked.
  struct Completion {
    enum Key {
      status,
      response_bytes,
      request_bytes,
      aborted,
      attempts,
      total_us,
      upstream_us,
      ttft_us,
      count
    };
    int64_t value[count] = {};
    bool present[count] = {};
    struct Text {
      char bytes[20];  // an int64_t in decimal
      uint8_t size = 0;
    };
    mutable Text text[count];  // formatted on the first meta_get of the key
  };
  std::optional<Completion> completion_;
  // Every filter's slot in chain order, in one block that lives as long as the request, and the
  // room of order_: inline for chains of up to kInlineSlots filters, so a request allocates
  // neither. slots_ are the downstream ones (up to the router), which serve the whole request;
  // the rest serve the current attempt and are reset for each one.
  static constexpr size_t kInlineSlots = 8;
  std::array<sluice_stream, kInlineSlots> inline_slots_;
  std::array<sluice_stream*, kInlineSlots> inline_order_;
  std::unique_ptr<sluice_stream[]> more_slots_;  // longer chains
  std::unique_ptr<sluice_stream*[]> more_order_;
  std::span<sluice_stream> all_slots_;
  std::span<sluice_stream> slots_;
  std::forward_list<std::string> scratch_;  // keep()'s strings; no allocation until used

  Phase phase_ = Phase::request;
  SlotOrder order_;
  size_t cursor_ = 0;
  bool body_pass_ = false;  // in the current phase, the body hooks are running
  bool upstream_segment_ = false;
  sluice_stream* in_hook_ = nullptr;
  std::optional<Reply> reply_;
  bool head_sent_ = false;

  bool plan_set_ = false;
  Plan plan_;
  std::optional<Attempt> attempt_;       // the current (or last) attempt
  std::optional<uint32_t> next_target_;  // where the next attempt goes, set by the verdict
  std::string upstream_body_;            // the current attempt's response body as it arrives
  event* backoff_timer_ = nullptr;
  int response_status_ = 0;  // what went to the client; 0 until then

  // Streaming: an upstream 2xx text/event-stream response goes out event by event (and an
  // application/vnd.amazon.eventstream one read by read, raw).
  struct QueuedEvent {
    SseEvent event;
    size_t start = 0;    // where in the response order its pass begins (after its replacer)
    bool raw = false;    // bytes of a raw stream: never parsed, sent as they are
    bool final = false;  // the end-of-stream pass, resumed after a filter's final events
  };
  bool streaming_ = false;
  bool raw_stream_ = false;
  bool final_pass_ = false;       // the closing body pass (empty body, end_of_stream = 1)
  bool upstream_done_ = false;    // the upstream finished the stream
  bool upstream_paused_ = false;  // paused for backpressure
  std::string upstream_error_;    // the stream broke after the head went out
  std::unique_ptr<SseParser> sse_;
  std::unique_ptr<std::deque<QueuedEvent>> events_;  // not yet through the hooks
  std::vector<SseEvent> parsed_;                     // one read's events, on their way to events_
  SseEvent current_event_;
  bool current_raw_ = false;
  // What a hook gave stream_events_set, applied when it returns CONTINUE.
  std::optional<std::vector<std::string>> replacement_events_;
  std::string sse_out_;  // the current event as it goes to the client
  uint64_t response_bytes_ = 0;
  uint64_t request_bytes_ = 0;
  std::chrono::steady_clock::time_point upstream_started_{}, upstream_finished_{},
      first_body_byte_{};

  std::map<uint64_t, std::unique_ptr<Timer>> timers_;
  std::map<uint64_t, std::unique_ptr<HttpOp>> http_ops_;
  uint64_t next_op_id_ = 1;
  event* run_event_ = nullptr;
};

}  // namespace sluice::runtime
