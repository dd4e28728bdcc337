#pragma once
// The model registry as plugins receive it through config_registry (see sluice/filter.h, 1.2):
// providers and models with their deployments, defaults applied, as one JSON document.

#include <string>

#include "sluice/config/v1/bootstrap.pb.h"

namespace sluice::runtime {

std::string registry_json(const config::v1::Bootstrap& bootstrap);

}  // namespace sluice::runtime
