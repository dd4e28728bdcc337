#pragma once
// A Google service account key (the JSON file the Cloud console downloads), read and checked
// once: the fields the OAuth JWT flow needs. Messages name the file and the field at fault,
// never key material. Pure functions but for the file read.

#include <string>
#include <string_view>

namespace sluice::providers::auth {

inline constexpr std::string_view kGoogleTokenUri = "https://oauth2.googleapis.com/token";

struct ServiceAccount {
  std::string client_email;
  std::string private_key_pem;  // checked to be an RSA private key
  std::string private_key_id;   // the JWT's kid; may be empty
  std::string token_uri;        // kGoogleTokenUri when the file has none
};

// `json` read as a service account key; false with *error naming the field.
bool parse_service_account(std::string_view json, ServiceAccount* out, std::string* error);

// The vertex_credentials setting: the JSON itself (it starts with '{'), else a path to it.
bool load_service_account(std::string_view setting, ServiceAccount* out, std::string* error);

}  // namespace sluice::providers::auth
