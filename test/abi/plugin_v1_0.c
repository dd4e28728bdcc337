/* ABI 1.0 compatibility fixture, in plain C99, compiled against the frozen 1.0 header only
 * (test/abi/v1_0/sluice/filter.h; plugins/include is not on its include path). Every later 1.x
 * host must load it and run it: its sluice_filter ends before on_attempt_done, and it calls only
 * 1.0 host functions.
 *
 * Type "abi10.header": in on_request_headers it copies the host-reserved metadata
 * "request.path" into the request header x-abi10-path; in on_response_headers it sets the
 * response header x-abi10 to its config's "value" (a JSON string) and echoes x-abi10-path. */
#include <sluice/filter.h>

#include <stdlib.h>
#include <string.h>

#if SLUICE_ABI_MAJOR != 1 || SLUICE_ABI_MINOR != 0
#error "plugin_v1_0.c must be compiled against the frozen ABI 1.0 header"
#endif

typedef struct abi10_config {
  const sluice_host_api* api;
  char value[128];
  size_t value_len;
} abi10_config;

typedef struct abi10_stream {
  abi10_config* config;
  char path[256];
  size_t path_len;
} abi10_stream;

static void copy_error(char* err, size_t cap, const char* message) {
  size_t n = strlen(message);
  if (!err || cap == 0) return;
  if (n > cap - 1) n = cap - 1;
  memcpy(err, message, n);
  err[n] = '\0';
}

/* Accepts {} or {"value":"<text without quotes or backslashes>"}. */
static void* config_new(const sluice_host_api* api, sluice_config* c, sluice_str json, char* err,
                        size_t err_cap) {
  static const char kKey[] = "\"value\"";
  abi10_config* config;
  const char* end = json.ptr + json.len;
  const char* at = NULL;
  size_t i;
  (void)c;
  for (i = 0; json.ptr && i + sizeof(kKey) - 1 <= json.len; ++i) {
    if (memcmp(json.ptr + i, kKey, sizeof(kKey) - 1) == 0) {
      at = json.ptr + i + sizeof(kKey) - 1;
      break;
    }
  }
  config = (abi10_config*)calloc(1, sizeof(abi10_config));
  if (!config) {
    copy_error(err, err_cap, "out of memory");
    return NULL;
  }
  config->api = api;
  memcpy(config->value, "1.0", 3);
  config->value_len = 3;
  if (at) {
    const char* open;
    const char* close;
    while (at < end && (*at == ' ' || *at == ':')) ++at;
    open = at;
    close = open < end && *open == '"' ? memchr(open + 1, '"', (size_t)(end - open - 1)) : NULL;
    if (!close || (size_t)(close - open - 1) >= sizeof(config->value) ||
        memchr(open + 1, '\\', (size_t)(close - open - 1))) {
      free(config);
      copy_error(err, err_cap, "value must be a short plain string");
      return NULL;
    }
    config->value_len = (size_t)(close - open - 1);
    memcpy(config->value, open + 1, config->value_len);
  }
  return config;
}

static void config_destroy(void* config) {
  free(config);
}

static void* stream_new(void* config, sluice_stream* s) {
  abi10_stream* self = (abi10_stream*)calloc(1, sizeof(abi10_stream));
  (void)s;
  if (self) self->config = (abi10_config*)config;
  return self;
}

static void stream_destroy(void* self) {
  free(self);
}

static sluice_status on_request_headers(sluice_stream* s, void* p, int end_of_stream) {
  abi10_stream* self = (abi10_stream*)p;
  const sluice_host_api* api = self->config->api;
  sluice_str path;
  (void)end_of_stream;
  if (!api->meta_get(s, SLUICE_LIT("request.path"), &path) || path.len >= sizeof(self->path)) {
    return SLUICE_FAIL;
  }
  memcpy(self->path, path.ptr, path.len);
  self->path_len = path.len;
  if (!api->header_set(s, SLUICE_REQUEST, SLUICE_LIT("x-abi10-path"),
                       sluice_str_of(self->path, self->path_len))) {
    return SLUICE_FAIL;
  }
  return SLUICE_CONTINUE;
}

static sluice_status on_response_headers(sluice_stream* s, void* p, int end_of_stream) {
  abi10_stream* self = (abi10_stream*)p;
  const sluice_host_api* api = self->config->api;
  (void)end_of_stream;
  if (!api->header_set(s, SLUICE_RESPONSE, SLUICE_LIT("x-abi10"),
                       sluice_str_of(self->config->value, self->config->value_len)) ||
      !api->header_set(s, SLUICE_RESPONSE, SLUICE_LIT("x-abi10-path"),
                       sluice_str_of(self->path, self->path_len))) {
    return SLUICE_FAIL;
  }
  return SLUICE_CONTINUE;
}

static const sluice_filter kFilter = {
    sizeof(sluice_filter), /* the 1.0 size: ends with on_complete */
    "abi10.header",
    config_new,
    config_destroy,
    stream_new,
    stream_destroy,
    on_request_headers,
    NULL, /* on_request_body */
    on_response_headers,
    NULL, /* on_response_body */
    NULL, /* on_op_done */
    NULL, /* on_complete */
};

static const sluice_filter* const kFilters[] = {&kFilter};

static const sluice_plugin kPlugin = {
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    sizeof(sluice_plugin),
    "sluice-abi-1.0-fixture",
    "1.0.0",
    NULL,
    kFilters,
    1,
};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {
  return &kPlugin;
}
