/* A shared object that is not a sluice plugin: it exports a function, but no
 * sluice_plugin_entry. The host must refuse it with a clear message. */
__attribute__((visibility("default"))) int sluice_not_a_plugin(void) {
  return 42;
}
