#pragma once
// Environment variable expansion in YAML string scalars:
//   ${VAR}            VAR's value; an error when VAR is unset
//   ${VAR:-default}   VAR's value, or `default` (itself expanded) when VAR is unset or empty
//   $${               a literal "${"
//   os.environ/VAR    (the whole scalar, LiteLLM's form) VAR's value; an error when unset, unless
//                     the caller tolerates it (UnsetOsEnviron::kEmpty, used for LiteLLM files)
// Internal to core/config.

#include <string>
#include <string_view>
#include <vector>

#include "core/config/loader.h"

namespace sluice::config::detail {

// What an unset VAR in the os.environ/VAR form gives.
enum class UnsetOsEnviron {
  kError,  // an error, like ${VAR} (sluice files)
  kEmpty,  // an empty value, the name reported in Expansion::unset_os_environ (LiteLLM files:
           // LiteLLM reads these variables only when the value is used)
};

struct Expansion {
  std::string value;
  // True when any of the forms above was present: the result is then always a string.
  bool expanded = false;
  // One message per problem. Messages name variables, never their values.
  std::vector<std::string> errors;
  // UnsetOsEnviron::kEmpty only: the VAR of an os.environ/VAR scalar whose VAR is unset.
  std::string unset_os_environ;
};

Expansion expand_variables(std::string_view text, const EnvLookup& env,
                           UnsetOsEnviron unset = UnsetOsEnviron::kError);

// [A-Za-z_][A-Za-z0-9_]*
bool is_variable_name(std::string_view name);

}  // namespace sluice::config::detail
