/* Test plugins that claim an ABI this host does not provide, for the end-to-end refusal tests:
 * compiled twice, with ABI_MAJOR_DELTA=1 (a future major: 2.x against a 1.x host) and with
 * ABI_MINOR_DELTA=1 (a newer minor than the host's). The host must refuse both before calling
 * anything but sluice_plugin_entry, so the filter has no hooks at all. */
#include <sluice/filter.h>

#ifndef ABI_MAJOR_DELTA
#define ABI_MAJOR_DELTA 0
#endif
#ifndef ABI_MINOR_DELTA
#define ABI_MINOR_DELTA 0
#endif

static const sluice_filter mismatch_filter = {
    .struct_size = sizeof(sluice_filter),
    .type_name = FILTER_TYPE,
};

static const sluice_filter* const mismatch_filters[] = {&mismatch_filter};

static const sluice_plugin mismatch_plugin = {
    .abi_major = SLUICE_ABI_MAJOR + ABI_MAJOR_DELTA,
    .abi_minor = SLUICE_ABI_MINOR + ABI_MINOR_DELTA,
    .struct_size = sizeof(sluice_plugin),
    .name = "sluice-it-abi-mismatch",
    .version = "0.0.1",
    .filters = mismatch_filters,
    .filter_count = 1,
};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {
  return &mismatch_plugin;
}
