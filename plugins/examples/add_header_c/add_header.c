/* example.add_header -- a sluice filter written in plain C99 against sluice/filter.h only.
 *
 * Adds one configured header to every response that passes through it:
 *
 *   - type: example.add_header
 *     config: {name: x-served-by, value: sluice}
 *
 * The config arrives as JSON text. It must be a flat object whose members are strings; "name"
 * and "value" are required and nothing else is accepted. It is parsed below by a small, strict
 * routine (no library): every byte is checked, the input is never read past its length, and
 * every refusal says what was wrong through err/err_cap.
 */
#include <sluice/filter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest header value accepted; the host accepts up to 16384 bytes. */
#define ADD_HEADER_MAX_VALUE 8192
/* Longest header name accepted. */
#define ADD_HEADER_MAX_NAME 256

/* ---- a growable byte buffer ---------------------------------------------------------------- */

typedef struct buffer {
  char* data;
  size_t len;
  size_t cap;
} buffer;

static int buffer_push(buffer* b, char c) {
  if (b->len + 1 >= b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 32;
    char* grown = (char*)realloc(b->data, cap);
    if (!grown) return 0;
    b->data = grown;
    b->cap = cap;
  }
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
  return 1;
}

static void buffer_free(buffer* b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* ---- the JSON reader: a flat object of strings --------------------------------------------- */

typedef struct reader {
  const char* p;
  const char* end;
  char* err;
  size_t err_cap;
} reader;

/* Writes a message into err (always NUL-terminated, truncated to err_cap). Returns 0. */
static int fail(reader* r, const char* message, const char* detail) {
  if (r->err && r->err_cap > 0) {
    if (detail) {
      snprintf(r->err, r->err_cap, "%s%s", message, detail);
    } else {
      snprintf(r->err, r->err_cap, "%s", message);
    }
  }
  return 0;
}

static void skip_space(reader* r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) {
    ++r->p;
  }
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits of a \uXXXX escape (r->p on the first digit). */
static int read_hex4(reader* r, unsigned long* out) {
  unsigned long value = 0;
  int i;
  if (r->end - r->p < 4) return fail(r, "config: truncated \\u escape", NULL);
  for (i = 0; i < 4; ++i) {
    int d = hex_digit(r->p[i]);
    if (d < 0) return fail(r, "config: invalid \\u escape", NULL);
    value = value * 16 + (unsigned long)d;
  }
  r->p += 4;
  *out = value;
  return 1;
}

static int push_utf8(buffer* out, unsigned long cp) {
  if (cp < 0x80) return buffer_push(out, (char)cp);
  if (cp < 0x800) {
    return buffer_push(out, (char)(0xC0 | (cp >> 6))) &&
           buffer_push(out, (char)(0x80 | (cp & 0x3F)));
  }
  if (cp < 0x10000) {
    return buffer_push(out, (char)(0xE0 | (cp >> 12))) &&
           buffer_push(out, (char)(0x80 | ((cp >> 6) & 0x3F))) &&
           buffer_push(out, (char)(0x80 | (cp & 0x3F)));
  }
  return buffer_push(out, (char)(0xF0 | (cp >> 18))) &&
         buffer_push(out, (char)(0x80 | ((cp >> 12) & 0x3F))) &&
         buffer_push(out, (char)(0x80 | ((cp >> 6) & 0x3F))) &&
         buffer_push(out, (char)(0x80 | (cp & 0x3F)));
}

/* Reads one JSON string (r->p on the opening quote) into out, decoding escapes. Raw control
 * characters are refused, as JSON requires. */
static int read_string(reader* r, buffer* out) {
  if (r->p >= r->end || *r->p != '"') return fail(r, "config: expected a string", NULL);
  ++r->p;
  while (r->p < r->end) {
    unsigned char c = (unsigned char)*r->p++;
    if (c == '"') {
      if (!out->data) { /* an empty string still gets its NUL-terminated storage */
        out->data = (char*)malloc(1);
        if (!out->data) return fail(r, "config: out of memory", NULL);
        out->data[0] = '\0';
        out->cap = 1;
      }
      return 1;
    }
    if (c < 0x20) return fail(r, "config: control character inside a string", NULL);
    if (c != '\\') {
      if (!buffer_push(out, (char)c)) return fail(r, "config: out of memory", NULL);
      continue;
    }
    if (r->p >= r->end) break;
    c = (unsigned char)*r->p++;
    {
      unsigned long cp = 0;
      switch (c) {
        case '"':
        case '\\':
        case '/':
          cp = c;
          break;
        case 'b':
          cp = '\b';
          break;
        case 'f':
          cp = '\f';
          break;
        case 'n':
          cp = '\n';
          break;
        case 'r':
          cp = '\r';
          break;
        case 't':
          cp = '\t';
          break;
        case 'u':
          if (!read_hex4(r, &cp)) return 0;
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(r, "config: lone low surrogate in a \\u escape", NULL);
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned long low = 0;
            if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u') {
              return fail(r, "config: lone high surrogate in a \\u escape", NULL);
            }
            r->p += 2;
            if (!read_hex4(r, &low)) return 0;
            if (low < 0xDC00 || low > 0xDFFF) {
              return fail(r, "config: invalid surrogate pair in a \\u escape", NULL);
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          break;
        default:
          return fail(r, "config: invalid escape in a string", NULL);
      }
      if (!push_utf8(out, cp)) return fail(r, "config: out of memory", NULL);
    }
  }
  return fail(r, "config: unterminated string", NULL);
}

/* ---- validation ---------------------------------------------------------------------------- */

static int is_token_char(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
  return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int check_name(reader* r, buffer* name) {
  size_t i;
  if (name->len == 0) return fail(r, "config: \"name\" must not be empty", NULL);
  if (name->len > ADD_HEADER_MAX_NAME) return fail(r, "config: \"name\" is too long", NULL);
  for (i = 0; i < name->len; ++i) {
    unsigned char c = (unsigned char)name->data[i];
    if (!is_token_char(c)) {
      return fail(r,
                  "config: \"name\" is not a valid header name (letters, digits and "
                  "!#$%&'*+-.^_`|~ only): ",
                  name->data);
    }
    if (c >= 'A' && c <= 'Z') name->data[i] = (char)(c + ('a' - 'A'));
  }
  if (strcmp(name->data, "content-length") == 0 || strcmp(name->data, "transfer-encoding") == 0 ||
      strcmp(name->data, "connection") == 0) {
    return fail(r, "config: \"name\" is a framing header the server sets itself: ", name->data);
  }
  return 1;
}

static int check_value(reader* r, const buffer* value) {
  size_t i;
  if (value->len > ADD_HEADER_MAX_VALUE) return fail(r, "config: \"value\" is too long", NULL);
  for (i = 0; i < value->len; ++i) {
    unsigned char c = (unsigned char)value->data[i];
    if (c == '\r' || c == '\n' || c == '\0') {
      return fail(r, "config: \"value\" must not contain CR, LF or NUL", NULL);
    }
    if ((c < 0x20 && c != '\t') || c == 0x7F) {
      return fail(r, "config: \"value\" must not contain control characters", NULL);
    }
  }
  if (value->len > 0 &&
      (value->data[0] == ' ' || value->data[0] == '\t' || value->data[value->len - 1] == ' ' ||
       value->data[value->len - 1] == '\t')) {
    return fail(r, "config: \"value\" must not start or end with whitespace", NULL);
  }
  return 1;
}

/* ---- the filter ---------------------------------------------------------------------------- */

typedef struct add_header_config {
  const sluice_host_api* api;
  sluice_config* handle;
  char* name;
  size_t name_len;
  char* value;
  size_t value_len;
} add_header_config;

/* Parses {"name": "...", "value": "..."} into name and value. */
static int parse_config(reader* r, buffer* name, buffer* value) {
  int have_name = 0;
  int have_value = 0;
  skip_space(r);
  if (r->p >= r->end || *r->p != '{') {
    return fail(r, "config: expected an object {\"name\": ..., \"value\": ...}", NULL);
  }
  ++r->p;
  skip_space(r);
  if (r->p < r->end && *r->p == '}') {
    ++r->p;
  } else {
    for (;;) {
      buffer key = {NULL, 0, 0};
      buffer* target = NULL;
      skip_space(r);
      if (r->p >= r->end || *r->p != '"') {
        return fail(r, "config: expected a member name in quotes", NULL);
      }
      if (!read_string(r, &key)) {
        buffer_free(&key);
        return 0;
      }
      if (strlen(key.data) == key.len && strcmp(key.data, "name") == 0) {
        if (have_name) {
          buffer_free(&key);
          return fail(r, "config: \"name\" is given twice", NULL);
        }
        have_name = 1;
        target = name;
      } else if (strlen(key.data) == key.len && strcmp(key.data, "value") == 0) {
        if (have_value) {
          buffer_free(&key);
          return fail(r, "config: \"value\" is given twice", NULL);
        }
        have_value = 1;
        target = value;
      } else {
        int ok = fail(r, "config: unknown field (expected \"name\" and \"value\"): ",
                      key.len == strlen(key.data) ? key.data : "(contains NUL)");
        buffer_free(&key);
        return ok;
      }
      buffer_free(&key);
      skip_space(r);
      if (r->p >= r->end || *r->p != ':') return fail(r, "config: expected ':'", NULL);
      ++r->p;
      skip_space(r);
      if (r->p >= r->end || *r->p != '"') {
        return fail(r,
                    target == name ? "config: \"name\" must be a string"
                                   : "config: \"value\" must be a string",
                    NULL);
      }
      if (!read_string(r, target)) return 0;
      skip_space(r);
      if (r->p < r->end && *r->p == ',') {
        ++r->p;
        continue;
      }
      if (r->p < r->end && *r->p == '}') {
        ++r->p;
        break;
      }
      return fail(r, "config: expected ',' or '}' after a member", NULL);
    }
  }
  skip_space(r);
  if (r->p != r->end) return fail(r, "config: unexpected text after the object", NULL);
  if (!have_name) return fail(r, "config: \"name\" is required", NULL);
  if (!have_value) return fail(r, "config: \"value\" is required", NULL);
  return check_name(r, name) && check_value(r, value);
}

static void* add_header_config_new(const sluice_host_api* api, sluice_config* c, sluice_str json,
                                   char* err, size_t err_cap) {
  reader r;
  buffer name = {NULL, 0, 0};
  buffer value = {NULL, 0, 0};
  add_header_config* config;
  r.p = json.ptr ? json.ptr : "";
  r.end = r.p + (json.ptr ? json.len : 0);
  r.err = err;
  r.err_cap = err_cap;
  if (!parse_config(&r, &name, &value)) {
    buffer_free(&name);
    buffer_free(&value);
    return NULL;
  }
  config = (add_header_config*)calloc(1, sizeof(*config));
  if (!config) {
    buffer_free(&name);
    buffer_free(&value);
    fail(&r, "out of memory", NULL);
    return NULL;
  }
  config->api = api;
  config->handle = c;
  config->name = name.data;
  config->name_len = name.len;
  config->value = value.data;
  config->value_len = value.len;
  return config;
}

static void add_header_config_destroy(void* p) {
  add_header_config* config = (add_header_config*)p;
  if (!config) return;
  free(config->name);
  free(config->value);
  free(config);
}

/* The filter keeps no per-request state: the stream object is the (read-only) config. */
static void* add_header_stream_new(void* config, sluice_stream* s) {
  (void)s;
  return config;
}

static sluice_status add_header_on_response_headers(sluice_stream* s, void* self,
                                                    int end_of_stream) {
  const add_header_config* config = (const add_header_config*)self;
  sluice_str name = sluice_str_of(config->name, config->name_len);
  sluice_str value = sluice_str_of(config->value, config->value_len);
  (void)end_of_stream;
  if (!config->api->header_add(s, SLUICE_RESPONSE, name, value)) {
    /* The host logged why; the response goes on without the header rather than failing. */
    config->api->log(config->handle, s, SLUICE_LOG_WARN,
                     SLUICE_LIT("example.add_header: the host refused to add the header"));
  }
  return SLUICE_CONTINUE;
}

/* Designated initializers: hooks left out are NULL (not interested), and fields a later ABI minor
 * appends need no change here. */
static const sluice_filter add_header_filter = {
    .struct_size = sizeof(sluice_filter),
    .type_name = "example.add_header",
    .config_new = add_header_config_new,
    .config_destroy = add_header_config_destroy,
    .stream_new = add_header_stream_new,
    .on_response_headers = add_header_on_response_headers,
};

static const sluice_filter* const add_header_filters[] = {&add_header_filter};

static const sluice_plugin add_header_plugin = {
    .abi_major = SLUICE_ABI_MAJOR,
    .abi_minor = SLUICE_ABI_MINOR,
    .struct_size = sizeof(sluice_plugin),
    .name = "sluice-example-add-header",
    .version = "0.1.0",
    .init = NULL,
    .filters = add_header_filters,
    .filter_count = sizeof(add_header_filters) / sizeof(add_header_filters[0]),
};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {
  return &add_header_plugin;
}
