#pragma once
// Finds filter types in plugin shared objects: dlopen(RTLD_NOW | RTLD_LOCAL), the ABI version
// check, and a normalised copy of each filter descriptor (hooks past the plugin's struct_size read
// as NULL, so an older plugin never has fields read beyond what it was compiled with).
//
// Libraries stay loaded for the life of the process: a plugin may register global state
// (protobuf descriptors, atexit handlers) that does not survive dlclose, and reloads reuse the
// handle. Thread-safety: use from the control thread only.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <sluice/filter.h>

namespace sluice::runtime {

// One filter type as the host uses it.
struct FilterType {
  sluice_filter hooks{};  // zero-filled past the plugin's struct_size
  std::string type_name;
  std::string library_path;
  uint32_t plugin_abi_minor = 0;
  bool is_router() const { return hooks.on_attempt_done != nullptr; }
};

class PluginCatalog {
 public:
  // plugin_dir: where `lib<type>.so` is looked for when a filter names no library.
  explicit PluginCatalog(std::string plugin_dir);
  ~PluginCatalog();

  // The filter type `type`, from `library` when not empty, else from <plugin_dir>/lib<type>.so.
  // nullptr with *error set when the library cannot be loaded, is refused, or lacks the type.
  const FilterType* find(std::string_view type, std::string_view library, std::string* error);

  const std::string& plugin_dir() const { return plugin_dir_; }

 private:
  struct Library;
  const Library* load(const std::string& path, std::string* error);

  std::string plugin_dir_;
  std::map<std::string, std::unique_ptr<Library>> libraries_;  // by resolved path
};

// The folder that holds the running executable (for the default plugin_dir).
std::string executable_dir();

}  // namespace sluice::runtime
