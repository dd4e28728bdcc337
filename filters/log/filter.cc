// log: building and queueing the line.

#include "filters/log/filter.h"

#include "filters/log/line.h"

namespace sluice::filters::log {
namespace {

// kMetaKeys as the host takes them, for one meta_get_many.
constexpr std::array<sluice_str, kMetaKeyCount> kMetaKeyStrings = [] {
  std::array<sluice_str, kMetaKeyCount> out{};
  for (size_t key = 0; key < kMetaKeyCount; ++key) {
    out[key] = sluice_str{kMetaKeys[key].data(), kMetaKeys[key].size()};
  }
  return out;
}();

}  // namespace

void Filter::on_complete(bool aborted) {
  const Stream& s = stream();
  sluice_attempt attempt = {};
  attempt.struct_size = sizeof(attempt);
  if (s.api()->attempt_get(s.handle(), &attempt)) {
    // Placed after route, this filter runs once per upstream attempt. Only the attempt that ends
    // the request (the host has published its completion metadata) writes the line; requests
    // answered before routing never reach it, hence the warning.
    if (!config_.placement_warned.exchange(true)) {
      s.log(LogLevel::warn,
            "the log filter is placed after the router, so it runs per upstream attempt "
            "and misses requests answered before routing: place it first in the chain");
    }
    if (!s.meta(kMetaKeys[kTimingTotalUs])) return;
  }
  // Every key in one host call.
  MetaValues meta;
  s.meta_many(kMetaKeyStrings.data(), kMetaKeyCount, meta.data());
  LineFacts facts;
  facts.start = start_;
  facts.aborted = aborted;
  // Per worker thread: the line is formatted into a reused buffer and copied into the writer's
  // queue, so a request allocates nothing here.
  thread_local LineScratch scratch;
  config_.writer->push(format_line(meta, facts, scratch));
  scratch.trim();
}

}  // namespace sluice::filters::log
