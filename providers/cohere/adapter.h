#pragma once
// Outbound adapter for provider type "cohere": Cohere's v2 chat API (POST <base>/v2/chat, a
// bearer key), whole and streamed. README.md lists the settings and every mapping. The adapter
// is stateless and safe to share between threads.

#include <memory>

#include "providers/common/adapter.h"

namespace sluice::providers::cohere {

std::unique_ptr<providers::Adapter> make_cohere_adapter();

}  // namespace sluice::providers::cohere
