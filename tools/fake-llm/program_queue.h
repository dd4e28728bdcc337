#pragma once
// ProgramQueue: the scripted answers set by POST /_fake/program. Each provider request takes the
// oldest entry meant for it (an entry with no prefix serves any request; one with a prefix only
// requests under that prefix) and is answered as if the entry's controls had been given.
// Shared by all workers; an empty queue costs one atomic load per request.

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/fake-llm/controls.h"

namespace fake_llm {

inline constexpr size_t kMaxProgramEntries = 100000;

class ProgramQueue {
 public:
  // Appends entries; false (nothing added) when the queue would exceed kMaxProgramEntries.
  bool push(const std::optional<std::string>& prefix, std::vector<Controls> entries);
  // Takes the oldest entry for a request under `prefix`.
  bool pop(std::string_view prefix, Controls* out);
  void clear();
  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::optional<std::string> prefix;
    Controls controls;
  };
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;
  std::atomic<size_t> size_{0};
};

}  // namespace fake_llm
