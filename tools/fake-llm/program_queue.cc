// The shared queue of programmed answers.

#include "tools/fake-llm/program_queue.h"

#include <utility>

namespace fake_llm {

bool ProgramQueue::push(const std::optional<std::string>& prefix, std::vector<Controls> entries) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.size() + entries.size() > kMaxProgramEntries) return false;
  for (Controls& controls : entries) entries_.push_back(Entry{prefix, std::move(controls)});
  size_.store(entries_.size(), std::memory_order_relaxed);
  return true;
}

bool ProgramQueue::pop(std::string_view prefix, Controls* out) {
  if (size_.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->prefix && *it->prefix != prefix) continue;
    *out = std::move(it->controls);
    entries_.erase(it);
    size_.store(entries_.size(), std::memory_order_relaxed);
    return true;
  }
  return false;
}

void ProgramQueue::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
  size_.store(0, std::memory_order_relaxed);
}

}  // namespace fake_llm
