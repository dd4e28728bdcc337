// log: config parsing (unknown fields rejected), path checks, metrics and the writer thread.

#include "filters/log/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "filters/common/proto_config.h"
#include "filters/log/log.pb.h"

namespace sluice::filters::log {
namespace {

// Whether the log file can be appended to (or created), without opening it: opening could block
// (a FIFO) and config_new runs on the control thread.
bool check_path(const std::string& path, std::string& error) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) {
      error = "path: " + path + " is a directory";
      return false;
    }
    if (::access(path.c_str(), W_OK) != 0) {
      error = "path: " + path + " is not writable: " + std::strerror(errno);
      return false;
    }
    return true;
  }
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::access(dir.c_str(), W_OK) != 0) {
    error = "path: cannot create " + path + " in " + dir + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<Config> Config::create(ConfigContext& context, std::string_view json,
                                       std::string& error) {
  v1::Log proto;
  if (!common::parse_proto_config(json, &proto, error)) return nullptr;
  auto config = std::make_unique<Config>();
  config->path = proto.path();
  if (proto.max_queued_lines()) config->max_queued_lines = proto.max_queued_lines();
  if (config->max_queued_lines > kMaxQueue) {
    error = "max_queued_lines must be at most " + std::to_string(kMaxQueue) + ", got " +
            std::to_string(config->max_queued_lines);
    return nullptr;
  }
  if (proto.has_flush_interval_ms()) config->flush_interval_ms = proto.flush_interval_ms();
  if (config->flush_interval_ms > kMaxFlushIntervalMs) {
    error = "flush_interval_ms must be at most " + std::to_string(kMaxFlushIntervalMs) + ", got " +
            std::to_string(config->flush_interval_ms);
    return nullptr;
  }
  if (!config->path.empty() && !check_path(config->path, error)) return nullptr;

  // The filter's metrics, all declared here.
  LineWriter::Options options;
  options.dropped = context.metric(SLUICE_COUNTER, "log_dropped_lines_total",
                                   "Access-log lines dropped because the writer queue was full");
  options.write_errors =
      context.metric(SLUICE_COUNTER, "log_write_errors_total",
                     "Access-log lines lost because the log file could not be opened or written");
  options.path = config->path;
  options.capacity = config->max_queued_lines;
  options.flush_interval_ms = config->flush_interval_ms;
  options.api = context.api();
  options.config = context.handle();
  config->writer = std::make_unique<LineWriter>(std::move(options));
  return config;
}

}  // namespace sluice::filters::log
