#pragma once
// YAML text -> detail::JsonNode: YAML 1.2 core-schema typing of scalars, variable expansion,
// duplicate keys, the size / depth / alias-expansion bounds, and the line of every value.
// Internal to core/config.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/json_tree.h"
#include "core/config/loader.h"

namespace sluice::config::detail {

inline constexpr size_t kMaxConfigBytes = 16u * 1024 * 1024;
// Nesting of mappings and lists; the document's top-level mapping is depth 1.
inline constexpr int kMaxDepth = 64;
// Values (scalars, nulls, lists, mappings; keys excluded), each alias counted as a copy of what it
// names: bounds memory and time, including for "billion laughs" documents.
inline constexpr size_t kMaxValues = 200000;

struct YamlLimits {
  size_t max_bytes = kMaxConfigBytes;
  int max_depth = kMaxDepth;
  size_t max_values = kMaxValues;
};

// "(root)" for the empty path.
std::string display_path(std::string_view path);

// Types a plain (unquoted, untagged) scalar by the YAML 1.2 core schema: null, bool, int
// (decimal, 0o octal, 0x hex), float (.inf / .nan become the strings "Infinity", "-Infinity",
// "NaN"), else string. `source` and `text` of the result are set; `line` is not.
JsonNode resolve_plain_scalar(std::string_view text);

// An os.environ/VAR scalar whose VAR is unset, left empty instead of being an error.
struct UnsetVariable {
  std::string path;  // YAML path of the scalar, as in Diagnostic::path ("router_settings.x")
  int line = 0;
  std::string name;  // VAR
};

// Converts the single YAML document in `text` into `out`. Every problem is appended to `errors`
// (in document order). Returns false when the tree is unusable (syntax error, a bound exceeded,
// empty document, several documents); true otherwise, even when errors such as an unset
// variable or a duplicate key (the first one is kept) were recorded.
// When `unset_os_environ` is not null, an os.environ/VAR scalar whose VAR is unset is no error:
// its value is the empty string and it is appended there (LiteLLM files, see litellm.h).
bool yaml_to_json(std::string_view text, const std::string& file, const EnvLookup& env,
                  JsonNode* out, std::vector<Diagnostic>* errors, const YamlLimits& limits = {},
                  std::vector<UnsetVariable>* unset_os_environ = nullptr);

}  // namespace sluice::config::detail
