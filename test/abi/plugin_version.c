/* A plugin that claims another ABI version than the one it was compiled with, to check that the
 * host refuses it before touching anything else. Built twice, with ABI_MAJOR_DELTA=1 (a future
 * major) and with ABI_MINOR_DELTA=1 (a minor newer than the host's). */
#include <sluice/filter.h>

#include <stddef.h>

#ifndef ABI_MAJOR_DELTA
#define ABI_MAJOR_DELTA 0
#endif
#ifndef ABI_MINOR_DELTA
#define ABI_MINOR_DELTA 0
#endif

/* Never used: the host refuses the plugin before it looks at its filters. */
static const sluice_filter kFilter = {.struct_size = sizeof(sluice_filter),
                                      .type_name = "abi.version"};

static const sluice_filter* const kFilters[] = {&kFilter};

static const sluice_plugin kPlugin = {SLUICE_ABI_MAJOR + ABI_MAJOR_DELTA,
                                      SLUICE_ABI_MINOR + ABI_MINOR_DELTA,
                                      sizeof(sluice_plugin),
                                      "sluice-abi-version-fixture",
                                      "1.0.0",
                                      NULL,
                                      kFilters,
                                      1};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {
  return &kPlugin;
}
