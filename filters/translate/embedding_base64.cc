// translate: embedding vectors as base64 (see embedding_base64.h).

#include "filters/translate/embedding_base64.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <bit>
#include <cstdint>
#include <cstring>

#include "providers/support/base64.h"
#include "providers/support/json_writer.h"

namespace sluice::filters::translate {
namespace {

// The vector's float32 values, little-endian, base64-encoded; false when an item is no number.
bool vector_base64(const rapidjson::Value& vector, std::string* out) {
  std::string bytes;
  bytes.reserve(vector.Size() * 4);
  for (const auto& item : vector.GetArray()) {
    if (!item.IsNumber()) return false;
    uint32_t bits = std::bit_cast<uint32_t>(static_cast<float>(item.GetDouble()));
    if constexpr (std::endian::native == std::endian::big) bits = __builtin_bswap32(bits);
    char little[4];
    std::memcpy(little, &bits, 4);
    bytes.append(little, 4);
  }
  *out = providers::support::base64(bytes);
  return true;
}

}  // namespace

std::optional<std::string> embeddings_as_base64(std::string_view openai_json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(openai_json.data(), openai_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto data = doc.FindMember("data");
  if (data == doc.MemberEnd() || !data->value.IsArray()) return std::nullopt;
  std::string encoded;
  for (auto& item : data->value.GetArray()) {
    if (!item.IsObject()) return std::nullopt;
    auto embedding = item.FindMember("embedding");
    if (embedding == item.MemberEnd() || !embedding->value.IsArray()) return std::nullopt;
    if (!vector_base64(embedding->value, &encoded)) return std::nullopt;
    embedding->value.SetString(encoded.data(), static_cast<rapidjson::SizeType>(encoded.size()),
                               doc.GetAllocator());
  }
  rapidjson::StringBuffer buffer;
  providers::support::JsonWriter writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::filters::translate
