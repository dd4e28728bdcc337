// Reflection walk that masks secret fields and credential-like keys in opaque values.

#include "core/config/masking.h"

#include <array>
#include <string>
#include <vector>

#include "core/config/schema_check.h"

namespace sluice::config::detail {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr std::array<std::string_view, 8> kSensitiveWords = {
    "key", "secret", "token", "password", "passwd", "credential", "dsn", "authorization"};

bool is_empty_value(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::KIND_NOT_SET:
    case google::protobuf::Value::kNullValue:
      return true;
    case google::protobuf::Value::kStringValue:
      return value.string_value().empty();
    default:
      return false;
  }
}

void mask_struct(google::protobuf::Struct* object) {
  for (auto& [key, value] : *object->mutable_fields()) {
    if (is_sensitive_key(key)) {
      if (!is_empty_value(value)) value.set_string_value(std::string(kRedacted));
    } else {
      mask_value(&value);
    }
  }
}

}  // namespace

// Whole words only, so `api_key`, `apiKey`, `x-api-key` and `access_token` are masked while
// `max_tokens` or `keyword` stay readable. Words split on '_', '-', '.' and lower-to-upper case.
bool is_sensitive_key(std::string_view key) {
  auto sensitive = [](std::string_view word) {
    for (std::string_view s : kSensitiveWords) {
      if (word == s) return true;
    }
    return word == "apikey" || word == "secrets" || word == "credentials" || word == "passphrase";
  };
  std::string word;
  for (size_t i = 0; i <= key.size(); ++i) {
    char c = i < key.size() ? key[i] : '_';
    bool boundary = c == '_' || c == '-' || c == '.' ||
                    (c >= 'A' && c <= 'Z' && i > 0 && key[i - 1] >= 'a' && key[i - 1] <= 'z');
    if (boundary && !word.empty()) {
      if (sensitive(word)) return true;
      word.clear();
    }
    if (c == '_' || c == '-' || c == '.') continue;
    word += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return false;
}

void mask_value(google::protobuf::Value* value) {
  if (value->has_struct_value()) {
    mask_struct(value->mutable_struct_value());
  } else if (value->has_list_value()) {
    for (auto& item : *value->mutable_list_value()->mutable_values()) mask_value(&item);
  }
}

void mask_secrets(Message* message) {
  if (auto* value = dynamic_cast<google::protobuf::Value*>(message)) return mask_value(value);
  if (auto* object = dynamic_cast<google::protobuf::Struct*>(message)) return mask_struct(object);
  if (auto* list = dynamic_cast<google::protobuf::ListValue*>(message)) {
    for (auto& item : *list->mutable_values()) mask_value(&item);
    return;
  }
  const auto* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          mask_secrets(reflection->MutableRepeatedMessage(message, field, i));
        }
      } else {
        mask_secrets(reflection->MutableMessage(message, field));
      }
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING || !is_secret_field(*field)) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        if (!reflection->GetRepeatedString(*message, field, i).empty()) {
          reflection->SetRepeatedString(message, field, i, std::string(kRedacted));
        }
      }
    } else if (!reflection->GetString(*message, field).empty()) {
      reflection->SetString(message, field, std::string(kRedacted));
    }
  }
}

}  // namespace sluice::config::detail
