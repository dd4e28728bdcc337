/* sluice/filter.h -- the C ABI between the sluice host and filter plugins (shared objects).
 *
 * A plugin is a shared object exporting ONE symbol, sluice_plugin_entry(), which returns a static
 * descriptor: the ABI version it was built against and the filter types it provides. The plugin
 * imports no host symbol: everything it can ask of the host arrives as a table of function
 * pointers (sluice_host_api). Pure C99 with only <stddef.h> and <stdint.h>, so a filter may be
 * written in C, C++, Rust, Zig or Go.
 *
 * Conventions, stated once and kept everywhere below:
 *  - Strings are sluice_str: pointer + length, not NUL-terminated, UTF-8 by convention.
 *  - Borrowed from the host: a sluice_str the host returns stays valid until the current hook
 *    returns or the plugin changes the object it came from (a header_set invalidates strings
 *    returned by earlier header_* calls on that part, as does headers_clear; json_set/json_remove/
 *    body_replace/body_splice do the same for body and JSON strings of that part). Copy what you
 *    keep longer.
 *  - Given to the host: anything the plugin passes in is copied before the call returns.
 *  - int results: 1 = done; 0 = not found, invalid argument, or not allowed in this hook. A call
 *    made where it is not allowed is refused at run time and logged; it is never undefined
 *    behaviour.
 *  - Threading: the host calls a filter's hooks, and the plugin calls host functions for a stream,
 *    only on that stream's worker thread. Different streams of one config run on different threads
 *    at once, so a config object must be read-only after config_new (or synchronise itself).
 *    config_new runs on the control thread (start-up and reload). config_destroy runs once no
 *    request uses that config any more (after a reload, when the last request that started
 *    under the old config finishes), on whichever thread that request ran on; no hook of that
 *    config runs concurrently with it.
 *  - Versioning: SLUICE_ABI_MAJOR changes break plugins and the host refuses another major with a
 *    message naming both versions. SLUICE_ABI_MINOR changes only append: new host functions at the
 *    END of sluice_host_api, new hooks at the END of sluice_filter, each struct carrying its
 *    struct_size. The host accepts any plugin minor <= its own and never reads a filter field past
 *    the plugin's struct_size. A plugin built against a newer minor than the host is refused.
 *    A plugin that declares an older minor than its header's (to run on older hosts) checks
 *    SLUICE_HOST_HAS(api, function) before calling a function of a later minor; the C++ SDK
 *    (filter.hpp) does so itself and falls back to the older functions.
 *
 * Version history:
 *  1.0  hooks for headers, body (parsed JSON), response, async completions, on_complete; host
 *       functions for logging, metrics, headers, raw and JSON-pointer body access, metadata, local
 *       replies and errors, resume, timers.
 *  1.1  routing: route_set_plan / attempt_get and the on_attempt_done hook.
 *  1.2  config_registry (models, deployments and providers for config_new), async HTTP callouts
 *       (http_call, SLUICE_OP_HTTP and the HTTP fields of sluice_op_done), reopen_generation;
 *       streamed responses reach on_response_body one SSE event at a time; the host sets the
 *       response.*, timing.* and upstream.* metadata listed at meta_get.
 *  1.3  meta_get_many (many metadata keys in one call) and headers_clear (every header field of a
 *       part in one call).
 *  1.4  stream_events_set (a streamed response's event becomes zero or more events); a 2xx
 *       application/vnd.amazon.eventstream answer is streamed too, as raw chunks of bytes;
 *       response_status_set.
 *  1.5  http_call_guarded (an HTTP call to a URL that came from a client: body size and time
 *       limits, public addresses only, no proxy, no redirect) with sluice_http_limits and the
 *       op results SLUICE_OP_TOO_LARGE and SLUICE_OP_REFUSED, which only it reports.
 *  1.6  json_get_many (many JSON pointers of a body in one call).
 *  1.7  body_splice (one range of a body replaced in place).
 */
#ifndef SLUICE_FILTER_H_
#define SLUICE_FILTER_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SLUICE_ABI_MAJOR 1
#define SLUICE_ABI_MINOR 7

typedef struct sluice_str {
  const char* ptr;
  size_t len;
} sluice_str;

static inline sluice_str sluice_str_of(const char* p, size_t n) {
  sluice_str s;
  s.ptr = p;
  s.len = n;
  return s;
}
#define SLUICE_LIT(s) sluice_str_of((s), sizeof(s) - 1)

typedef struct sluice_header {
  sluice_str name; /* lower-case when it comes from the host */
  sluice_str value;
} sluice_header;

/* Opaque host handles. A sluice_stream is one filter instance's view of one request (or of one
 * upstream attempt, for filters after the route filter). A sluice_config is one configured filter
 * instance from the YAML. Both are valid from the call that hands them over until stream_destroy /
 * config_destroy returns. */
typedef struct sluice_stream sluice_stream;
typedef struct sluice_config sluice_config;

typedef enum sluice_status {
  SLUICE_CONTINUE = 0,    /* hand the message to the next filter */
  SLUICE_STOP = 1,        /* pause here; the filter later calls resume() or send_local_reply() */
  SLUICE_LOCAL_REPLY = 2, /* send_local_reply()/send_error() was called in this hook */
  SLUICE_FAIL = 3         /* the host applies the filter's failure_policy: closed = 500,
                             open = carry on as if CONTINUE */
} sluice_status;

typedef enum sluice_part { SLUICE_REQUEST = 0, SLUICE_RESPONSE = 1 } sluice_part;

typedef enum sluice_log_level {
  SLUICE_LOG_DEBUG = 0,
  SLUICE_LOG_INFO = 1,
  SLUICE_LOG_WARN = 2,
  SLUICE_LOG_ERROR = 3
} sluice_log_level;

typedef enum sluice_metric_kind {
  SLUICE_COUNTER = 0,  /* metric_record adds value */
  SLUICE_GAUGE = 1,    /* metric_record sets value */
  SLUICE_HISTOGRAM = 2 /* metric_record observes value (seconds for latencies) */
} sluice_metric_kind;

typedef enum sluice_op_kind { SLUICE_OP_TIMER = 0, SLUICE_OP_HTTP = 1 /* 1.2 */ } sluice_op_kind;
typedef enum sluice_op_result {
  SLUICE_OP_OK = 0,
  SLUICE_OP_NOT_FOUND = 1,
  SLUICE_OP_TIMEOUT = 2,
  SLUICE_OP_FAILED = 3,
  /* 1.5, reported by http_call_guarded only: */
  SLUICE_OP_TOO_LARGE = 4, /* the body would pass max_body_bytes: stopped there, body empty */
  SLUICE_OP_REFUSED = 5    /* no address the name resolved to was public; nothing was sent */
} sluice_op_result;

/* Limits of one http_call_guarded (1.5). */
typedef struct sluice_http_limits {
  uint32_t struct_size;
  uint32_t timeout_ms;       /* connect, first byte, each pause and the whole exchange: 1..60000 */
  uint64_t max_body_bytes;   /* response body bound: 1..32 MiB (33554432) */
  int public_addresses_only; /* 1: connect only to public unicast addresses (never loopback,
                                private, CGNAT, link-local, reserved, multicast, nor IPv6 forms
                                of them), checked on the address connected to */
} sluice_http_limits;

/* Completion of an async operation, delivered to on_op_done on the stream's thread. Borrowed:
 * valid during the on_op_done call only. Later minors append fields (HTTP, key-value results). */
typedef struct sluice_op_done {
  uint32_t struct_size;
  uint64_t op_id;
  uint64_t token; /* the value the plugin passed when it started the op */
  sluice_op_kind kind;
  sluice_op_result result;
  /* ---- 1.2: SLUICE_OP_HTTP results (check struct_size before reading) ---- */
  uint32_t http_status; /* 0 when no response arrived (result says why) */
  const sluice_header* headers;
  size_t header_count;
  sluice_str body;
} sluice_op_done;

/* ---- routing (1.1) ------------------------------------------------------------------------ */

/* One place a request may be sent: the route filter chooses, upstream filters translate. */
typedef struct sluice_target {
  sluice_str deployment; /* deployment id, for logs and metrics */
  sluice_str provider;   /* provider name from the config */
  sluice_str model;      /* provider-side model id */
} sluice_target;

typedef struct sluice_retry_policy {
  uint32_t struct_size;
  uint32_t max_attempts;          /* total across all targets, >= 1 */
  uint32_t per_try_timeout_ms;    /* 0 = none */
  uint32_t backoff_base_ms;       /* jittered exponential backoff before retrying */
  uint32_t backoff_max_ms;        /* cap on one back-off */
  const uint32_t* retry_statuses; /* e.g. 429, 500, 502, 503, 504; borrowed for the call */
  size_t retry_status_count;
  int retry_on_connect_failure; /* connect failure, reset or timeout before response headers */
} sluice_retry_policy;

typedef struct sluice_attempt {
  uint32_t struct_size;
  uint32_t number;         /* 1-based, across all targets */
  uint32_t target_index;   /* index into the plan's targets */
  sluice_target target;    /* borrowed: valid while the request lives */
  uint32_t http_status;    /* 0 when no response headers arrived */
  uint32_t retry_after_ms; /* from the upstream's retry-after header, 0 when absent */
} sluice_attempt;

typedef enum sluice_verdict {
  SLUICE_USE_POLICY = 0, /* let the host apply the plan's retry policy */
  SLUICE_ACCEPT = 1,     /* send this attempt's response to the client */
  SLUICE_RETRY_SAME = 2, /* back off and try the same target again */
  SLUICE_NEXT_TARGET = 3 /* move to the next target in the plan */
} sluice_verdict;

/* ---- what the host provides ---------------------------------------------------------------- */

/* Handed to config_new (and init); valid until the plugin is unloaded, which happens only after
 * every config and stream of the plugin is destroyed. Append-only (see Versioning above). */
typedef struct sluice_host_api {
  uint32_t struct_size;
  uint32_t abi_major, abi_minor; /* the host's version */

  /* -- logging and metrics: any thread, any time -- */
  int (*log_enabled)(sluice_log_level level);
  /* One structured log line tagged with the filter instance and, when s is not NULL, the request
   * id. Never log a secret. */
  void (*log)(sluice_config* c, sluice_stream* s, sluice_log_level level, sluice_str message);
  /* Declares a metric shown on /metrics as sluice_plugin_<name>. Only inside config_new. Returns
   * an id > 0, or 0 on a bad name or a clash with an existing metric of another shape. Declaring
   * the same metric again (e.g. after a reload) returns the same series. */
  uint32_t (*metric_define)(sluice_config* c, sluice_metric_kind kind, sluice_str name,
                            sluice_str help, const sluice_str* label_names, size_t label_count);
  /* Records a value; label_values must match the declaration in count. Any thread. */
  int (*metric_record)(sluice_config* c, uint32_t metric_id, const sluice_str* label_values,
                       size_t label_count, double value);

  /* -- headers: SLUICE_REQUEST in request hooks, SLUICE_RESPONSE in response hooks (both may be
   *    read later, e.g. in on_complete) -- */
  size_t (*header_count)(sluice_stream* s, sluice_part part);
  int (*header_at)(sluice_stream* s, sluice_part part, size_t index, sluice_header* out);
  /* First value of name (case-insensitive). */
  int (*header_get)(sluice_stream* s, sluice_part part, sluice_str name, sluice_str* out);
  /* Replaces every value of name with one; value.ptr == NULL removes the header. */
  int (*header_set)(sluice_stream* s, sluice_part part, sluice_str name, sluice_str value);
  int (*header_add)(sluice_stream* s, sluice_part part, sluice_str name, sluice_str value);

  /* -- body: the whole request body, or the current response body / SSE event data -- */
  int (*body_get)(sluice_stream* s, sluice_part part, sluice_str* out);
  /* Replaces the body; when it is JSON (its part is declared JSON, or it starts as a JSON object
   * or array does: an SSE event's data has no type of its own) the JSON view below is re-parsed
   * (at its next read). */
  int (*body_replace)(sluice_stream* s, sluice_part part, sluice_str data);

  /* -- JSON view of that body, parsed once by the host, addressed by RFC 6901 pointers
   *    ("/messages/0/content"; "" is the whole document). 0 when the body is not JSON. -- */
  int (*json_get)(sluice_stream* s, sluice_part part, sluice_str pointer, sluice_str* out_json);
  int (*json_get_string)(sluice_stream* s, sluice_part part, sluice_str pointer, sluice_str* out);
  int (*json_get_number)(sluice_stream* s, sluice_part part, sluice_str pointer, double* out);
  /* Sets the value at pointer (parent must exist; the last member is created) to json_value. */
  int (*json_set)(sluice_stream* s, sluice_part part, sluice_str pointer, sluice_str json_value);
  int (*json_remove)(sluice_stream* s, sluice_part part, sluice_str pointer);

  /* -- per-request metadata, shared by all filters of the request (and its attempts). The host
   *    sets "request.id", "request.chain", "request.method", "request.path" from the start (for a
   *    request in another client API than OpenAI's, from 1.4, also "request.api": "anthropic"
   *    or "bedrock", and "request.client_path", the path as sent: "request.path" is then the
   *    OpenAI path the request became) and,
   *    from 1.2, before on_complete: "response.status", "response.bytes", "request.bytes",
   *    "request.aborted" ("0"/"1"), "upstream.attempts", "timing.total_us",
   *    "timing.upstream_us" (first attempt sent to last byte received) and "timing.ttft_us"
   *    (request start to the first response body byte). Keys under "request.", "response.",
   *    "timing." and "upstream.attempts" are the host's: plugins may read, not write them
   *    ("upstream.url" and "upstream.method" are for per-attempt filters to set). -- */
  int (*meta_set)(sluice_stream* s, sluice_str key, sluice_str value);
  int (*meta_get)(sluice_stream* s, sluice_str key, sluice_str* out);

  /* -- flow control -- */
  /* Answers the request now with exactly this status, headers and body; the filter's hook then
   * returns SLUICE_LOCAL_REPLY (or, after SLUICE_STOP, simply does not resume). Response hooks of
   * the filters before this one still run. 0 once the response head has gone to the client. */
  int (*send_local_reply)(sluice_stream* s, uint32_t status, const sluice_header* headers,
                          size_t header_count, sluice_str body);
  /* Like send_local_reply with an error body in the client API's own shape (OpenAI's
   * {"error":{"message","type","param","code"}} on the OpenAI interface). code may be empty. */
  int (*send_error)(sluice_stream* s, uint32_t status, sluice_str message, sluice_str code);
  /* Continues the direction this filter paused with SLUICE_STOP. Must be called from a later
   * callback (on_op_done), not from the hook that returned STOP. */
  int (*resume)(sluice_stream* s);

  /* -- async operations: return an op id > 0 (0 = refused); completion arrives once through
   *    on_op_done. The host cancels every pending op of a stream before stream_destroy. -- */
  uint64_t (*timer_start)(sluice_stream* s, uint32_t delay_ms, uint64_t token);
  /* Cancels a pending op; its on_op_done is never called. 0 when it is not pending. */
  int (*op_cancel)(sluice_stream* s, uint64_t op_id);

  /* ---- 1.1 ---- */
  /* Only from a request hook (on_request_headers or on_request_body) of the chain's router: the
   * first filter whose type has on_attempt_done. Filters after the router in the chain are
   * per-attempt filters: the host creates fresh instances of them for each attempt over an
   * untouched copy of the request as it left the router. Copies everything. */
  int (*route_set_plan)(sluice_stream* s, const sluice_target* targets, size_t target_count,
                        const sluice_retry_policy* policy);
  /* The current attempt, for per-attempt filters (and the route filter in on_attempt_done).
   * 0 outside an attempt. out->struct_size must be set by the caller. */
  int (*attempt_get)(sluice_stream* s, sluice_attempt* out);

  /* ---- 1.2 ---- */
  /* Only inside config_new: the models, their deployments and the providers of the gateway
   * config as one JSON document, defaults applied and credentials included (never log it):
   *   {"providers":[{"name","type","api_base","api_key","settings":{}}],
   *    "models":[{"name","deployments":[{"id","provider","provider_type","model","weight",
   *               "rpm","tpm","api_base","api_key","params":{}}]}]}
   * "id" is "<model name>#<index>". Borrowed until config_new returns. */
  int (*config_registry)(sluice_config* c, sluice_str* out_json);
  /* Starts an HTTP request on the worker's upstream client (guardrails, JWKS, token refresh).
   * url is absolute http(s) and must come from configuration, never from a client (a client's
   * URL goes through http_call_guarded, 1.5). Completion:
   * on_op_done with SLUICE_OP_HTTP (http_status, headers, body borrowed for that call). */
  uint64_t (*http_call)(sluice_stream* s, sluice_str method, sluice_str url,
                        const sluice_header* headers, size_t header_count, sluice_str body,
                        uint32_t timeout_ms, uint64_t token);
  /* Grows by one each time the operator asks files to be reopened (SIGUSR1, log rotation).
   * Any thread. */
  uint64_t (*reopen_generation)(void);

  /* ---- 1.3 ---- */
  /* meta_get for count keys in one call, for a filter that reads many (an access log): out[i]
   * becomes key i's value, borrowed exactly as meta_get's, or {NULL, 0} when the key is absent
   * (an empty value found has a non-NULL ptr). Returns how many keys were found. Allowed wherever
   * meta_get is. Every out[i] is written whenever out is not NULL, so a refused call (s or keys
   * NULL) reads as all keys absent; count 0 writes nothing and returns 0. */
  size_t (*meta_get_many)(sluice_stream* s, const sluice_str* keys, size_t count, sluice_str* out);
  /* Removes every header field of part in one call, as header_set with value.ptr == NULL would
   * for each name, under header_set's rules: the request in this filter's request hooks, the
   * response in its response hooks until the response head has gone to the client. Invalidates
   * the strings earlier header_* calls returned for that part. */
  int (*headers_clear)(sluice_stream* s, sluice_part part);

  /* ---- 1.4 ---- */
  /* Only in on_response_body of a streamed response: replaces the current event by `count`
   * events whose data are these texts, in order (count 0 drops the event). Each new event then
   * runs through the response hooks of the filters before this one in the chain, as an event of
   * its own, and goes to the client. With end_of_stream = 1 the events go out before the end, and
   * the end-of-stream pass then continues with the filters before this one. Takes effect when
   * the hook returns SLUICE_CONTINUE (any other status discards it); a second call in the same
   * hook replaces the first. For a filter that turns a provider's stream into another shape:
   * an Anthropic event into OpenAI chunks, or raw Bedrock event-stream bytes (which reach
   * on_response_body as they arrive, one read at a time, not parsed) into chunks. Copies
   * everything. */
  int (*stream_events_set)(sluice_stream* s, const sluice_str* events, size_t count);
  /* Sets the status of the response (100..599) in a response hook, before the response head
   * has gone to the client: for a filter that turns an answer into an error (a provider's
   * answer that cannot be translated) or an error into another. The route filter's verdict on
   * an attempt still sees the upstream's own status. */
  int (*response_status_set)(sluice_stream* s, uint32_t status);

  /* ---- 1.5 ---- */
  /* http_call for a URL that came from a client (an image to fetch for a provider): an absolute
   * http(s) URL, sent on a fresh direct connection that is closed afterwards (never through a
   * forward proxy, so the address checked is the real one; never on a pooled connection).
   * Redirects are not followed: a 3xx is the op's result like any status. limits is required
   * (struct_size set) and bounds the call: a body longer than max_body_bytes (declared by
   * Content-Length or counted as it arrives) ends the op at once with SLUICE_OP_TOO_LARGE and
   * stops the transfer; timeout_ms ends it with SLUICE_OP_TIMEOUT; with public_addresses_only
   * an internal address ends it with SLUICE_OP_REFUSED before anything is sent to it. A stream
   * may have at most 8 guarded calls pending, whose max_body_bytes add up to at most 64 MiB, and
   * the pending ones of all streams on a worker at most 256 MiB; beyond that, or with limits out
   * of range, the call is refused (0). Completion as
   * http_call's. */
  uint64_t (*http_call_guarded)(sluice_stream* s, sluice_str method, sluice_str url,
                                const sluice_header* headers, size_t header_count, sluice_str body,
                                const sluice_http_limits* limits, uint64_t token);

  /* ---- 1.6 ---- */
  /* json_get for count pointers of one part in one call, for a filter that checks many members
   * (fields a request may not carry): out[i] becomes pointer i's value as json_get gives it, or
   * {NULL, 0} when it does not resolve or the body is not JSON. Returns how many resolved.
   * Allowed wherever json_get is. Every out[i] is written whenever out is not NULL, so a refused
   * call (s or pointers NULL, a part not readable now) reads as all absent; count 0 writes
   * nothing and returns 0. */
  size_t (*json_get_many)(sluice_stream* s, sluice_part part, const sluice_str* pointers,
                          size_t count, sluice_str* out_json);

  /* ---- 1.7 ---- */
  /* body_replace for one range: the `length` bytes at `offset` of part's body, as body_get gives
   * it now, become `data` (which may be a view of that body). For a filter that changes one
   * member of a long body (translate renames the model of an answer) without copying the whole
   * body and handing it back. Allowed where body_replace is; refused (0, body unchanged) when
   * the range does not lie within the body. Afterwards as body_replace: JSON is read again at its
   * next read. */
  int (*body_splice)(sluice_stream* s, sluice_part part, size_t offset, size_t length,
                     sluice_str data);
} sluice_host_api;

/* Whether the host's table has `function` (one a later minor appended): an older host's table
 * ends before it. For plugins that declare an older minor than their header's. */
#define SLUICE_HOST_HAS(api, function)                                                    \
  ((api)->struct_size >= offsetof(sluice_host_api, function) + sizeof((api)->function) && \
   (api)->function != NULL)

/* ---- what a plugin provides ---------------------------------------------------------------- */

/* One filter type. Every hook may be NULL (not interested); the host then skips it. */
typedef struct sluice_filter {
  uint32_t struct_size;  /* sizeof(sluice_filter) as the plugin was compiled */
  const char* type_name; /* matches `type:` in the YAML, e.g. "direct_response"; static storage */

  /* Validates and builds one configured instance from its YAML block as JSON. Returns the config
   * object (owned by the plugin until config_destroy), or NULL with a NUL-terminated message of at
   * most err_cap bytes written to err (the host prefixes the file, line and path). c lives until
   * config_destroy. */
  void* (*config_new)(const sluice_host_api* api, sluice_config* c, sluice_str config_json,
                      char* err, size_t err_cap);
  void (*config_destroy)(void* config);

  /* One instance per request (or per attempt). NULL = fail, handled as SLUICE_FAIL. */
  void* (*stream_new)(void* config, sluice_stream* s);
  /* After on_complete; no host call for s is valid afterwards. */
  void (*stream_destroy)(void* self);

  /* Request hooks, in chain order. The body is whole (bounded by the server's limit) and already
   * parsed when it is JSON. end_of_stream = 1 on headers when the request has no body. */
  sluice_status (*on_request_headers)(sluice_stream* s, void* self, int end_of_stream);
  sluice_status (*on_request_body)(sluice_stream* s, void* self);
  /* Response hooks, in reverse chain order. on_response_body gets the whole body of a plain
   * response (end_of_stream = 1). When the upstream streams (a 2xx text/event-stream response),
   * on_response_headers runs once with end_of_stream = 0, then on_response_body once per SSE
   * event with that event's data as the body (its JSON view parsed when the data is JSON;
   * end_of_stream = 0), then once more with an empty body and end_of_stream = 1. From 1.4 a 2xx
   * application/vnd.amazon.eventstream answer streams the same way, with each read's raw bytes
   * as the body (never parsed; see stream_events_set). A filter that returns STOP holds the
   * stream back until it resumes. */
  sluice_status (*on_response_headers)(sluice_stream* s, void* self, int end_of_stream);
  sluice_status (*on_response_body)(sluice_stream* s, void* self, int end_of_stream);
  /* An async op completed. The filter may call resume, send_local_reply or start more ops. */
  void (*on_op_done)(sluice_stream* s, void* self, const sluice_op_done* done);
  /* Exactly once per instance: after the last byte went to the client, after an error reply, or
   * when the client went away (aborted = 1). Metadata and headers may be read; nothing can be
   * sent. Logging and spend belong here. */
  void (*on_complete)(sluice_stream* s, void* self, int aborted);

  /* ---- 1.1 ---- */
  /* The route filter is asked after each upstream attempt (after the per-attempt filters' response
   * hooks ran, so errors are normalised) whether to accept it or try again. */
  sluice_verdict (*on_attempt_done)(sluice_stream* s, void* self, const sluice_attempt* attempt);
} sluice_filter;

typedef struct sluice_plugin {
  uint32_t abi_major, abi_minor; /* SLUICE_ABI_MAJOR / SLUICE_ABI_MINOR when compiled */
  uint32_t struct_size;          /* sizeof(sluice_plugin) */
  const char* name;              /* for logs: "sluice-examples" */
  const char* version;           /* the plugin's own version string */
  /* Optional one-time set-up after the version check; 1 = ok, 0 = refuse with err. */
  int (*init)(const sluice_host_api* api, char* err, size_t err_cap);
  const sluice_filter* const* filters; /* pointers, so sluice_filter can grow */
  size_t filter_count;
} sluice_plugin;

/* The only exported symbol. Must not fail or allocate; set-up belongs in init(). */
#define SLUICE_EXPORT __attribute__((visibility("default")))
SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* SLUICE_FILTER_H_ */
