// Serialises the providers and models of a Bootstrap for config_registry.

#include "core/runtime/registry_json.h"

#include <google/protobuf/util/json_util.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "providers/support/json_writer.h"

namespace sluice::runtime {
namespace {

// The support writer, not rapidjson's: rapidjson 1.1.0 writes bytes 0x1A-0x1F raw in long
// strings (json_writer.h).
using Writer = providers::support::JsonWriter;

void write_struct(Writer& w, const google::protobuf::Struct& value) {
  std::string json;
  google::protobuf::util::MessageToJsonString(value, &json);
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

void key_string(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string registry_json(const config::v1::Bootstrap& bootstrap) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("providers");
  w.StartArray();
  for (const auto& provider : bootstrap.providers()) {
    w.StartObject();
    key_string(w, "name", provider.name());
    key_string(w, "type", provider.type());
    key_string(w, "api_base", provider.api_base());
    key_string(w, "api_key", provider.api_key());
    w.Key("settings");
    write_struct(w, provider.settings());
    w.EndObject();
  }
  w.EndArray();
  w.Key("models");
  w.StartArray();
  for (const auto& model : bootstrap.models()) {
    w.StartObject();
    key_string(w, "name", model.name());
    w.Key("deployments");
    w.StartArray();
    for (int i = 0; i < model.deployments_size(); ++i) {
      const auto& d = model.deployments(i);
      std::string provider_type;
      for (const auto& p : bootstrap.providers()) {
        if (p.name() == d.provider()) provider_type = p.type();
      }
      w.StartObject();
      key_string(w, "id", model.name() + "#" + std::to_string(i));
      key_string(w, "provider", d.provider());
      key_string(w, "provider_type", provider_type);
      key_string(w, "model", d.model());
      w.Key("weight");
      w.Uint(d.weight() ? d.weight() : 1);
      w.Key("rpm");
      w.Uint(d.rpm());
      w.Key("tpm");
      w.Uint(d.tpm());
      key_string(w, "api_base", d.api_base());
      key_string(w, "api_key", d.api_key());
      w.Key("params");
      write_struct(w, d.params());
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::runtime
