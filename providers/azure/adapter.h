#pragma once
// The outbound adapter for provider type "azure": Azure OpenAI, which speaks OpenAI's API under
// /openai/deployments/<deployment>/... with an api-version query and its own key header. The
// body goes through without "model" (Azure takes it from the URL); answers come back with the
// client's model name. Stateless: one object serves every thread. README.md lists the settings
// and every mapping.

#include <memory>

#include "providers/common/adapter.h"

namespace sluice::providers::azure {

std::unique_ptr<providers::Adapter> make_azure_adapter();

}  // namespace sluice::providers::azure
