#pragma once
// route: the per-request router. It answers GET /v1/models itself; for a POST it refuses fields
// that could steer the upstream, resolves `model`, orders the model's deployments by weighted
// random choice and sets the upstream plan; after each attempt it decides: retry the same
// deployment, move to the next, or accept.
//
// Metadata written: route.model (the name the client asked for), and route.deployment,
// route.provider, route.provider_model naming the deployment of the attempt in flight (set with
// the plan, moved on with each retry verdict), so after the request they name the attempt whose
// response the client got.

#include <sluice/filter.hpp>

#include <array>
#include <cstdint>
#include <span>

#include "filters/route/config.h"

namespace sluice::filters::route {

class Filter : public sluice::RouteFilter {
 public:
  Filter(const Config& config, Stream stream) : sluice::RouteFilter(stream), config_(config) {}
  Status on_request_headers(bool end_of_stream) override;
  Status on_request_body() override;
  sluice_verdict on_attempt_done(const sluice_attempt& attempt) override;

 private:
  Status answer_models(std::string_view method, std::string_view path);
  Status plan(const Model& model);
  void name_target(uint32_t position);

  const Config& config_;
  const Model* model_ = nullptr;
  // Inline rather than on the heap: a plan has at most Config::kMaxTargets positions.
  std::array<uint32_t, Config::kMaxTargets> order_{};    // position -> index into deployments
  std::array<uint32_t, Config::kMaxTargets> retries_{};  // position -> retries spent there
  uint32_t positions_ = 0;
  uint32_t named_ = UINT32_MAX;  // the position route.deployment and friends name
  uint32_t max_attempts_ = 1;
};

// The deployments of `model` in weighted random order without replacement: each position is a
// weighted pick among the deployments not yet placed. Writes at most Config::kMaxTargets
// entries into `order` and returns how many.
size_t weighted_order(const Model& model, std::span<uint32_t, Config::kMaxTargets> order);

}  // namespace sluice::filters::route
