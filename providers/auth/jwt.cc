// RS256 JWTs: see jwt.h.

#include "providers/auth/jwt.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "providers/support/json_writer.h"

namespace sluice::providers::auth {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

void write_string(support::JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

}  // namespace

std::unique_ptr<RsaSigner> RsaSigner::from_pem(std::string_view pem, std::string* error) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<EVP_PKEY, KeyDeleter> key;
  if (bio) key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();  // the queue is per thread; leave nothing for the next OpenSSL caller
  if (!key) {
    *error = "is not a PEM private key";
    return nullptr;
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    *error = "is not an RSA key (RS256 needs one)";
    return nullptr;
  }
  return std::make_unique<RsaSigner>(std::move(key));
}

bool RsaSigner::sign(std::string_view data, std::string* signature) const {
  std::unique_ptr<EVP_MD_CTX, MdContextDeleter> context(EVP_MD_CTX_new());
  size_t length = 0;
  bool ok = context &&
            EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
            EVP_DigestSign(context.get(), nullptr, &length,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (ok) {
    signature->resize(length);
    ok = EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature->data()), &length,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    signature->resize(length);
  }
  ERR_clear_error();
  return ok;
}

bool make_jwt(const JwtClaims& claims, const RsaSigner& signer, std::string* jwt) {
  rapidjson::StringBuffer header;
  {
    support::JsonWriter writer(header);
    writer.StartObject();
    writer.Key("alg");
    writer.String("RS256");
    writer.Key("typ");
    writer.String("JWT");
    if (!claims.key_id.empty()) {
      writer.Key("kid");
      write_string(writer, claims.key_id);
    }
    writer.EndObject();
  }
  rapidjson::StringBuffer payload;
  {
    support::JsonWriter writer(payload);
    writer.StartObject();
    writer.Key("iss");
    write_string(writer, claims.issuer);
    writer.Key("scope");
    write_string(writer, claims.scope);
    writer.Key("aud");
    write_string(writer, claims.audience);
    writer.Key("iat");
    writer.Int64(claims.issued_at);
    writer.Key("exp");
    writer.Int64(claims.issued_at + 3600);
    writer.EndObject();
  }
  std::string signing_input = base64url({header.GetString(), header.GetSize()}) + "." +
                              base64url({payload.GetString(), payload.GetSize()});
  std::string signature;
  if (!signer.sign(signing_input, &signature)) return false;
  *jwt = std::move(signing_input) + "." + base64url(signature);
  return true;
}

}  // namespace sluice::providers::auth
