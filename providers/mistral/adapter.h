#pragma once
// The outbound adapter for provider type "mistral": Mistral AI's La Plateforme, whose chat and
// embeddings APIs are OpenAI's but for a few differences this adapter translates (parameter
// names, tool_choice "required", tool call ids, message members it refuses, finish reasons
// and reasoning content in answers, its error shapes). Everything else passes as it is.
// Stateless: one object serves every thread. README.md lists every difference and its source.

#include <memory>

#include "providers/common/adapter.h"

namespace sluice::providers::mistral {

std::unique_ptr<providers::Adapter> make_mistral_adapter();

}  // namespace sluice::providers::mistral
