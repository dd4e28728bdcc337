#pragma once
// Credential masking for everything that prints a configuration: fields carrying the
// (sluice.config.v1.secret) option, and, inside opaque google.protobuf.Struct / Value fields
// (filter configs, provider settings, deployment params), values under keys that look like
// credentials. Internal to core/config.

#include <string_view>

#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>

namespace sluice::config::detail {

inline constexpr std::string_view kRedacted = "<redacted>";

// True when `key`, lower-cased, contains key, secret, token, password, passwd, credential, dsn
// or authorization.
bool is_sensitive_key(std::string_view key);

// Replaces, in place, every non-empty secret field with "<redacted>" and every non-empty value
// under a sensitive key inside Struct / Value fields.
void mask_secrets(google::protobuf::Message* message);

// The same for one opaque value (used for filter configs).
void mask_value(google::protobuf::Value* value);

}  // namespace sluice::config::detail
