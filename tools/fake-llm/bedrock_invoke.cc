// InvokeModel embedding requests and answers.

#include "tools/fake-llm/bedrock_invoke.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "tools/fake-llm/embeddings.h"
#include "tools/fake-llm/json_out.h"
#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/openai_requests.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

bool fail(ApiError* error, std::string message) {
  error->status = 400;
  error->message = std::move(message);
  return false;
}

bool malformed(ApiError* error, std::string_view detail) {
  return fail(error, "Malformed input request: " + std::string(detail) +
                         ", please reformat your input and try again.");
}

void write_vector(JsonOut& json, std::string_view text, uint32_t dim) {
  std::vector<float> values;
  embedding_vector(text, dim, &values);
  json.begin_array();
  for (const float value : values) json.number(value);
  json.end_array();
}

}  // namespace

bool parse_invoke_request(std::string_view model_id, std::string_view body,
                          InvokeEmbeddingRequest* out, ApiError* error) {
  const bool titan = model_id.find("titan-embed") != std::string_view::npos;
  out->cohere = model_id.find("cohere.embed") != std::string_view::npos;
  if (!titan && !out->cohere) {
    return fail(error, "fake-llm serves InvokeModel for Titan and Cohere embedding models only.");
  }
  rapidjson::Document doc;
  if (!parse_json(body, &doc) || !doc.IsObject()) return malformed(error, "#: expected an object");
  if (titan) {
    const rapidjson::Value* text = member(doc, "inputText");
    if (text == nullptr) return malformed(error, "#: required key [inputText] not found");
    if (!text->IsString()) return malformed(error, "#/inputText: expected type: String");
    out->texts.emplace_back(view(*text));
    if (const rapidjson::Value* dims = member(doc, "dimensions"); dims != nullptr) {
      if (!dims->IsUint() || dims->GetUint() == 0 || dims->GetUint() > kMaxEmbeddingDim) {
        return malformed(error, "#/dimensions: expected a positive integer");
      }
      out->dimensions = dims->GetUint();
    }
    return true;
  }
  const rapidjson::Value* texts = member(doc, "texts");
  if (texts == nullptr) return malformed(error, "#: required key [texts] not found");
  if (!texts->IsArray() || texts->Empty()) {
    return malformed(error, "#/texts: expected a non-empty array of strings");
  }
  for (const rapidjson::Value& text : texts->GetArray()) {
    if (!text.IsString()) return malformed(error, "#/texts: expected type: String");
    out->texts.emplace_back(view(text));
  }
  if (member(doc, "input_type") == nullptr) {
    return malformed(error, "#: required key [input_type] not found");
  }
  return true;
}

void bedrock_invoke_embeddings(Plan* plan, const InvokeEmbeddingRequest& request,
                               uint32_t default_dim, std::string_view request_id) {
  plan->head.status = 200;
  plan->head.headers.push_back({"content-type", "application/json"});
  plan->head.headers.push_back({"x-amzn-requestid", std::string(request_id)});
  plan->stream = false;
  const uint32_t dim = request.dimensions.value_or(default_dim);
  std::string body;
  JsonOut json(body);
  json.begin_object();
  if (request.cohere) {
    json.key("id").string(request_id);
    json.key("texts").begin_array();
    for (const std::string& text : request.texts) json.string(text);
    json.end_array();
    json.key("embeddings").begin_array();
    for (const std::string& text : request.texts) write_vector(json, text, dim);
    json.end_array();
    json.key("response_type").string("embeddings_floats");
  } else {
    json.key("embedding");
    write_vector(json, request.texts.front(), dim);
    json.key("inputTextTokenCount")
        .integer(static_cast<int64_t>(std::max<size_t>(count_words(request.texts.front()), 1)));
  }
  json.end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

}  // namespace fake_llm
