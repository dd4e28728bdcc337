/* What the reporting ABI fixtures (plugin_v1_6.c, plugin_v1_7.c) share, in plain C99: the host
 * table kept as the config, a stream that collects a report of what its calls gave, and writing
 * to that report. Each fixture replies with the report and a test compares it. Static inline:
 * each fixture is a shared object of its own. */
#ifndef SLUICE_TEST_ABI_REPORT_FIXTURE_H_
#define SLUICE_TEST_ABI_REPORT_FIXTURE_H_

#include <sluice/filter.h>

#include <stdlib.h>
#include <string.h>

typedef struct report_stream {
  const sluice_host_api* api;
  char report[4096];
  size_t report_len;
} report_stream;

static inline void* report_config_new(const sluice_host_api* api, sluice_config* c, sluice_str json,
                                      char* err, size_t err_cap) {
  (void)c;
  (void)json;
  (void)err;
  (void)err_cap;
  return (void*)api;
}

static inline void report_config_destroy(void* config) {
  (void)config;
}

static inline void* report_stream_new(void* config, sluice_stream* s) {
  report_stream* self = (report_stream*)calloc(1, sizeof(report_stream));
  (void)s;
  if (self) self->api = (const sluice_host_api*)config;
  return self;
}

static inline void report_stream_destroy(void* p) {
  free(p);
}

/* Appends to the report; what does not fit is cut. */
static inline void say(report_stream* self, const char* text, size_t length) {
  size_t room = sizeof(self->report) - self->report_len;
  if (length > room) length = room;
  if (length) memcpy(self->report + self->report_len, text, length);
  self->report_len += length;
}

#endif /* SLUICE_TEST_ABI_REPORT_FIXTURE_H_ */
