#pragma once
// Server: the process. It builds the runtime from a loaded config, starts the workers and the
// admin listener, and owns the control loop that handles signals:
//   SIGHUP          reload: a valid new config applies to new requests at once, in-flight ones
//                   finish on the old; an invalid one is refused, logged and counted.
//   SIGTERM/SIGINT  drain: readiness turns false, listeners close, in-flight requests (streams
//                   included) finish up to drain_timeout_ms, then exit 0.
// Not thread-safe: one Server per process, driven from main().

#include <memory>
#include <string>

#include "core/config/loader.h"

namespace sluice::server {

struct ServerOptions {
  std::string config_path;
  config::LoadOptions load;  // --host / --port overrides, re-applied on every reload
};

// Serves until a drain completes. Returns the process exit code.
int run_server(std::unique_ptr<config::LoadedConfig> config, const ServerOptions& options);

}  // namespace sluice::server
