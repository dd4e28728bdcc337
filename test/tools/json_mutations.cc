// Generates the mutations by copying the document and replacing the n-th value in walk order.

#include "test/tools/json_mutations.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace fake_llm::test {
namespace {

void collect(rapidjson::Value& value, std::vector<rapidjson::Value*>* nodes) {
  nodes->push_back(&value);
  if (value.IsObject()) {
    for (auto& member : value.GetObject()) collect(member.value, nodes);
  } else if (value.IsArray()) {
    for (auto& element : value.GetArray()) collect(element, nodes);
  }
}

std::string serialise(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::vector<std::string> type_mutations(std::string_view json) {
  constexpr const char* kReplacements[] = {"null",   "7",     "-1", "1e300",
                                           R"("x")", R"("")", "[]", "{}"};
  rapidjson::Document original;
  original.Parse(json.data(), json.size());
  std::vector<std::string> out;
  if (original.HasParseError()) return out;
  std::vector<rapidjson::Value*> nodes;
  collect(original, &nodes);
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const char* replacement : kReplacements) {
      rapidjson::Document copy;
      copy.CopyFrom(original, copy.GetAllocator());
      std::vector<rapidjson::Value*> copy_nodes;
      collect(copy, &copy_nodes);
      rapidjson::Document value(&copy.GetAllocator());
      value.Parse(replacement);
      copy_nodes[i]->CopyFrom(value, copy.GetAllocator());
      out.push_back(serialise(copy));
    }
  }
  return out;
}

}  // namespace fake_llm::test
