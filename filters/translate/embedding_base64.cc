// translate: embedding vectors as base64 (see embedding_base64.h).

#include "filters/translate/embedding_base64.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <bit>
#include <cstdint>
#include <cstring>

namespace sluice::filters::translate {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void append_base64(const unsigned char* bytes, size_t size, std::string* out) {
  for (size_t i = 0; i < size; i += 3) {
    const uint32_t chunk = (uint32_t{bytes[i]} << 16) |
                           (i + 1 < size ? uint32_t{bytes[i + 1]} << 8 : 0) |
                           (i + 2 < size ? uint32_t{bytes[i + 2]} : 0);
    out->push_back(kAlphabet[(chunk >> 18) & 63]);
    out->push_back(kAlphabet[(chunk >> 12) & 63]);
    out->push_back(i + 1 < size ? kAlphabet[(chunk >> 6) & 63] : '=');
    out->push_back(i + 2 < size ? kAlphabet[chunk & 63] : '=');
  }
}

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
  out->clear();
  append_base64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out);
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
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::filters::translate
