#pragma once
// Process-level test harness: free loopback ports, temp folders, the `sluice` binary as a child
// process (started, signalled, waited for with a bound, killed on teardown no matter what), and
// one-shot CLI runs. Every wait here is bounded; nothing sleeps longer than it must.

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::it {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// The folder holding the test binary; `sluice` and every plugin are built next to it.
std::string bin_dir();
// Path of the `sluice` binary.
std::string sluice_binary();

// A loopback TCP port that was free a moment ago (bound to port 0, read, closed).
uint16_t free_port();

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to path()/name atomically (temp file + rename); returns the full path.
  std::string write(const std::string& name, std::string_view content) const;

 private:
  std::string path_;
};

// Reads a whole file; empty when it cannot be read.
std::string read_file(const std::string& path);

// The result of running a command to completion.
struct CommandResult {
  int exit_code = -1;  // the exit status, or 128 + signal when killed by one
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs `args` (args[0] is the program path) with stdout/stderr captured, killing it after
// `timeout`. `env` entries ("NAME=value") are added to the test's own environment; `unset`
// names are removed from it.
CommandResult run_command(const std::vector<std::string>& args, Millis timeout = 10s,
                          const std::vector<std::string>& env = {},
                          const std::vector<std::string>& unset = {});
// Shorthand: runs the sluice binary with these arguments.
CommandResult run_sluice(const std::vector<std::string>& args, Millis timeout = 10s,
                         const std::vector<std::string>& env = {},
                         const std::vector<std::string>& unset = {});

// `sluice run` as a child process. Its stdout and stderr go to files in `log_dir`.
class SluiceProcess {
 public:
  SluiceProcess() = default;
  ~SluiceProcess();  // SIGKILL and reap if still running
  SluiceProcess(const SluiceProcess&) = delete;
  SluiceProcess& operator=(const SluiceProcess&) = delete;

  // Starts `sluice run -c config_path` and waits (bounded) until `port` accepts connections and,
  // when admin_port is not 0, the admin readiness endpoint answers 200. On failure the result
  // carries the child's stderr.
  // `extra_args` follow "-c FILE" (e.g. "--port", "1234").
  ::testing::AssertionResult start(const std::string& config_path, const std::string& log_dir,
                                   uint16_t port, uint16_t admin_port, Millis timeout = 5s,
                                   const std::vector<std::string>& extra_args = {});

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig) const;
  // Waits for the child to exit; its exit code (128 + signal when killed), or nullopt when it is
  // still running after `timeout`.
  std::optional<int> wait_exit(Millis timeout);
  // Kills (SIGKILL) and reaps the child if it still runs.
  void kill_now();

  std::string stderr_text() const;
  // Waits until stderr contains `needle` (bounded). True when it did.
  bool wait_for_stderr(std::string_view needle, Millis timeout) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string stderr_path_;
};

// A complete test server: its own temp folder, ports and config file, and the process.
struct ServerConfig {
  int workers = 1;
  // Lines under `limits:` (each "key: value"), empty for the defaults.
  std::vector<std::string> limits;
  // The `chains:` list as YAML (list items at column 2), required.
  std::string chains;
  // Extra top-level YAML appended as is (providers, drain_timeout_ms, plugin_dir, ...).
  std::string extra;
  // The main listener's `tls:` block, as "cert_file: ..." style lines; empty for plain HTTP.
  std::vector<std::string> tls;
};

class TestServer {
 public:
  TestServer();
  // The YAML config for `config` with this server's ports.
  std::string render(const ServerConfig& config) const;
  // Writes the config (to config.yaml in the temp folder) without starting anything.
  void write_config(const ServerConfig& config);
  void write_config_text(std::string_view yaml);
  // Writes the config and starts the process.
  ::testing::AssertionResult start(const ServerConfig& config, Millis timeout = 5s);

  uint16_t port = 0;
  uint16_t admin_port = 0;
  TempDir dir;
  std::string config_path;
  SluiceProcess process;
};

// A YAML single-quoted scalar for `text` (quotes doubled).
std::string yaml_quote(std::string_view text);

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
template <typename Fn>
bool eventually(Fn&& condition, Millis timeout, Millis every = 10ms);

}  // namespace sluice::it

#include <thread>

namespace sluice::it {

template <typename Fn>
bool eventually(Fn&& condition, Millis timeout, Millis every) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace sluice::it
