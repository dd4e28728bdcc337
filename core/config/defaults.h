#pragma once
// The defaults the bootstrap.proto comments promise, applied to a parsed Bootstrap, and the
// table of Limits fields (default and sane range) shared with validation. Internal to
// core/config.

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "sluice/config/v1/bootstrap.pb.h"

namespace sluice::config::detail {

inline constexpr std::string_view kDefaultAddress = "127.0.0.1";
inline constexpr uint32_t kDefaultAdminPort = 9901;
inline constexpr uint32_t kDefaultDrainTimeoutMs = 30000;
inline constexpr std::string_view kDefaultLogLevel = "info";
inline constexpr std::string_view kDefaultSqlitePath = "sluice.db";
inline constexpr std::string_view kDefaultTlsMinVersion = "1.2";
inline constexpr std::string_view kDefaultPathPrefix = "/";
inline constexpr uint32_t kDefaultWeight = 1;

// One Limits field: its proto name, default and accepted range (inclusive).
struct LimitRule {
  std::string_view field;
  uint64_t default_value;
  uint64_t min;
  uint64_t max;
  std::string_view range_text;  // the range for people, e.g. "1 KiB..1 MiB"
};
std::span<const LimitRule> limit_rules();

// Reads / writes a Limits field by name (all are uint32 or uint64).
uint64_t get_limit(const sluice::config::v1::Limits& limits, std::string_view field);
void set_limit(sluice::config::v1::Limits* limits, std::string_view field, uint64_t value);

// Whether the file gave a value to the field at a canonical path such as
// "limits.max_header_bytes" or "models[0].deployments[1].weight".
using PresentFn = std::function<bool(std::string_view path)>;

// Numeric defaults apply only where the file left the field out, so an explicit 0 stays and is
// then rejected by validation (except `workers: 0`, which means "one per core"). String defaults
// apply where the value is empty.
void apply_defaults(sluice::config::v1::Bootstrap* bootstrap, const PresentFn& present);

}  // namespace sluice::config::detail
