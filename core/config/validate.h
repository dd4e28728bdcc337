#pragma once
// Semantic validation of a parsed, defaulted Bootstrap: ports, addresses, conflicts, TLS files,
// limits ranges, names, references. Every problem is reported, each with its YAML path and
// line. Internal to core/config.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/loader.h"
#include "sluice/config/v1/bootstrap.pb.h"

namespace sluice::config::detail {

struct ValidationContext {
  std::string file;
  std::function<int(std::string_view path)> line_of;
  bool host_from_command_line = false;  // listeners[0].address came from --host
  bool port_from_command_line = false;  // listeners[0].port came from --port
};

std::vector<Diagnostic> validate(const sluice::config::v1::Bootstrap& bootstrap,
                                 const ValidationContext& context);

// An IPv4 or IPv6 literal (inet_pton), or exactly "localhost".
bool is_valid_address(std::string_view address);

}  // namespace sluice::config::detail
