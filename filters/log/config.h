#pragma once
// log: the configuration of one instance and its writer thread. Read-only once built apart from
// the writer, whose push() is thread-safe; the writer stops (after writing what is queued) when
// the host destroys the config.

#include <sluice/filter.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "filters/log/writer.h"

namespace sluice::filters::log {

struct Config {
  static constexpr uint32_t kDefaultQueue = 10000;
  static constexpr uint32_t kMaxQueue = 1000000;
  static constexpr uint32_t kDefaultFlushIntervalMs = 20;
  static constexpr uint32_t kMaxFlushIntervalMs = 10000;

  std::string path;  // empty: standard output
  uint32_t max_queued_lines = kDefaultQueue;
  uint32_t flush_interval_ms = kDefaultFlushIntervalMs;
  std::unique_ptr<LineWriter> writer;
  mutable std::atomic<bool> placement_warned{false};  // the per-attempt warning, once

  static std::unique_ptr<Config> create(ConfigContext& context, std::string_view json,
                                        std::string& error);
};

}  // namespace sluice::filters::log
