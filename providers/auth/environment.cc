// The environment map and small file reads: see environment.h.

#include "providers/auth/environment.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace sluice::providers::auth {

Environment process_environment() {
  static constexpr const char* kNames[] = {
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_ROLE_ARN",
      "AWS_ROLE_SESSION_NAME",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN",
      "GOOGLE_APPLICATION_CREDENTIALS",
  };
  Environment environment;
  for (const char* name : kNames) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') environment.emplace(name, value);
  }
  return environment;
}

std::string_view lookup(const Environment& environment, std::string_view name) {
  auto it = environment.find(name);
  return it == environment.end() ? std::string_view() : std::string_view(it->second);
}

bool read_small_file(const std::string& path, size_t limit, std::string* contents,
                     std::string* error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    *error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  contents->clear();
  char buffer[4096];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    contents->append(buffer, static_cast<size_t>(file.gcount()));
    if (contents->size() > limit) {
      contents->clear();
      *error = "'" + path + "' is larger than " + std::to_string(limit) + " bytes";
      return false;
    }
  }
  if (file.bad()) {
    contents->clear();
    *error = "cannot read '" + path + "'";
    return false;
  }
  return true;
}

}  // namespace sluice::providers::auth
