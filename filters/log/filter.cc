// log: building and queueing the line.

#include "filters/log/filter.h"

#include "filters/log/line.h"

namespace sluice::filters::log {

void Filter::on_complete(bool aborted) {
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
