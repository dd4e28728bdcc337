#pragma once
// The outbound adapter for provider type "anthropic": OpenAI chat completions to Anthropic's
// Messages API (POST <base>/v1/messages) and its answers, whole, streamed and failed, back into
// OpenAI's shape. Stateless: one object serves every thread. README.md lists the settings and
// every mapping.

#include <memory>

#include "providers/common/adapter.h"

namespace sluice::providers::anthropic {

std::unique_ptr<providers::Adapter> make_anthropic_adapter();

}  // namespace sluice::providers::anthropic
