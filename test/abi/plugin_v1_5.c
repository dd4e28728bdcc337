/* ABI 1.5 fixture, in plain C99 against the current header: one filter type, "abi15.fetch", that
 * calls http_call_guarded the way a plugin would and reports what it got, for abi_1_5_test.cc.
 *
 * In on_request_headers it reads what to do from request headers (so one config serves every
 * test): x-fetch-url (required), x-fetch-method (default GET), x-fetch-max (max_body_bytes),
 * x-fetch-timeout (timeout_ms),
 * x-fetch-public ("1": public_addresses_only), x-fetch-count (how many calls, default 1; at most
 * 16), x-fetch-no-limits ("1": limits NULL). Call i gets token i + 1. A refused call is reported
 * at once as "<token>:refused"; each completion as "<token>:<result>:<http status>:<body length>:
 * <body>" (the body cut at 64 bytes). When every started call has completed (or none started),
 * the report, one line per call, is the body of a 200 local reply.
 */
#include <sluice/filter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct abi15_config {
  const sluice_host_api* api;
} abi15_config;

typedef struct abi15_stream {
  abi15_config* config;
  size_t pending;
  char report[4096];
  size_t report_len;
} abi15_stream;

static void* config_new(const sluice_host_api* api, sluice_config* c, sluice_str json, char* err,
                        size_t err_cap) {
  abi15_config* config = (abi15_config*)calloc(1, sizeof(abi15_config));
  (void)c;
  (void)json;
  if (!config) {
    if (err && err_cap) snprintf(err, err_cap, "out of memory");
    return NULL;
  }
  config->api = api;
  return config;
}

static void config_destroy(void* config) {
  free(config);
}

static void* stream_new(void* config, sluice_stream* s) {
  abi15_stream* self = (abi15_stream*)calloc(1, sizeof(abi15_stream));
  (void)s;
  if (self) self->config = (abi15_config*)config;
  return self;
}

static void stream_destroy(void* self) {
  free(self);
}

static void say(abi15_stream* self, const char* text, size_t length) {
  size_t room = sizeof(self->report) - self->report_len;
  if (length > room) length = room;
  memcpy(self->report + self->report_len, text, length);
  self->report_len += length;
}

/* The header's value as an unsigned number; `fallback` when absent or not a number. */
static unsigned long long header_number(sluice_stream* s, const sluice_host_api* api,
                                        const char* name, unsigned long long fallback) {
  sluice_str value;
  char text[32];
  char* end = NULL;
  unsigned long long number;
  if (!api->header_get(s, SLUICE_REQUEST, sluice_str_of(name, strlen(name)), &value) ||
      value.len == 0 || value.len >= sizeof(text)) {
    return fallback;
  }
  memcpy(text, value.ptr, value.len);
  text[value.len] = '\0';
  number = strtoull(text, &end, 10);
  return *end == '\0' ? number : fallback;
}

static void reply(sluice_stream* s, abi15_stream* self) {
  const sluice_header type = {SLUICE_LIT("content-type"), SLUICE_LIT("text/plain")};
  self->config->api->send_local_reply(s, 200, &type, 1,
                                      sluice_str_of(self->report, self->report_len));
}

static sluice_status on_request_headers(sluice_stream* s, void* p, int end_of_stream) {
  abi15_stream* self = (abi15_stream*)p;
  const sluice_host_api* api = self->config->api;
  sluice_http_limits limits;
  sluice_str url;
  sluice_str method = SLUICE_LIT("GET");
  unsigned long long count, i;
  char line[64];
  (void)end_of_stream;
  if (!api->header_get(s, SLUICE_REQUEST, SLUICE_LIT("x-fetch-url"), &url)) {
    api->send_error(s, 400, SLUICE_LIT("x-fetch-url is required"), SLUICE_LIT(""));
    return SLUICE_LOCAL_REPLY;
  }
  api->header_get(s, SLUICE_REQUEST, SLUICE_LIT("x-fetch-method"), &method);
  memset(&limits, 0, sizeof(limits));
  limits.struct_size = sizeof(limits);
  limits.max_body_bytes = header_number(s, api, "x-fetch-max", 1024);
  limits.timeout_ms = (uint32_t)header_number(s, api, "x-fetch-timeout", 1000);
  limits.public_addresses_only = header_number(s, api, "x-fetch-public", 0) == 1;
  count = header_number(s, api, "x-fetch-count", 1);
  if (count > 16) count = 16;
  for (i = 0; i < count; ++i) {
    const int no_limits = header_number(s, api, "x-fetch-no-limits", 0) == 1;
    uint64_t id = api->http_call_guarded(s, method, url, NULL, 0, SLUICE_LIT(""),
                                         no_limits ? NULL : &limits, i + 1);
    if (id == 0) {
      int n = snprintf(line, sizeof(line), "%llu:refused\n", i + 1);
      say(self, line, (size_t)n);
    } else {
      ++self->pending;
    }
  }
  if (self->pending == 0) {
    reply(s, self);
    return SLUICE_LOCAL_REPLY;
  }
  return SLUICE_STOP;
}

static void on_op_done(sluice_stream* s, void* p, const sluice_op_done* done) {
  abi15_stream* self = (abi15_stream*)p;
  char line[160];
  size_t shown = done->body.len < 64 ? done->body.len : 64;
  int n = snprintf(line, sizeof(line), "%llu:%d:%u:%zu:%.*s\n", (unsigned long long)done->token,
                   (int)done->result, done->http_status, done->body.len, (int)shown,
                   done->body.ptr ? done->body.ptr : "");
  if (n > 0) say(self, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
  if (--self->pending == 0) reply(s, self);
}

static const sluice_filter kFetch = {
    sizeof(sluice_filter),
    "abi15.fetch",
    config_new,
    config_destroy,
    stream_new,
    stream_destroy,
    on_request_headers,
    NULL, /* on_request_body */
    NULL, /* on_response_headers */
    NULL, /* on_response_body */
    on_op_done,
    NULL, /* on_complete */
    NULL, /* on_attempt_done */
};

static const sluice_filter* const kFilters[] = {&kFetch};

static const sluice_plugin kPlugin = {
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    sizeof(sluice_plugin),
    "sluice-abi-1.5-fixture",
    "1.0.0",
    NULL,
    kFilters,
    1,
};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {
  return &kPlugin;
}
