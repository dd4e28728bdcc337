// log: the writer thread (see writer.h).

#include "filters/log/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

namespace sluice::filters::log {

LineWriter::LineWriter(Options options)
    : options_(std::move(options)),
      generation_(options_.api->reopen_generation()),
      thread_([this] { run(); }) {}

LineWriter::~LineWriter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
}

bool LineWriter::push(std::string_view line) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queued_lines_ >= options_.capacity) {
      options_.dropped.record(1);
      return false;
    }
    queue_.append(line);
    ++queued_lines_;
    // Only the first line of a batch, or a batch that has grown large, wakes the thread.
    bool wake = queued_lines_ == 1 || queued_lines_ == batch_lines();
    if (!wake) return true;
  }
  wake_.notify_one();
  return true;
}

void LineWriter::run() {
  ensure_open();  // creates the file at once, and waits here (not in a worker) if it must
  // The batch being written. Swapped with the queue, so the two buffers take turns and keep
  // their capacity; one that a burst made large is given back after its write.
  constexpr size_t kKeepBytes = 1 << 20;
  std::string data;
  for (;;) {
    size_t lines = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || queued_lines_ > 0; });
      if (options_.flush_interval_ms > 0) {
        wake_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms),
                       [this] { return stopping_ || queued_lines_ >= batch_lines(); });
      }
      if (queued_lines_ == 0) return;  // stopping, and everything is written
      data.swap(queue_);
      lines = queued_lines_;
      queued_lines_ = 0;
    }
    if (!ensure_open() || !write_all(data))
      options_.write_errors.record(static_cast<double>(lines));
    data.clear();
    if (data.capacity() > kKeepBytes) std::string().swap(data);
  }
}

bool LineWriter::ensure_open() {
  if (options_.path.empty()) {
    fd_ = STDOUT_FILENO;
    return true;
  }
  uint64_t generation = options_.api->reopen_generation();
  if (generation != generation_ && fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  generation_ = generation;
  if (fd_ >= 0) return true;
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    report("cannot open the access log " + options_.path + ": " + std::strerror(errno));
    return false;
  }
  failing_ = false;
  return true;
}

bool LineWriter::write_all(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      report("cannot write the access log " +
             (options_.path.empty() ? std::string("(stdout)") : options_.path) + ": " +
             std::strerror(errno));
      if (fd_ != STDOUT_FILENO) {
        ::close(fd_);  // opened again by name for the next batch
        fd_ = -1;
      }
      return false;
    }
    done += static_cast<size_t>(n);
  }
  failing_ = false;
  return true;
}

void LineWriter::report(const std::string& message) {
  if (failing_) return;
  failing_ = true;
  options_.api->log(options_.config, nullptr, SLUICE_LOG_ERROR, detail::str(message));
}

}  // namespace sluice::filters::log
