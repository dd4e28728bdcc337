/* ABI 1.7 fixture, in plain C99 against the current header: one filter type, "abi17.splice",
 * that calls body_splice the way a plugin would and answers with what happened, for
 * abi_1_7_test.cc.
 *
 * In on_request_body it first makes the calls that must be refused (a range past the body's end,
 * a length past it, a length near SIZE_MAX, the response part before there is one) and checks
 * the body is as it was; then replaces the first "m1" of the body by "renamed-model" (the
 * quotes kept) and reads /model and /n back through the JSON view; then splices the whole body,
 * given as a view of itself, in before its last byte, and reads /model again (the text is no
 * longer JSON). It replies 200 with one line per result:
 *   past-end=<rc> long=<rc> huge=<rc> response=<rc> unchanged=<yes|no>
 *   model-splice=<rc> model=<string or <absent>> n=<json or <absent>> body=<body>
 *   self-splice=<rc> body=<body> model-after=<string or <absent>>
 */
#include "report_fixture.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void say_rc(report_stream* self, const char* label, int rc) {
  char line[64];
  int written = snprintf(line, sizeof(line), "%s=%d\n", label, rc);
  if (written > 0) say(self, line, (size_t)written);
}

static void say_str(report_stream* self, const char* label, int found, sluice_str value) {
  say(self, label, strlen(label));
  say(self, "=", 1);
  if (found) {
    say(self, value.ptr, value.len);
  } else {
    say(self, "<absent>", 8);
  }
  say(self, "\n", 1);
}

static sluice_str body_of(const sluice_host_api* api, sluice_stream* s) {
  sluice_str body = {NULL, 0};
  api->body_get(s, SLUICE_REQUEST, &body);
  return body;
}

static sluice_status on_request_body(sluice_stream* s, void* p) {
  report_stream* self = (report_stream*)p;
  const sluice_host_api* api = self->api;
  const sluice_header type = {SLUICE_LIT("content-type"), SLUICE_LIT("text/plain")};
  char before[1024];
  sluice_str body = body_of(api, s);
  sluice_str value = {NULL, 0};
  size_t length = body.len < sizeof(before) ? body.len : sizeof(before);
  size_t at;
  int found;

  if (length) memcpy(before, body.ptr, length);
  say_rc(self, "past-end", api->body_splice(s, SLUICE_REQUEST, body.len + 1, 0, SLUICE_LIT("x")));
  say_rc(self, "long", api->body_splice(s, SLUICE_REQUEST, 1, body.len, SLUICE_LIT("x")));
  say_rc(self, "huge", api->body_splice(s, SLUICE_REQUEST, 1, SIZE_MAX, SLUICE_LIT("x")));
  say_rc(self, "response", api->body_splice(s, SLUICE_RESPONSE, 0, 0, SLUICE_LIT("x")));
  body = body_of(api, s);
  say(self, "unchanged=", 10);
  say(self, body.len == length && memcmp(body.ptr, before, length) == 0 ? "yes\n" : "no\n", 4);

  /* The first "m1" (quotes included) becomes "renamed-model". */
  for (at = 0; at + 4 <= body.len && memcmp(body.ptr + at, "\"m1\"", 4) != 0; ++at) {
  }
  say_rc(self, "model-splice",
         at + 4 <= body.len
             ? api->body_splice(s, SLUICE_REQUEST, at, 4, SLUICE_LIT("\"renamed-model\""))
             : -1);
  found = api->json_get_string(s, SLUICE_REQUEST, SLUICE_LIT("/model"), &value);
  say_str(self, "model", found, value);
  found = api->json_get(s, SLUICE_REQUEST, SLUICE_LIT("/n"), &value);
  say_str(self, "n", found, value);
  say_str(self, "body", 1, body_of(api, s));

  /* The body, given as a view of itself, goes in before its last byte. */
  body = body_of(api, s);
  say_rc(self, "self-splice",
         body.len ? api->body_splice(s, SLUICE_REQUEST, body.len - 1, 0, body) : -1);
  say_str(self, "body", 1, body_of(api, s));
  found = api->json_get_string(s, SLUICE_REQUEST, SLUICE_LIT("/model"), &value);
  say_str(self, "model-after", found, value);

  api->send_local_reply(s, 200, &type, 1, sluice_str_of(self->report, self->report_len));
  return SLUICE_LOCAL_REPLY;
}

static const sluice_filter kSplice = {
    sizeof(sluice_filter),
    "abi17.splice",
    report_config_new,
    report_config_destroy,
    report_stream_new,
    report_stream_destroy,
    NULL, /* on_request_headers */
    on_request_body,
    NULL, /* on_response_headers */
    NULL, /* on_response_body */
    NULL, /* on_op_done */
    NULL, /* on_complete */
    NULL, /* on_attempt_done */
};

static const sluice_filter* const kFilters[] = {&kSplice};

static const sluice_plugin kPlugin = {
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    sizeof(sluice_plugin),
    "sluice-abi-1.7-fixture",
    "1.0.0",
    NULL,
    kFilters,
    1,
};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {
  return &kPlugin;
}
