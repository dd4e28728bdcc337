/* ABI 1.3 fixture, in plain C99 against the current header: two filter types that call the 1.3
 * host functions the way a plugin would and report what they got, for abi_1_3_test.cc.
 *
 * Type "abi13.clear": in each hook (both request hooks, both response hooks, on_complete) it calls
 * headers_clear on the request and on the response and counts the outcome in
 * sluice_plugin_abi13_clear_total{hook, part, outcome}: "cleared" (1, no field left), "refused"
 * (0, the fields as they were) or "inconsistent" (anything else). After clearing the response in
 * a response hook it sets the response header x-abi13-clear: after (when it may).
 *
 * Type "abi13.meta": in on_request_headers it calls meta_get_many with present, absent, empty and
 * NULL keys, with count 0, with NULL arguments and with 60 keys (after setting 20 of them) and
 * sends the report as the response header x-abi13-meta (set in on_response_headers); in
 * on_complete it reads three keys and counts the report in sluice_plugin_abi13_meta_total{report}.
 */
#include <sluice/filter.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct abi13_config {
  const sluice_host_api* api;
  sluice_config* handle;
  uint32_t metric; /* abi13_clear_total or abi13_meta_total */
} abi13_config;

typedef struct abi13_stream {
  abi13_config* config;
  char report[2048];
  size_t report_len;
} abi13_stream;

static void copy_error(char* err, size_t cap, const char* message) {
  size_t n = strlen(message);
  if (!err || cap == 0) return;
  if (n > cap - 1) n = cap - 1;
  memcpy(err, message, n);
  err[n] = '\0';
}

static abi13_config* config_of(const sluice_host_api* api, sluice_config* c, char* err,
                               size_t err_cap) {
  abi13_config* config = (abi13_config*)calloc(1, sizeof(abi13_config));
  if (!config) copy_error(err, err_cap, "out of memory");
  if (config) {
    config->api = api;
    config->handle = c;
  }
  return config;
}

static void* clear_config_new(const sluice_host_api* api, sluice_config* c, sluice_str json,
                              char* err, size_t err_cap) {
  static const sluice_str kLabels[] = {{"hook", 4}, {"part", 4}, {"outcome", 7}};
  abi13_config* config = config_of(api, c, err, err_cap);
  (void)json;
  if (config) {
    config->metric = api->metric_define(c, SLUICE_COUNTER, SLUICE_LIT("abi13_clear_total"),
                                        SLUICE_LIT("headers_clear outcomes"), kLabels, 3);
  }
  return config;
}

static void* meta_config_new(const sluice_host_api* api, sluice_config* c, sluice_str json,
                             char* err, size_t err_cap) {
  static const sluice_str kLabels[] = {{"report", 6}};
  abi13_config* config = config_of(api, c, err, err_cap);
  (void)json;
  if (config) {
    config->metric = api->metric_define(c, SLUICE_COUNTER, SLUICE_LIT("abi13_meta_total"),
                                        SLUICE_LIT("meta_get_many reports"), kLabels, 1);
  }
  return config;
}

static void config_destroy(void* config) {
  free(config);
}

static void* stream_new(void* config, sluice_stream* s) {
  abi13_stream* self = (abi13_stream*)calloc(1, sizeof(abi13_stream));
  (void)s;
  if (self) self->config = (abi13_config*)config;
  return self;
}

static void stream_destroy(void* self) {
  free(self);
}

static sluice_str cstr(const char* text) {
  return sluice_str_of(text, strlen(text));
}

/* ---- abi13.clear ---------------------------------------------------------------------------- */

static void clear_part(sluice_stream* s, abi13_stream* self, const char* hook, sluice_part part) {
  const sluice_host_api* api = self->config->api;
  size_t before = api->header_count(s, part);
  int done = api->headers_clear(s, part);
  size_t after = api->header_count(s, part);
  const char* outcome = "inconsistent";
  if (done == 1 && after == 0) outcome = "cleared";
  if (done == 0 && after == before) outcome = "refused";
  sluice_str labels[3];
  labels[0] = cstr(hook);
  labels[1] = cstr(part == SLUICE_REQUEST ? "request" : "response");
  labels[2] = cstr(outcome);
  api->metric_record(self->config->handle, self->config->metric, labels, 3, 1);
}

static void clear_both(sluice_stream* s, void* p, const char* hook) {
  clear_part(s, (abi13_stream*)p, hook, SLUICE_REQUEST);
  clear_part(s, (abi13_stream*)p, hook, SLUICE_RESPONSE);
}

static sluice_status clear_request_headers(sluice_stream* s, void* p, int end_of_stream) {
  (void)end_of_stream;
  clear_both(s, p, "on_request_headers");
  return SLUICE_CONTINUE;
}

static sluice_status clear_request_body(sluice_stream* s, void* p) {
  clear_both(s, p, "on_request_body");
  return SLUICE_CONTINUE;
}

static sluice_status clear_response_headers(sluice_stream* s, void* p, int end_of_stream) {
  abi13_stream* self = (abi13_stream*)p;
  (void)end_of_stream;
  clear_both(s, p, "on_response_headers");
  self->config->api->header_set(s, SLUICE_RESPONSE, SLUICE_LIT("x-abi13-clear"),
                                SLUICE_LIT("after"));
  return SLUICE_CONTINUE;
}

static sluice_status clear_response_body(sluice_stream* s, void* p, int end_of_stream) {
  abi13_stream* self = (abi13_stream*)p;
  (void)end_of_stream;
  clear_both(s, p, "on_response_body");
  self->config->api->header_set(s, SLUICE_RESPONSE, SLUICE_LIT("x-abi13-clear"),
                                SLUICE_LIT("after"));
  return SLUICE_CONTINUE;
}

static void clear_complete(sluice_stream* s, void* p, int aborted) {
  (void)aborted;
  clear_both(s, p, "on_complete");
}

/* ---- abi13.meta ----------------------------------------------------------------------------- */

static void say(abi13_stream* self, const char* format, ...) {
  va_list args;
  size_t room = sizeof(self->report) - self->report_len;
  int n;
  va_start(args, format);
  n = vsnprintf(self->report + self->report_len, room, format, args);
  va_end(args);
  if (n > 0) self->report_len += (size_t)n < room ? (size_t)n : room - 1;
}

/* "name=value" or "name=<absent>" per key; an absent key must read {NULL, 0}, a present one a
 * non-NULL ptr even when empty. */
static void say_values(abi13_stream* self, const sluice_str* keys, const sluice_str* out,
                       size_t count) {
  size_t i;
  for (i = 0; i < count; ++i) {
    const char* name = keys[i].ptr == NULL ? "(null)" : keys[i].len == 0 ? "(empty)" : NULL;
    if (name) {
      say(self, ";%s=", name);
    } else {
      say(self, ";%.*s=", (int)keys[i].len, keys[i].ptr);
    }
    if (out[i].ptr == NULL) {
      say(self, "%s", out[i].len == 0 ? "<absent>" : "<bad absent>");
    } else {
      say(self, "%.*s", (int)out[i].len, out[i].ptr);
    }
  }
}

static sluice_status meta_request_headers(sluice_stream* s, void* p, int end_of_stream) {
  abi13_stream* self = (abi13_stream*)p;
  const sluice_host_api* api = self->config->api;
  const sluice_str mixed[] = {SLUICE_LIT("request.method"),
                              SLUICE_LIT("abi.absent"),
                              SLUICE_LIT("request.path"),
                              SLUICE_LIT("abi.given"),
                              SLUICE_LIT(""),
                              {NULL, 0},
                              SLUICE_LIT("request.chain"),
                              SLUICE_LIT("timing.total_us"),
                              SLUICE_LIT("abi.empty")};
  const size_t mixed_count = sizeof(mixed) / sizeof(mixed[0]);
  const sluice_str sentinel = SLUICE_LIT("x");
  sluice_str out[60];
  sluice_str keys[60];
  char names[60][16];
  size_t found;
  size_t i;
  int ok = 1;
  (void)end_of_stream;

  found = api->meta_get_many(s, mixed, mixed_count, out);
  say(self, "found=%zu", found);
  say_values(self, mixed, out, mixed_count);

  out[0] = sentinel;
  found = api->meta_get_many(s, mixed, 0, out);
  say(self, ";zero=%zu,%s", found, out[0].ptr == sentinel.ptr ? "untouched" : "written");

  out[0] = sentinel;
  found = api->meta_get_many(NULL, mixed, 1, out);
  say(self, ";null_stream=%zu,%s", found, out[0].ptr == NULL ? "absent" : "not absent");
  out[0] = sentinel;
  out[1] = sentinel;
  found = api->meta_get_many(s, NULL, 2, out);
  say(self, ";null_keys=%zu,%s", found,
      out[0].ptr == NULL && out[1].ptr == NULL ? "absent" : "not absent");
  found = api->meta_get_many(s, mixed, 2, NULL);
  say(self, ";null_out=%zu", found);

  /* Many keys, more than the store keeps inline: abi13.k0..k59, every third one set. */
  for (i = 0; i < 60; ++i) {
    int n = snprintf(names[i], sizeof(names[i]), "abi13.k%zu", i);
    keys[i] = sluice_str_of(names[i], (size_t)n);
    if (i % 3 == 0) api->meta_set(s, keys[i], keys[i]); /* the value is the key */
  }
  found = api->meta_get_many(s, keys, 60, out);
  for (i = 0; i < 60; ++i) {
    if (i % 3 == 0) {
      ok = ok && out[i].ptr && out[i].len == keys[i].len &&
           memcmp(out[i].ptr, keys[i].ptr, keys[i].len) == 0;
    } else {
      ok = ok && out[i].ptr == NULL && out[i].len == 0;
    }
  }
  say(self, ";many=%zu,%s", found, ok ? "ok" : "wrong");
  return SLUICE_CONTINUE;
}

static sluice_status meta_response_headers(sluice_stream* s, void* p, int end_of_stream) {
  abi13_stream* self = (abi13_stream*)p;
  (void)end_of_stream;
  self->config->api->header_set(s, SLUICE_RESPONSE, SLUICE_LIT("x-abi13-meta"),
                                sluice_str_of(self->report, self->report_len));
  return SLUICE_CONTINUE;
}

static void meta_complete(sluice_stream* s, void* p, int aborted) {
  abi13_stream* self = (abi13_stream*)p;
  const sluice_host_api* api = self->config->api;
  const sluice_str keys[] = {SLUICE_LIT("response.status"), SLUICE_LIT("abi.absent"),
                             SLUICE_LIT("request.method")};
  sluice_str out[3];
  sluice_str label;
  size_t found = api->meta_get_many(s, keys, 3, out);
  (void)aborted;
  self->report_len = 0;
  say(self, "found=%zu", found);
  say_values(self, keys, out, 3);
  label = sluice_str_of(self->report, self->report_len);
  api->metric_record(self->config->handle, self->config->metric, &label, 1, 1);
}

static const sluice_filter kClear = {
    sizeof(sluice_filter),
    "abi13.clear",
    clear_config_new,
    config_destroy,
    stream_new,
    stream_destroy,
    clear_request_headers,
    clear_request_body,
    clear_response_headers,
    clear_response_body,
    NULL, /* on_op_done */
    clear_complete,
    NULL, /* on_attempt_done */
};

static const sluice_filter kMeta = {
    sizeof(sluice_filter),
    "abi13.meta",
    meta_config_new,
    config_destroy,
    stream_new,
    stream_destroy,
    meta_request_headers,
    NULL, /* on_request_body */
    meta_response_headers,
    NULL, /* on_response_body */
    NULL, /* on_op_done */
    meta_complete,
    NULL, /* on_attempt_done */
};

static const sluice_filter* const kFilters[] = {&kClear, &kMeta};

static const sluice_plugin kPlugin = {
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    sizeof(sluice_plugin),
    "sluice-abi-1.3-fixture",
    "1.0.0",
    NULL,
    kFilters,
    2,
};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {
  return &kPlugin;
}
