#pragma once
// What Azure OpenAI adds to the OpenAI routes it serves under
// /openai/deployments/{deployment}/…: the api-version query parameter and the api-key (or bearer
// token) checks made before the body is read, the body's model defaulting to the deployment, the
// apim-request-id / x-ms-region headers, and Azure's own error shape
// {"error":{"code","message"}} for what its gateway answers (401, 404, 429). Other errors are
// OpenAI's, as Azure passes them through.

#include <string>
#include <string_view>

#include "core/http/message.h"
#include "tools/fake-llm/response_plan.h"

namespace fake_llm {

// False with *plan holding Azure's answer when api-version is missing (404 "Resource not found")
// or no key is given, or, when `expected_key` is not empty, a different one (401).
bool azure_authorize(const sluice::http::Request& request, std::string_view expected_key,
                     std::string_view request_id, Plan* plan);

// `body` with "model": <deployment> added when it is a JSON object without a model (Azure takes
// the model from the deployment); otherwise `body` unchanged.
std::string azure_body_with_model(std::string_view body, std::string_view deployment);

// Adds Azure's response headers to an answer or error already in *plan.
void azure_headers(Plan* plan, std::string_view request_id);

// Adds Azure's content-filter annotations to a chat answer already in *plan: whole answers get
// "prompt_filter_results" and a "content_filter_results" per choice; streams start with Azure's
// extra chunk (empty "choices", empty id / model, "prompt_filter_results") before the role chunk.
void azure_content_filters(Plan* plan);

// Azure's gateway error: {"error":{"code":<code>,"message":<message>}}.
void azure_error(Plan* plan, int status, std::string_view code, std::string_view message,
                 std::string_view request_id);
// An injected status: 401, 404 (DeploymentNotFound) and 429 in Azure's shape, others in OpenAI's.
void azure_status_error(Plan* plan, int status, std::string_view request_id);

}  // namespace fake_llm
