// Azure OpenAI answers are OpenAI's: kept as they are (content-filter results included) but for
// "model", which becomes the name the client asked for.

#include "providers/azure/translation.h"

namespace sluice::providers::azure {

void write_with_model(const JsonValue& object, std::string_view model, JsonWriter& writer) {
  writer.StartObject();
  bool written = false;
  for (const auto& entry : object.GetObject()) {
    writer.Key(entry.name.GetString(), entry.name.GetStringLength());
    if (view(entry.name) == "model") {
      write_string(writer, model);
      written = true;
    } else {
      entry.value.Accept(writer);
    }
  }
  if (!written) {
    writer.Key("model");
    write_string(writer, model);
  }
  writer.EndObject();
}

bool translate_answer(std::string_view body, std::string_view model, std::string* out,
                      Failure* failure) {
  support::RequestDocument answer;
  if (!parse_json(body, &answer) || !answer.IsObject()) {
    *failure = support::bad_upstream("Azure OpenAI's answer is not a JSON object");
    return false;
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  write_with_model(answer, model, writer);
  out->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

}  // namespace sluice::providers::azure
