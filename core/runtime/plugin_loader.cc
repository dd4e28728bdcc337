// PluginCatalog: loading plugin shared objects and checking their ABI version.

#include "core/runtime/plugin_loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/runtime/host_api.h"

namespace sluice::runtime {

struct PluginCatalog::Library {
  std::string path;
  std::string name;
  std::vector<std::unique_ptr<FilterType>> types;
};

namespace {

std::string real_path(const std::string& path) {
  char buffer[PATH_MAX];
  if (realpath(path.c_str(), buffer)) return buffer;
  return path;
}

}  // namespace

std::string executable_dir() {
  char buffer[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0) return ".";
  std::string path(buffer, static_cast<size_t>(n));
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

PluginCatalog::PluginCatalog(std::string plugin_dir) : plugin_dir_(std::move(plugin_dir)) {
  if (plugin_dir_.empty()) plugin_dir_ = executable_dir();
}

PluginCatalog::~PluginCatalog() = default;

const PluginCatalog::Library* PluginCatalog::load(const std::string& requested,
                                                  std::string* error) {
  std::string path = real_path(requested);
  if (auto it = libraries_.find(path); it != libraries_.end()) return it->second.get();

  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    *error = fmt::format("cannot load plugin {}: {}", requested, why ? why : "unknown error");
    return nullptr;
  }
  // From here the handle is never closed (see the header), even on refusal: dlclose of a library
  // whose constructors already ran is not safe in general.
  using Entry = const sluice_plugin* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "sluice_plugin_entry"));
  if (!entry) {
    *error = fmt::format("{} is not a sluice plugin: it exports no sluice_plugin_entry", requested);
    return nullptr;
  }
  const sluice_plugin* plugin = entry();
  if (!plugin) {
    *error = fmt::format("{}: sluice_plugin_entry returned NULL", requested);
    return nullptr;
  }
  if (plugin->abi_major != SLUICE_ABI_MAJOR || plugin->abi_minor > SLUICE_ABI_MINOR) {
    *error = fmt::format(
        "plugin {} was built for sluice filter ABI {}.{}, but this host provides ABI {}.{}; "
        "rebuild it against this host's sluice/filter.h",
        requested, plugin->abi_major, plugin->abi_minor, SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR);
    return nullptr;
  }
  if (plugin->struct_size < offsetof(sluice_plugin, filter_count) + sizeof(size_t)) {
    *error =
        fmt::format("plugin {}: descriptor too small ({} bytes)", requested, plugin->struct_size);
    return nullptr;
  }
  if (plugin->init) {
    char message[512] = {0};
    if (!plugin->init(host_api(), message, sizeof(message))) {
      *error = fmt::format("plugin {} refused to start: {}", requested,
                           message[0] ? message : "init failed");
      return nullptr;
    }
  }

  auto library = std::make_unique<Library>();
  library->path = path;
  library->name = plugin->name ? plugin->name : path;
  for (size_t i = 0; i < plugin->filter_count; ++i) {
    const sluice_filter* filter = plugin->filters ? plugin->filters[i] : nullptr;
    if (!filter || !filter->type_name ||
        filter->struct_size < offsetof(sluice_filter, config_new)) {
      *error = fmt::format("plugin {}: filter descriptor {} is invalid", requested, i);
      return nullptr;
    }
    auto type = std::make_unique<FilterType>();
    std::memcpy(&type->hooks, filter, std::min<size_t>(filter->struct_size, sizeof(sluice_filter)));
    type->type_name = filter->type_name;
    type->library_path = path;
    type->plugin_abi_minor = plugin->abi_minor;
    library->types.push_back(std::move(type));
  }
  return libraries_.emplace(path, std::move(library)).first->second.get();
}

const FilterType* PluginCatalog::find(std::string_view type, std::string_view library,
                                      std::string* error) {
  // A relative `library:` is found in plugin_dir, like a type name, never in the working folder
  // or dlopen's search path.
  std::string path = library.empty()          ? fmt::format("{}/lib{}.so", plugin_dir_, type)
                     : library.front() == '/' ? std::string(library)
                                              : fmt::format("{}/{}", plugin_dir_, library);
  if (library.empty() && access(path.c_str(), F_OK) != 0) {
    *error = fmt::format(
        "no plugin provides filter type '{}' (looked for {}; set `library:` or "
        "plugin_dir)",
        type, path);
    return nullptr;
  }
  const Library* loaded = load(path, error);
  if (!loaded) return nullptr;
  for (const auto& candidate : loaded->types) {
    if (candidate->type_name == type) return candidate.get();
  }
  std::string offered;
  for (const auto& candidate : loaded->types) {
    offered += (offered.empty() ? "" : ", ") + candidate->type_name;
  }
  *error = fmt::format("plugin {} has no filter type '{}' (it provides: {})", path, type,
                       offered.empty() ? "none" : offered);
  return nullptr;
}

}  // namespace sluice::runtime
