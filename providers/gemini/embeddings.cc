// OpenAI embeddings <-> Gemini's batchEmbedContents (one request per input) and Vertex AI's
// :predict (one instance per input). Both answer vectors in input order.

#include <vector>

#include "providers/gemini/translate.h"

namespace sluice::providers::gemini {
namespace {

using rapidjson::Value;

bool fail(Failure* failure, std::string message, std::string param) {
  *failure = invalid_request(std::move(message), std::move(param));
  return false;
}

// The client's input texts: a string or an array of strings (token arrays have no Gemini form).
bool read_inputs(const Value& request, std::vector<std::string_view>* inputs, Failure* failure) {
  const Value* input = find(request, "input");
  if (input != nullptr && input->IsString()) {
    inputs->push_back(view(*input));
    return true;
  }
  if (input == nullptr || !input->IsArray() || input->Empty()) {
    return fail(failure, "input must be a string or a non-empty array of strings", "input");
  }
  for (const auto& entry : input->GetArray()) {
    if (!entry.IsString()) {
      return fail(failure, "input must hold strings (token arrays cannot be embedded by Gemini)",
                  "input");
    }
    inputs->push_back(view(entry));
  }
  return true;
}

// Writes `values` (an array of numbers) as an OpenAI embedding.
bool write_vector(JsonWriter& writer, const Value* values, int index) {
  if (values == nullptr || !values->IsArray()) return false;
  writer.StartObject();
  write_key(writer, "object");
  write_string(writer, "embedding");
  write_key(writer, "index");
  writer.Int(index);
  write_key(writer, "embedding");
  writer.StartArray();
  for (const auto& number : values->GetArray()) {
    if (!number.IsNumber()) return false;
    write_value(number, writer);  // as the provider wrote it: 0 stays 0, not 0.0
  }
  writer.EndArray();
  writer.EndObject();
  return true;
}

}  // namespace

bool build_embeddings_body(Flavour flavour, std::string_view openai_body, std::string_view model,
                           std::string* body, Failure* failure) {
  rapidjson::Document request;
  if (!parse_json(openai_body, &request) || !request.IsObject()) {
    return fail(failure, "the request body must be a JSON object", "");
  }
  for (const auto& member : request.GetObject()) {
    const std::string_view name = view(member.name);
    if (member.value.IsNull() || name == "model" || name == "input" || name == "dimensions" ||
        name == "encoding_format" || name == "user") {
      continue;
    }
    return fail(failure,
                std::string(provider_label(flavour)) + " does not support the parameter '" +
                    std::string(name) + "' for embeddings",
                std::string(name));
  }
  std::vector<std::string_view> inputs;
  if (!read_inputs(request, &inputs, failure)) return false;
  const Value* dimensions = find(request, "dimensions");
  if (dimensions != nullptr && (!dimensions->IsInt() || dimensions->GetInt() < 1)) {
    return fail(failure, "dimensions must be a positive integer", "dimensions");
  }
  // Answers are always floats: base64 (what OpenAI's SDKs ask for by default) is accepted and
  // the SDKs read float arrays as well.
  std::string_view encoding;
  if (find(request, "encoding_format") != nullptr &&
      (!find_string(request, "encoding_format", &encoding) ||
       (encoding != "float" && encoding != "base64"))) {
    return fail(failure, "encoding_format must be \"float\" or \"base64\"", "encoding_format");
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  if (flavour == Flavour::gemini) {
    const std::string model_name = "models/" + std::string(model);
    write_key(writer, "requests");
    writer.StartArray();
    for (std::string_view text : inputs) {
      writer.StartObject();
      write_key(writer, "model");
      write_string(writer, model_name);
      write_key(writer, "content");
      writer.StartObject();
      write_key(writer, "parts");
      writer.StartArray();
      writer.StartObject();
      write_key(writer, "text");
      write_string(writer, text);
      writer.EndObject();
      writer.EndArray();
      writer.EndObject();
      if (dimensions != nullptr) {
        write_key(writer, "outputDimensionality");
        writer.Int(dimensions->GetInt());
      }
      writer.EndObject();
    }
    writer.EndArray();
  } else {
    write_key(writer, "instances");
    writer.StartArray();
    for (std::string_view text : inputs) {
      writer.StartObject();
      write_key(writer, "content");
      write_string(writer, text);
      writer.EndObject();
    }
    writer.EndArray();
    if (dimensions != nullptr) {
      write_key(writer, "parameters");
      writer.StartObject();
      write_key(writer, "outputDimensionality");
      writer.Int(dimensions->GetInt());
      writer.EndObject();
    }
  }
  writer.EndObject();
  *body = take(buffer);
  return true;
}

bool translate_embeddings(Flavour flavour, std::string_view body, const ResponseContext& context,
                          std::string* out, Failure* failure) {
  const std::string label(provider_label(flavour));
  rapidjson::Document response;
  if (!parse_json(body, &response) || !response.IsObject()) {
    *failure = bad_upstream(label + "'s embeddings answer is not a JSON object");
    return false;
  }
  const Value* list = find(response, flavour == Flavour::gemini ? "embeddings" : "predictions");
  if (list == nullptr || !list->IsArray()) {
    *failure = bad_upstream(label + "'s embeddings answer has no " +
                            (flavour == Flavour::gemini ? "embeddings" : "predictions"));
    return false;
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  write_key(writer, "object");
  write_string(writer, "list");
  write_key(writer, "data");
  writer.StartArray();
  int64_t tokens = 0;  // Vertex counts tokens per input; Gemini's batch answer does not
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const Value* values = nullptr;
    if (flavour == Flavour::gemini) {
      values = find((*list)[i], "values");
    } else if (const Value* embeddings = find((*list)[i], "embeddings")) {
      values = find(*embeddings, "values");
      const Value* statistics = find(*embeddings, "statistics");
      const Value* count = statistics != nullptr ? find(*statistics, "token_count") : nullptr;
      if (count != nullptr && count->IsNumber() && count->GetDouble() >= 0 &&
          count->GetDouble() < 1e12) {
        tokens += static_cast<int64_t>(count->GetDouble());
      }
    }
    if (!write_vector(writer, values, static_cast<int>(i))) {
      *failure =
          bad_upstream(label + "'s embedding " + std::to_string(i) + " is not an array of numbers");
      return false;
    }
  }
  writer.EndArray();
  write_key(writer, "model");
  write_string(writer, context.client_model);
  write_key(writer, "usage");
  writer.StartObject();
  write_key(writer, "prompt_tokens");
  writer.Int64(tokens);
  write_key(writer, "total_tokens");
  writer.Int64(tokens);
  writer.EndObject();
  writer.EndObject();
  *out = take(buffer);
  return true;
}

}  // namespace sluice::providers::gemini
