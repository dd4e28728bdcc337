#pragma once
// Verification of the RS256 JWT a Google service account signs to ask for an access token
// (RFC 7523 jwt-bearer grant): the header must say RS256, the signature must verify against the
// configured RSA public key with OpenSSL, and the claims must hold iss, scope, an accepted aud,
// and iat / exp no more than an hour apart with now between them. Failures come back the way
// Google's token endpoint words them (error invalid_grant / invalid_scope, error_description).
//
// PublicKey owns an OpenSSL key; verifying with it from several threads at once is safe (each
// call makes its own verification context).

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fake_llm {

struct PublicKeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PublicKey = std::unique_ptr<EVP_PKEY, PublicKeyFree>;

// Reads an RSA public key (a "PUBLIC KEY" PEM, or the key of a "CERTIFICATE" PEM). Null with
// *error when the text holds neither or the key is not RSA.
PublicKey load_rsa_public_key(std::string_view pem, std::string* error);

struct OAuthError {
  std::string error;        // "invalid_grant", "invalid_scope", ...
  std::string description;  // error_description
};

// Checks `assertion` as described above. `key` null: the signature is not checked (fake-llm was
// started without --google-public-key). False with *error on the first problem found.
bool verify_service_account_jwt(std::string_view assertion, EVP_PKEY* key,
                                const std::vector<std::string>& audiences, int64_t now_s,
                                OAuthError* error);

// Decodes unpadded base64url (padding tolerated). False on any other character.
bool base64url_decode(std::string_view text, std::string* out);

}  // namespace fake_llm
