#pragma once
// Helpers shared by the config tests: loading inline YAML with a fake environment, reading
// errors, and temporary files.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config/loader.h"

namespace sluice::config::testing {

inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline LoadOptions options_with(EnvLookup env) {
  LoadOptions options;
  options.env = std::move(env);
  return options;
}

// Loads `yaml` as "test.yaml" with an empty environment unless `options` gives one.
inline LoadResult load(std::string_view yaml, LoadOptions options = options_with(env_of({}))) {
  return load_text(yaml, "test.yaml", options);
}

inline LoadResult load_env(std::string_view yaml, std::map<std::string, std::string> vars) {
  return load(yaml, options_with(env_of(std::move(vars))));
}

// All errors, one formatted diagnostic per line, for failure messages.
inline std::string errors_of(const LoadResult& result) {
  std::string out;
  for (const Diagnostic& error : result.errors) out += error.format() + "\n";
  return out;
}

// Asserts the load failed with exactly one error and returns it.
inline Diagnostic only_error(const LoadResult& result) {
  EXPECT_EQ(result.config, nullptr);
  EXPECT_EQ(result.errors.size(), 1u) << errors_of(result);
  return result.errors.empty() ? Diagnostic{} : result.errors.front();
}

// The smallest valid config; tests append to it.
inline constexpr std::string_view kMinimal =
    "listeners:\n"
    "  - port: 8080\n"
    "chains:\n"
    "  - name: main\n";

// A folder of this test process's own (ctest runs tests in parallel processes), removed with
// what is in it when the process exits.
inline const std::filesystem::path& temp_folder() {
  struct Folder {
    std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                                 ("sluice-config-test-" + std::to_string(::getpid()));
    Folder() { std::filesystem::create_directories(path); }
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Folder folder;
  return folder.path;
}

// Writes `content` to `name` in temp_folder() (replacing it) and returns its path.
inline std::string write_temp_file(const std::string& name, const std::string& content) {
  const std::string path = (temp_folder() / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path;
}

}  // namespace sluice::config::testing
