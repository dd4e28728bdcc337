#pragma once
// The host side of the plugin ABI: the sluice_host_api table, and the definitions of the opaque
// handles sluice_config and sluice_stream that plugins receive.

#include <cstdint>
#include <string>
#include <vector>

#include <sluice/filter.h>

namespace sluice::metrics {
class Family;
}
namespace sluice::runtime {
class RequestStream;
struct FilterInstance;
struct Attempt;
}  // namespace sluice::runtime

// One configured filter instance, as plugins see it (opaque to them).
struct sluice_config {
  std::string chain;
  std::string filter;  // instance name
  std::string type;
  bool defining = false;  // true only while config_new runs: metric_define is allowed
  const std::string* registry = nullptr;  // config_registry's document, during config_new only
  struct Metric {
    sluice_metric_kind kind;
    sluice::metrics::Family* family;
  };
  std::vector<Metric> metrics;  // metric id N is metrics[N - 1]
};

// One filter instance's place in one request (or attempt), as plugins see it (opaque to them).
struct sluice_stream {
  sluice::runtime::RequestStream* owner = nullptr;
  const sluice::runtime::FilterInstance* filter = nullptr;
  size_t index = 0;                             // position in the chain
  sluice::runtime::Attempt* attempt = nullptr;  // set for per-attempt (upstream) filters
  void* self = nullptr;                         // the plugin's per-stream object
  bool created = false;                         // stream_new succeeded
  bool create_failed = false;                   // stream_new failed: skipped from then on
  bool completed = false;                       // on_complete delivered
  bool stopped = false;                         // its last hook returned STOP, not resumed
  bool resume_early = false;                    // resume() arrived before STOP was returned
};

namespace sluice::runtime {

// The table handed to every plugin. Static; valid for the life of the process.
const sluice_host_api* host_api();

// Asks file-writing plugins to reopen their files (SIGUSR1): bumps reopen_generation().
void bump_reopen_generation();

}  // namespace sluice::runtime
