#pragma once
// direct_response: the per-request filter. It answers in on_request_headers, so the body of the
// request is never looked at.

#include <sluice/filter.hpp>

#include "filters/direct_response/config.h"

namespace sluice::filters::direct_response {

class Filter : public sluice::Filter {
 public:
  Filter(const Config& config, Stream stream) : sluice::Filter(stream), config_(config) {}
  Status on_request_headers(bool end_of_stream) override;

 private:
  const Config& config_;
};

}  // namespace sluice::filters::direct_response
