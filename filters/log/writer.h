#pragma once
// log: the writer thread of one configured log instance. Workers hand it finished lines through
// a bounded queue and never wait for the disk: when the queue is full the line is dropped and
// counted. The first line queued into an empty queue wakes the thread; it then gathers lines for
// flush_interval_ms (or until half the queue is used) and writes them with one write(2), so under
// load a worker pays a mutex per line, not a thread wake-up. It reopens the file by name when the
// host's reopen generation moved (SIGUSR1), and on destruction writes what is still queued.
// The queue is one byte buffer that the thread swaps with its own: once both have grown to a
// batch's size, queueing a line is a copy into it, with no allocation.
//
// Thread-safety: push() from any thread; construction and destruction from one.

#include <sluice/filter.hpp>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace sluice::filters::log {

class LineWriter {
 public:
  struct Options {
    std::string path;  // empty: standard output
    size_t capacity = 10000;
    uint32_t flush_interval_ms = 20;       // 0: write each line at once
    const sluice_host_api* api = nullptr;  // for reopen_generation and logging
    sluice_config* config = nullptr;
    Metric dropped;       // lines refused because the queue was full
    Metric write_errors;  // lines lost to a failed open or write
  };

  explicit LineWriter(Options options);
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Queues a copy of one line (ending with '\n'). False when it was dropped because the queue
  // is full.
  bool push(std::string_view line);

 private:
  void run();
  size_t batch_lines() const { return options_.capacity / 2 > 0 ? options_.capacity / 2 : 1; }
  bool ensure_open();
  bool write_all(const std::string& data);
  void report(const std::string& message);

  const Options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string queue_;        // guarded by mutex_: the queued lines, back to back
  size_t queued_lines_ = 0;  // guarded by mutex_
  bool stopping_ = false;    // guarded by mutex_

  // Writer thread only.
  int fd_ = -1;
  uint64_t generation_ = 0;
  bool failing_ = false;  // the last open or write failed: report the next failure only once

  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace sluice::filters::log
