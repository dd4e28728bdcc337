#pragma once
// LiteLLM's proxy config.yaml as a sluice configuration. A document with a top-level `model_list`
// and none of the Bootstrap's own top-level fields is LiteLLM's format: it is translated into the
// JsonNode tree of the equivalent sluice file, before the schema walk, so that defaults,
// validation, --host/--port and print-config work as for a sluice file, and every value keeps the
// line it had in the user's file. Internal to core/config.
//
// The translation:
//   (sluice)                       listeners: one, 127.0.0.1:4000 (LiteLLM's port)
//   model_list[i].model_name       models[m].name; entries sharing a name are the deployments of
//                                  one model, in file order
//   litellm_params.model           "type/id" -> providers[p].type + deployments[d].model; no '/'
//                                  -> type "openai". custom_llm_provider, when given, is the type
//                                  and the whole model string the id (less a "type/" prefix).
//                                  Bedrock's "converse/" route prefix is dropped from the id
//   litellm_params.api_base        providers[p].api_base (base_url: the same)
//   litellm_params.api_key         providers[p].api_key
//   litellm_params aws_*, vertex_*, azure_*, watsonx_*, api_version, organization, region_name,
//     tenant_id, client_id, client_secret, extra_headers, headers
//                                  providers[p].settings
//   litellm_params.weight          deployments[d].weight (fractions scaled to whole numbers)
//   rpm / tpm (entry, then litellm_params, then model_info: LiteLLM's order)
//                                  deployments[d].rpm / tpm; when a model sets no weight but every
//                                  deployment has litellm_params.rpm (else tpm), those become the
//                                  weights, as LiteLLM's simple-shuffle does
//   other litellm_params           deployments[d].params (temperature, max_tokens, top_k, ...)
//   router_settings.num_retries, else litellm_settings.num_retries
//                                  chains[0].filters[route].config.num_retries (at most 10)
//   router_settings.timeout, else litellm_settings.request_timeout (seconds)
//                                  chains[0].filters[route].config.per_try_timeout_ms
//   router_settings.routing_strategy: simple-shuffle
//                                  nothing to do: it is how the route filter picks
//   general_settings.master_key    LoadedConfig::litellm.master_key (not enforced yet: warned)
//   environment_variables          resolve os.environ/VAR in this file, as LiteLLM sets them before
//                                  reading the rest; not exported to the process (warned)
//   (sluice)                       one provider per distinct (type, api_base, api_key, settings),
//                                  named "<type>", "<type>-2", ... in order of first use; chain
//                                  "litellm" on "/" with filters route, translate, log
// Everything else (fallbacks, caching, callbacks, guardrails, budgets, redis_*, other
// routing strategies, other general_settings, litellm_params such as order or timeout, ...) is a
// warning naming the key and its line: never silently dropped, never fatal.
//
// Variables: LiteLLM reads an os.environ/VAR value only when it is used, so in a LiteLLM file an
// unset VAR is not an error: the value is left out (as if not written) and, where sluice uses the
// value, a warning names the variable. ${VAR} keeps sluice's meaning (an error when unset).

#include <string>
#include <string_view>
#include <vector>

#include "core/config/json_tree.h"
#include "core/config/loader.h"

namespace sluice::config::detail {

// True when `root` is a mapping with `model_list` and no top-level field of the Bootstrap
// (listeners, chains, models, ...; either spelling).
bool is_litellm_document(const JsonNode& root);

struct LitellmTranslation {
  JsonNode root;                     // the sluice document; values keep their LiteLLM lines
  std::vector<Diagnostic> errors;    // what cannot be translated, plus errors of the YAML read
  std::vector<Diagnostic> warnings;  // in file order
  LitellmExtras extras;
  // Credentials found (api keys, master key, credential-like settings): scrubbed from messages.
  std::vector<std::string> secrets;
};

// Reads `yaml` again with unset os.environ/VAR tolerated (and `environment_variables` of the
// file consulted first, as LiteLLM does), then translates it. `first_read` is the tree the loader
// already read with `env` (is_litellm_document accepted it); its environment_variables are used.
LitellmTranslation translate_litellm(std::string_view yaml, const std::string& file,
                                     const EnvLookup& env, const JsonNode& first_read);

}  // namespace sluice::config::detail
