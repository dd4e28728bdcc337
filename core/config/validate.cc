// Semantic rules over the defaulted Bootstrap; see validate.h.

#include "core/config/validate.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "core/config/defaults.h"
#include "core/config/schema_check.h"

namespace sluice::config::detail {

namespace v1 = sluice::config::v1;

namespace {

constexpr uint32_t kMaxWorkers = 256;
// Spinning longer than this after I/O buys no latency (a wake-up costs ~100 us) and wastes a core.
constexpr uint32_t kMaxBusyPollUs = 10000;
constexpr uint64_t kMaxDrainTimeoutMs = 24ull * 60 * 60 * 1000;

struct Endpoint {
  int family = 0;
  unsigned char bytes[16] = {};
  bool wildcard = false;
};

std::optional<Endpoint> parse_endpoint(std::string_view address) {
  const std::string text = address == "localhost" ? "127.0.0.1" : std::string(address);
  Endpoint out;
  if (inet_pton(AF_INET, text.c_str(), out.bytes) == 1) {
    out.family = AF_INET;
    out.wildcard = std::memcmp(out.bytes, "\0\0\0\0", 4) == 0;
    return out;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.bytes) == 1) {
    static const unsigned char kZero[16] = {};
    out.family = AF_INET6;
    out.wildcard = std::memcmp(out.bytes, kZero, 16) == 0;
    return out;
  }
  return std::nullopt;
}

// Two binds to the same port conflict when their addresses are equal or one is the wildcard of
// the same family.
bool overlaps(const Endpoint& a, const Endpoint& b) {
  if (a.family != b.family) return false;
  return a.wildcard || b.wildcard || std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0;
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

std::string indexed(std::string_view base, int index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

bool is_upper_token(std::string_view method) {
  if (method.empty()) return false;
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  for (char c : method) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    kSymbols.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool is_filter_type(std::string_view type) {
  if (type.empty()) return false;
  for (char c : type) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class Validator {
 public:
  explicit Validator(const ValidationContext& context) : context_(context) {}

  std::vector<Diagnostic> run(const v1::Bootstrap& b) {
    listeners(b);
    if (b.workers() > kMaxWorkers) {
      error("workers", "workers must be at most " + std::to_string(kMaxWorkers) + ", got " +
                           std::to_string(b.workers()));
    }
    if (b.busy_poll_us() > kMaxBusyPollUs) {
      error("busy_poll_us", "busy_poll_us must be at most " + std::to_string(kMaxBusyPollUs) +
                                " (10 ms), got " + std::to_string(b.busy_poll_us()));
    }
    for (const LimitRule& rule : limit_rules()) {
      const uint64_t value = get_limit(b.limits(), rule.field);
      if (value < rule.min || value > rule.max) {
        error("limits." + std::string(rule.field),
              std::string(rule.field) + " must be " + std::to_string(rule.min) + ".." +
                  std::to_string(rule.max) + " (" + std::string(rule.range_text) + "), got " +
                  std::to_string(value));
      }
    }
    admin(b);
    if (b.drain_timeout_ms() > kMaxDrainTimeoutMs) {
      error("drain_timeout_ms", "drain_timeout_ms must be at most " +
                                    std::to_string(kMaxDrainTimeoutMs) + " (24 h), got " +
                                    std::to_string(b.drain_timeout_ms()));
    }
    const std::string& level = b.logging().level();
    if (level != "debug" && level != "info" && level != "warn" && level != "error") {
      error("logging.level", "level must be one of debug, info, warn, error; got " + quoted(level));
    }
    stores(b.stores());
    providers(b);
    models(b);
    chains(b);
    return std::move(errors_);
  }

 private:
  void error(const std::string& path, std::string message) {
    errors_.push_back(Diagnostic{context_.file, context_.line_of(path), path, std::move(message)});
  }

  void check_port(const std::string& path, uint32_t port, const char* origin) {
    if (port == 0) {
      error(path, std::string("port is required (1..65535)") + origin);
    } else if (port > 65535) {
      error(path, "port must be 1..65535, got " + std::to_string(port) + origin);
    }
  }

  void check_address(const std::string& path, std::string_view address, const char* origin) {
    if (!is_valid_address(address)) {
      error(path, quoted(address) +
                      " is not an IPv4 or IPv6 address (host names are not resolved; "
                      "'localhost' is the only one accepted)" +
                      origin);
    }
  }

  void listeners(const v1::Bootstrap& b) {
    if (b.listeners_size() == 0) {
      error("listeners", "at least one listener is required");
      return;
    }
    std::map<std::string, int> names;
    for (int i = 0; i < b.listeners_size(); ++i) {
      const v1::Listener& listener = b.listeners(i);
      const std::string path = indexed("listeners", i);
      const bool first = i == 0;
      check_port(path + ".port", listener.port(),
                 first && context_.port_from_command_line ? " (set by --port)" : "");
      check_address(path + ".address", listener.address(),
                    first && context_.host_from_command_line ? " (set by --host)" : "");
      if (auto [it, inserted] = names.emplace(listener.name(), i); !inserted) {
        error(path + ".name", "listener name " + quoted(listener.name()) + " is already used by " +
                                  indexed("listeners", it->second));
      }
      const auto endpoint = parse_endpoint(listener.address());
      for (int j = 0; j < i && endpoint && listener.port() != 0; ++j) {
        const v1::Listener& other = b.listeners(j);
        const auto other_endpoint = parse_endpoint(other.address());
        if (other_endpoint && other.port() == listener.port() &&
            overlaps(*endpoint, *other_endpoint)) {
          error(path, indexed("listeners", j) + " (" + other.address() + ":" +
                          std::to_string(other.port()) + ") and " + path + " (" +
                          listener.address() + ":" + std::to_string(listener.port()) +
                          ") bind the same address and port");
          break;
        }
      }
      if (listener.has_tls()) tls(path + ".tls", listener.tls());
    }
  }

  void tls(const std::string& path, const v1::Tls& tls) {
    const std::pair<const char*, const std::string*> files[] = {{"cert_file", &tls.cert_file()},
                                                                {"key_file", &tls.key_file()}};
    for (const auto& [name, file] : files) {
      const std::string field_path = path + "." + name;
      if (file->empty()) {
        error(field_path, std::string(name) + " is required when tls is set");
        continue;
      }
      std::FILE* f = std::fopen(file->c_str(), "rb");
      if (f == nullptr) {
        error(field_path, "cannot read " + quoted(*file) + ": " + std::strerror(errno));
        continue;
      }
      struct stat info {};
      const bool regular = ::fstat(fileno(f), &info) == 0 && S_ISREG(info.st_mode);
      std::fclose(f);
      if (!regular) error(field_path, "cannot read " + quoted(*file) + ": not a regular file");
    }
    if (tls.min_version() != "1.2" && tls.min_version() != "1.3") {
      error(path + ".min_version",
            "min_version must be \"1.2\" or \"1.3\", got " + quoted(tls.min_version()));
    }
  }

  void admin(const v1::Bootstrap& b) {
    const v1::Admin& admin = b.admin();
    if (admin.disabled()) return;
    check_port("admin.port", admin.port(), "");
    check_address("admin.address", admin.address(), "");
    const auto endpoint = parse_endpoint(admin.address());
    if (!endpoint) return;
    for (int i = 0; i < b.listeners_size(); ++i) {
      const auto other = parse_endpoint(b.listeners(i).address());
      if (other && b.listeners(i).port() == admin.port() && overlaps(*endpoint, *other)) {
        error("admin.port", "admin (" + admin.address() + ":" + std::to_string(admin.port()) +
                                ") binds the same address and port as " + indexed("listeners", i) +
                                " (" + b.listeners(i).address() + ":" +
                                std::to_string(b.listeners(i).port()) +
                                "); give admin another port, or set admin.disabled");
      }
    }
  }

  void stores(const v1::Stores& stores) {
    if (stores.sql().has_postgres() && stores.sql().postgres().dsn().empty()) {
      error("stores.sql.postgres.dsn", "dsn is required for a postgres store");
    }
    if (stores.kv().has_redis() && stores.kv().redis().url().empty()) {
      error("stores.kv.redis.url", "url is required for a redis store");
    }
  }

  void providers(const v1::Bootstrap& b) {
    std::map<std::string, int> names;
    for (int i = 0; i < b.providers_size(); ++i) {
      const v1::Provider& provider = b.providers(i);
      const std::string path = indexed("providers", i);
      if (provider.name().empty()) {
        error(path + ".name", "name is required");
      } else if (auto [it, inserted] = names.emplace(provider.name(), i); !inserted) {
        error(path + ".name", "provider name " + quoted(provider.name()) + " is already used by " +
                                  indexed("providers", it->second));
      }
      if (provider.type().empty()) {
        error(path + ".type", "type is required (openai, azure, anthropic, ...)");
      }
    }
  }

  void models(const v1::Bootstrap& b) {
    std::map<std::string, int> providers;
    for (int i = 0; i < b.providers_size(); ++i) providers.emplace(b.providers(i).name(), i);
    std::map<std::string, int> names;
    for (int i = 0; i < b.models_size(); ++i) {
      const v1::Model& model = b.models(i);
      const std::string path = indexed("models", i);
      if (model.name().empty()) {
        error(path + ".name", "name is required");
      } else if (auto [it, inserted] = names.emplace(model.name(), i); !inserted) {
        error(path + ".name", "model name " + quoted(model.name()) + " is already used by " +
                                  indexed("models", it->second));
      }
      if (model.deployments_size() == 0) {
        error(path + ".deployments", "a model needs at least one deployment");
      }
      for (int d = 0; d < model.deployments_size(); ++d) {
        const v1::Deployment& deployment = model.deployments(d);
        const std::string dpath = indexed(path + ".deployments", d);
        if (deployment.provider().empty()) {
          error(dpath + ".provider", "provider is required");
        } else if (!providers.contains(deployment.provider())) {
          std::string message = "unknown provider " + quoted(deployment.provider());
          std::string known;
          for (const auto& [name, index] : providers) {
            if (edit_distance(name, deployment.provider()) <= 2) {
              message += "; did you mean " + quoted(name) + "?";
              known.clear();
              break;
            }
            known += (known.empty() ? "" : ", ") + name;
          }
          if (providers.empty()) message += "; no providers are defined";
          if (!known.empty()) message += "; defined providers: " + known;
          error(dpath + ".provider", message);
        }
        if (deployment.weight() < 1) error(dpath + ".weight", "weight must be at least 1");
      }
    }
  }

  void chains(const v1::Bootstrap& b) {
    if (b.chains_size() == 0) {
      error("chains", "at least one chain is required");
      return;
    }
    std::map<std::string, int> names;
    for (int c = 0; c < b.chains_size(); ++c) {
      const v1::Chain& chain = b.chains(c);
      const std::string path = indexed("chains", c);
      if (chain.name().empty()) {
        error(path + ".name", "name is required");
      } else if (auto [it, inserted] = names.emplace(chain.name(), c); !inserted) {
        error(path + ".name", "chain name " + quoted(chain.name()) + " is already used by " +
                                  indexed("chains", it->second));
      }
      if (chain.match().path_prefix().empty() || chain.match().path_prefix()[0] != '/') {
        error(path + ".match.path_prefix",
              "path_prefix must start with '/', got " + quoted(chain.match().path_prefix()));
      }
      for (int m = 0; m < chain.match().methods_size(); ++m) {
        const std::string& method = chain.match().methods(m);
        if (!is_upper_token(method)) {
          error(indexed(path + ".match.methods", m),
                "method " + quoted(method) + " is not an upper-case HTTP method (e.g. POST)");
        }
      }
      std::map<std::string, int> instances;
      for (int f = 0; f < chain.filters_size(); ++f) {
        const v1::FilterSpec& filter = chain.filters(f);
        const std::string fpath = indexed(path + ".filters", f);
        if (filter.type().empty()) {
          error(fpath + ".type", "type is required");
        } else if (!is_filter_type(filter.type())) {
          error(fpath + ".type",
                "type " + quoted(filter.type()) + " may only contain a-z, 0-9, '_', '.' and '-'");
        }
        if (filter.name().empty()) continue;
        if (auto [it, inserted] = instances.emplace(filter.name(), f); !inserted) {
          error(fpath + ".name", "filter name " + quoted(filter.name()) + " is already used by " +
                                     indexed(path + ".filters", it->second) +
                                     " (give each instance its own 'name')");
        }
      }
    }
  }

  const ValidationContext& context_;
  std::vector<Diagnostic> errors_;
};

}  // namespace

bool is_valid_address(std::string_view address) {
  return parse_endpoint(address).has_value();
}

std::vector<Diagnostic> validate(const v1::Bootstrap& bootstrap, const ValidationContext& context) {
  return Validator(context).run(bootstrap);
}

}  // namespace sluice::config::detail
