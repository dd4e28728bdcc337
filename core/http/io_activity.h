#pragma once
// io_activity: a per-thread count of socket I/O callbacks, so that a worker's event loop can tell
// a turn that served sockets from one that only ran timers or commands (core/server/worker.cc
// keeps polling for a while after the former: Bootstrap.busy_poll_us). Every read or accept
// callback on a client connection, a listener or an upstream connection calls note() first.
// Thread-safety: each thread counts only its own callbacks; nothing is shared between threads.

#include <cstdint>

namespace sluice::http::io_activity {

namespace detail {
inline thread_local uint64_t callbacks = 0;
}  // namespace detail

// Counts one socket callback on the calling thread: a thread-local increment, nothing more.
inline void note() {
  ++detail::callbacks;
}

// The calling thread's count so far; only whether it changed between two reads means anything.
inline uint64_t count() {
  return detail::callbacks;
}

}  // namespace sluice::http::io_activity
