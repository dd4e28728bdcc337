/* ABI 1.6 fixture, in plain C99 against the current header: one filter type, "abi16.json", that
 * calls json_get_many the way a plugin would and answers with what it got, for abi_1_6_test.cc.
 *
 * In on_request_body (or on_request_headers when the request has no body) it asks for
 * /model, /n, /messages/0/content, /absent, /messages/9 and "" (the whole body) in one call,
 * checking each answer against json_get of the same pointer (a difference is reported), then
 * makes the refused and empty calls (NULL pointers, NULL out, count 0, the response part before
 * there is one) and replies 200 with one line per result:
 *   found=<count returned>
 *   <pointer>=<value> or <pointer>=<absent>
 *   null-pointers=<count>,<all absent: yes|no>  null-out=<count>  count-0=<count>,<untouched>
 *   response=<count>,<all absent>
 */
#include "report_fixture.h"

#include <stdio.h>
#include <string.h>

static void say_number(report_stream* self, const char* label, size_t n, const char* rest) {
  char line[96];
  int written = snprintf(line, sizeof(line), "%s=%zu%s\n", label, n, rest);
  if (written > 0) say(self, line, (size_t)written);
}

static int all_absent(const sluice_str* out, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i) {
    if (out[i].ptr != NULL || out[i].len != 0) return 0;
  }
  return 1;
}

static sluice_status report(sluice_stream* s, report_stream* self) {
  const sluice_str kPointers[] = {
      SLUICE_LIT("/model"),  SLUICE_LIT("/n"),          SLUICE_LIT("/messages/0/content"),
      SLUICE_LIT("/absent"), SLUICE_LIT("/messages/9"), SLUICE_LIT("")};
  const size_t count = sizeof(kPointers) / sizeof(kPointers[0]);
  const sluice_host_api* api = self->api;
  const sluice_header type = {SLUICE_LIT("content-type"), SLUICE_LIT("text/plain")};
  sluice_str out[6];
  sluice_str sentinel[2] = {SLUICE_LIT("x"), SLUICE_LIT("y")};
  size_t found, i;

  memset(out, 0xAB, sizeof(out)); /* every one must be written */
  found = api->json_get_many(s, SLUICE_REQUEST, kPointers, count, out);
  say_number(self, "found", found, "");
  for (i = 0; i < count; ++i) {
    sluice_str single = {NULL, 0};
    const int got = api->json_get(s, SLUICE_REQUEST, kPointers[i], &single);
    const int same = got ? out[i].ptr && out[i].len == single.len &&
                               memcmp(out[i].ptr, single.ptr, single.len) == 0
                         : out[i].ptr == NULL;
    if (!same) say(self, "(not as json_get) ", 18);
    say(self, kPointers[i].ptr, kPointers[i].len);
    say(self, "=", 1);
    if (out[i].ptr) {
      say(self, out[i].ptr, out[i].len);
    } else {
      say(self, out[i].len == 0 ? "<absent>" : "<absent, length set>", out[i].len == 0 ? 8 : 20);
    }
    say(self, "\n", 1);
  }
  memset(out, 0xAB, sizeof(out));
  found = api->json_get_many(s, SLUICE_REQUEST, NULL, 2, out);
  say_number(self, "null-pointers", found, all_absent(out, 2) ? ",all absent" : ",written");
  found = api->json_get_many(s, SLUICE_REQUEST, kPointers, count, NULL);
  say_number(self, "null-out", found, "");
  found = api->json_get_many(s, SLUICE_REQUEST, kPointers, 0, sentinel);
  say_number(self, "count-0", found,
             sentinel[0].ptr[0] == 'x' && sentinel[1].ptr[0] == 'y' ? ",untouched" : ",written");
  memset(out, 0xAB, sizeof(out));
  found = api->json_get_many(s, SLUICE_RESPONSE, kPointers, count, out);
  say_number(self, "response", found, all_absent(out, count) ? ",all absent" : ",written");
  api->send_local_reply(s, 200, &type, 1, sluice_str_of(self->report, self->report_len));
  return SLUICE_LOCAL_REPLY;
}

static sluice_status on_request_headers(sluice_stream* s, void* p, int end_of_stream) {
  return end_of_stream ? report(s, (report_stream*)p) : SLUICE_CONTINUE;
}

static sluice_status on_request_body(sluice_stream* s, void* p) {
  return report(s, (report_stream*)p);
}

static const sluice_filter kJson = {
    sizeof(sluice_filter),
    "abi16.json",
    report_config_new,
    report_config_destroy,
    report_stream_new,
    report_stream_destroy,
    on_request_headers,
    on_request_body,
    NULL, /* on_response_headers */
    NULL, /* on_response_body */
    NULL, /* on_op_done */
    NULL, /* on_complete */
    NULL, /* on_attempt_done */
};

static const sluice_filter* const kFilters[] = {&kJson};

static const sluice_plugin kPlugin = {
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    sizeof(sluice_plugin),
    "sluice-abi-1.6-fixture",
    "1.0.0",
    NULL,
    kFilters,
    1,
};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {
  return &kPlugin;
}
