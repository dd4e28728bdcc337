// OpenAI embeddings through InvokeModel: Amazon Titan text embeddings ({"inputText"}, one text
// per call) and Cohere Embed ({"texts", "input_type"}), and their answers back as an OpenAI list.

#include "providers/bedrock/internal.h"
#include "providers/bedrock/json.h"

namespace sluice::bedrock {
namespace {

using rapidjson::kArrayType;
using rapidjson::kObjectType;

enum class Family { titan, cohere, unknown };

Family family_of(std::string_view model) {
  // Cross-region profiles ("us.cohere.embed-...") and ARNs still contain the base id.
  if (model.find("titan-embed") != std::string_view::npos) return Family::titan;
  if (model.find("cohere.embed") != std::string_view::npos) return Family::cohere;
  return Family::unknown;
}

bool fail(Failure* failure, std::string param, std::string_view problem) {
  std::string message = param;
  message.append(": ").append(problem);
  *failure = status_failure(400, std::move(message), "", std::move(param));
  return false;
}

// The request's texts: "input" as one string or an array of strings.
bool input_texts(const Value& request, std::vector<std::string_view>* texts, Failure* failure) {
  const Value* input = member(request, "input");
  if (input == nullptr) return fail(failure, "input", "is required");
  if (input->IsString()) {
    texts->push_back(view(*input));
    return true;
  }
  if (!input->IsArray() || input->Empty()) {
    return fail(failure, "input", "must be a string or a non-empty array of strings");
  }
  for (rapidjson::SizeType i = 0; i < input->Size(); ++i) {
    if (!(*input)[i].IsString()) {
      return fail(failure, "input[" + std::to_string(i) + "]",
                  "must be a string (Bedrock embedding models take text, not token ids)");
    }
    texts->push_back(view((*input)[i]));
  }
  return true;
}

void write_usage(JsonWriter& writer, int64_t tokens) {
  write_key(writer, "usage");
  writer.StartObject();
  write_key(writer, "prompt_tokens");
  writer.Int64(tokens);
  write_key(writer, "total_tokens");
  writer.Int64(tokens);
  writer.EndObject();
}

void write_item(JsonWriter& writer, int64_t index, const Value& vector) {
  writer.StartObject();
  write_key(writer, "object");
  write_string(writer, "embedding");
  write_key(writer, "index");
  writer.Int64(index);
  write_key(writer, "embedding");
  vector.Accept(writer);
  writer.EndObject();
}

bool is_number_array(const Value& value) {
  if (!value.IsArray()) return false;
  for (const auto& number : value.GetArray()) {
    if (!number.IsNumber()) return false;
  }
  return true;
}

}  // namespace

bool build_embeddings_request(std::string_view openai_body, const Deployment& deployment,
                              UpstreamRequest* out, Failure* failure) {
  rapidjson::Document request;
  if (!parse_json(openai_body, &request) || !request.IsObject()) {
    *failure = status_failure(400, "the request body is not a JSON object");
    return false;
  }
  std::vector<std::string_view> texts;
  if (!input_texts(request, &texts, failure)) return false;
  const Value* dimensions = member(request, "dimensions");
  if (dimensions != nullptr && !dimensions->IsNull() &&
      (!dimensions->IsInt() || dimensions->GetInt() < 1)) {
    return fail(failure, "dimensions", "must be a positive integer");
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  switch (family_of(deployment.model)) {
    case Family::titan:
      if (texts.size() != 1) {
        return fail(
            failure, "input",
            "Titan embedding models take one input per call; got " + std::to_string(texts.size()));
      }
      write_key(writer, "inputText");
      write_string(writer, texts[0]);
      if (dimensions != nullptr && dimensions->IsInt()) {
        write_key(writer, "dimensions");
        writer.Int(dimensions->GetInt());
      }
      break;
    case Family::cohere:
      if (dimensions != nullptr && !dimensions->IsNull()) {
        return fail(failure, "dimensions", "is not supported by Cohere embedding models");
      }
      write_key(writer, "texts");
      writer.StartArray();
      for (const std::string_view text : texts) write_string(writer, text);
      writer.EndArray();
      write_key(writer, "input_type");
      write_string(writer, "search_document");
      break;
    case Family::unknown:
      return fail(failure, "model",
                  "Bedrock embeddings are served for Amazon Titan (amazon.titan-embed-*) and "
                  "Cohere (cohere.embed-*) models only");
  }
  writer.EndObject();
  fill_request(deployment, model_url(deployment, "invoke"),
               std::string(buffer.GetString(), buffer.GetSize()), false, out);
  return true;
}

bool translate_embeddings_response(std::string_view body, const ResponseContext& context,
                                   std::string* out, Failure* failure) {
  rapidjson::Document answer;
  if (!parse_json(body, &answer) || !answer.IsObject()) {
    *failure = status_failure(502, "Bedrock's embeddings answer is not a JSON object");
    return false;
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  write_key(writer, "object");
  write_string(writer, "list");
  write_key(writer, "data");
  writer.StartArray();
  int64_t tokens = 0;
  if (const Value* embedding = member(answer, "embedding"); embedding != nullptr) {
    // Titan: one vector and its token count.
    if (!is_number_array(*embedding)) {
      *failure = status_failure(502, "Bedrock's Titan answer has no numeric \"embedding\"");
      return false;
    }
    write_item(writer, 0, *embedding);
    if (const Value* count = member(answer, "inputTextTokenCount");
        count != nullptr && count->IsInt64()) {
      tokens = count->GetInt64();
    }
  } else {
    // Cohere: "embeddings" is the list of vectors, or {"float": [...]} when typed.
    const Value* embeddings = member(answer, "embeddings");
    if (embeddings != nullptr && embeddings->IsObject()) embeddings = member(*embeddings, "float");
    if (embeddings == nullptr || !embeddings->IsArray()) {
      *failure = status_failure(502,
                                "Bedrock's embeddings answer has no \"embedding\" or "
                                "\"embeddings\"");
      return false;
    }
    for (rapidjson::SizeType i = 0; i < embeddings->Size(); ++i) {
      if (!is_number_array((*embeddings)[i])) {
        *failure = status_failure(502, "Bedrock's Cohere answer has a non-numeric embedding");
        return false;
      }
      write_item(writer, i, (*embeddings)[i]);
    }
  }
  writer.EndArray();
  write_key(writer, "model");
  write_string(writer, context.client_model);
  write_usage(writer, tokens);
  writer.EndObject();
  out->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

}  // namespace sluice::bedrock
