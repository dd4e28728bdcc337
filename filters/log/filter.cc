// log: building and queueing the line.

#include "filters/log/filter.h"

#include "filters/log/line.h"

namespace sluice::filters::log {

void Filter::on_complete(bool aborted) {
  sluice_attempt attempt = {};
  attempt.struct_size = sizeof(attempt);
  if (stream().api()->attempt_get(stream().handle(), &attempt)) {
    // Placed after route, this filter runs once per upstream attempt. Only the attempt that ends
    // the request (the host has published its completion metadata) writes the line; requests
    // answered before routing never reach it, hence the warning.
    if (!config_.placement_warned.exchange(true)) {
      stream().log(LogLevel::warn,
                   "the log filter is placed after the router, so it runs per upstream attempt "
                   "and misses requests answered before routing: place it first in the chain");
    }
    if (!stream().meta("timing.total_us")) return;
  }
  LineFacts facts;
  facts.start = start_;
  facts.aborted = aborted;
  facts.measured_total_us =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - steady_start_)
                                .count());
  const Stream& s = stream();
  config_.writer->push(format_line([&s](std::string_view key) { return s.meta(key); }, facts));
}

}  // namespace sluice::filters::log
