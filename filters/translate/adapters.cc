// translate: the adapters of the providers with an API of their own, built once.

#include "filters/translate/adapters.h"

#include <memory>

#include "providers/anthropic/adapter.h"
#include "providers/azure/adapter.h"
#include "providers/bedrock/adapter.h"
#include "providers/cohere/adapter.h"
#include "providers/gemini/adapter.h"
#include "providers/mistral/adapter.h"

namespace sluice::filters::translate {

const providers::Adapter* adapter_for(std::string_view provider_type) {
  static const std::unique_ptr<providers::Adapter> anthropic =
      providers::anthropic::make_anthropic_adapter();
  static const std::unique_ptr<providers::Adapter> azure = providers::azure::make_azure_adapter();
  static const std::unique_ptr<providers::Adapter> bedrock = bedrock::make_bedrock_adapter();
  static const std::unique_ptr<providers::Adapter> cohere =
      providers::cohere::make_cohere_adapter();
  static const std::unique_ptr<providers::Adapter> gemini =
      providers::gemini::make_gemini_adapter();
  static const std::unique_ptr<providers::Adapter> vertex =
      providers::gemini::make_vertex_adapter();
  static const std::unique_ptr<providers::Adapter> mistral =
      providers::mistral::make_mistral_adapter();
  if (provider_type == "anthropic") return anthropic.get();
  if (provider_type == "azure") return azure.get();
  if (provider_type == "bedrock") return bedrock.get();
  if (provider_type == "cohere") return cohere.get();
  if (provider_type == "gemini") return gemini.get();
  if (provider_type == "vertex_ai") return vertex.get();
  if (provider_type == "mistral") return mistral.get();
  return nullptr;
}

}  // namespace sluice::filters::translate
