// ${VAR} / ${VAR:-default} / $${ / os.environ/VAR expansion of one scalar.

#include "core/config/env_expand.h"

#include <optional>

namespace sluice::config::detail {
namespace {

constexpr std::string_view kOsEnviron = "os.environ/";

bool is_name_start(char c) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

// Index of the '}' closing a "${" whose body starts at `from`, counting nested "${"; npos when
// there is none.
size_t find_closing(std::string_view text, size_t from) {
  int depth = 1;
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (text[i] == '}') {
      if (--depth == 0) return i;
    }
  }
  return std::string_view::npos;
}

void expand_into(std::string_view text, const EnvLookup& env, Expansion& out, int depth) {
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out.value += "${";
      out.expanded = true;
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out.value.push_back(text[i++]);
      continue;
    }
    out.expanded = true;
    const size_t close = find_closing(text, i + 2);
    if (close == std::string_view::npos) {
      out.errors.push_back(
          "unterminated '${' (close it with '}', or write '$${' for a literal '${')");
      return;
    }
    const std::string_view body = text.substr(i + 2, close - i - 2);
    i = close + 1;
    const size_t sep = body.find(":-");
    const std::string_view name = body.substr(0, sep);
    if (!is_variable_name(name)) {
      out.errors.push_back("invalid variable name '" + std::string(name) +
                           "' in '${...}' (letters, digits and '_', not starting with a digit)");
      continue;
    }
    std::optional<std::string> value = env(name);
    if (sep != std::string_view::npos && (!value || value->empty())) {
      if (depth >= 8) {
        out.errors.push_back("default of '${" + std::string(name) + ":-...}' nests too deeply");
        continue;
      }
      expand_into(body.substr(sep + 2), env, out, depth + 1);
      continue;
    }
    if (!value) {
      out.errors.push_back("environment variable '" + std::string(name) +
                           "' is not set (write '${" + std::string(name) +
                           ":-default}' to give a default)");
      continue;
    }
    out.value += *value;
  }
}

}  // namespace

bool is_variable_name(std::string_view name) {
  if (name.empty() || !is_name_start(name[0])) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

Expansion expand_variables(std::string_view text, const EnvLookup& env, UnsetOsEnviron unset) {
  Expansion out;
  if (text.substr(0, kOsEnviron.size()) == kOsEnviron) {
    out.expanded = true;
    const std::string_view name = text.substr(kOsEnviron.size());
    if (!is_variable_name(name)) {
      out.errors.push_back("invalid variable name '" + std::string(name) + "' after 'os.environ/'");
      return out;
    }
    std::optional<std::string> value = env(name);
    if (!value && unset == UnsetOsEnviron::kEmpty) {
      out.unset_os_environ = std::string(name);
      return out;
    }
    if (!value) {
      out.errors.push_back("environment variable '" + std::string(name) +
                           "' is not set (os.environ/" + std::string(name) + ")");
      return out;
    }
    out.value = std::move(*value);
    return out;
  }
  expand_into(text, env, out, 0);
  return out;
}

}  // namespace sluice::config::detail
