// Process-level test harness (see harness.h).

#include "test/integration/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "test/integration/http_client.h"

extern char** environ;

namespace sluice::it {
namespace {

// The environment for a child: ours, minus `unset`, plus `env` (which replaces same names).
std::vector<std::string> child_environment(const std::vector<std::string>& env,
                                           const std::vector<std::string>& unset) {
  std::set<std::string> drop(unset.begin(), unset.end());
  for (const auto& entry : env) drop.insert(entry.substr(0, entry.find('=')));
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    if (!drop.contains(entry.substr(0, entry.find('=')))) out.push_back(std::move(entry));
  }
  out.insert(out.end(), env.begin(), env.end());
  return out;
}

// Starts `args` with stdout/stderr redirected to the given files. The child dies with the test
// process (PR_SET_PDEATHSIG), so a crashed test never leaves a server behind. -1 on failure.
pid_t spawn(const std::vector<std::string>& args, const std::string& out_path,
            const std::string& err_path, const std::vector<std::string>& environment) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid != 0) return pid;  // parent (or -1)
  // Child: async-signal-safe calls only until exec.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || err < 0 || in < 0) _exit(127);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
  // The test binary may have blocked or ignored signals; the server must start clean.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  execve(argv[0], argv.data(), envp.data());
  _exit(127);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// waitpid with a bound: the exit code, or nullopt while it still runs.
std::optional<int> wait_child(pid_t pid, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_status(status);
    if (r < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

int unique_counter() {
  static std::atomic<int> counter{0};
  return counter.fetch_add(1);
}

}  // namespace

std::string bin_dir() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0) return ".";
  std::string path(buffer, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string sluice_binary() {
  return bin_dir() + "/sluice";
}

uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  uint16_t port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/sluice-it-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) != nullptr) path_ = buffer.data();
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string& name, std::string_view content) const {
  const std::string target = path_ + "/" + name;
  const std::string temp = target + ".tmp" + std::to_string(unique_counter());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  std::filesystem::rename(temp, target);
  return target;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandResult run_command(const std::vector<std::string>& args, Millis timeout,
                          const std::vector<std::string>& env,
                          const std::vector<std::string>& unset) {
  CommandResult result;
  TempDir dir;
  const std::string out_path = dir.path() + "/stdout";
  const std::string err_path = dir.path() + "/stderr";
  const pid_t pid = spawn(args, out_path, err_path, child_environment(env, unset));
  if (pid < 0) {
    result.err = std::string("fork failed: ") + std::strerror(errno);
    return result;
  }
  std::optional<int> code = wait_child(pid, timeout);
  if (!code) {
    result.timed_out = true;
    ::kill(pid, SIGKILL);
    code = wait_child(pid, 5s);
  }
  result.exit_code = code.value_or(-1);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

CommandResult run_sluice(const std::vector<std::string>& args, Millis timeout,
                         const std::vector<std::string>& env,
                         const std::vector<std::string>& unset) {
  std::vector<std::string> full = {sluice_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_command(full, timeout, env, unset);
}

// ---- SluiceProcess ---------------------------------------------------------------------------

SluiceProcess::~SluiceProcess() {
  kill_now();
}

::testing::AssertionResult SluiceProcess::start(const std::string& config_path,
                                                const std::string& log_dir, uint16_t port,
                                                uint16_t admin_port, Millis timeout,
                                                const std::vector<std::string>& extra_args) {
  if (pid_ > 0) return ::testing::AssertionFailure() << "already started";
  stderr_path_ = log_dir + "/sluice.stderr";
  std::vector<std::string> args = {sluice_binary(), "run", "-c", config_path};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(args, log_dir + "/sluice.stdout", stderr_path_, child_environment({}, {}));
  if (pid_ < 0) {
    return ::testing::AssertionFailure() << "fork failed: " << std::strerror(errno);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool port_ready = false;
  bool admin_ready = admin_port == 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) {
      return ::testing::AssertionFailure()
             << "sluice exited with " << exit_code_.value_or(-1) << " before serving; stderr:\n"
             << stderr_text();
    }
    if (!port_ready) port_ready = Client::connect_errno(port, 200ms) == 0;
    if (port_ready && !admin_ready) {
      auto response = admin_get(admin_port, "/health/readiness");
      admin_ready = response && response->status == 200;
    }
    if (port_ready && admin_ready) return ::testing::AssertionSuccess();
    std::this_thread::sleep_for(10ms);
  }
  return ::testing::AssertionFailure()
         << "sluice did not serve on port " << port << (admin_port ? " (admin " : "")
         << (admin_port ? std::to_string(admin_port) + ")" : std::string()) << " within "
         << timeout.count() << " ms; stderr:\n"
         << stderr_text();
}

bool SluiceProcess::running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = decode_status(status);
    return false;
  }
  return r == 0;
}

void SluiceProcess::signal(int sig) const {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

std::optional<int> SluiceProcess::wait_exit(Millis timeout) {
  if (pid_ <= 0) return std::nullopt;
  if (!exit_code_) exit_code_ = wait_child(pid_, timeout);
  return exit_code_;
}

void SluiceProcess::kill_now() {
  if (pid_ <= 0 || exit_code_) return;
  ::kill(pid_, SIGKILL);
  exit_code_ = wait_child(pid_, 5s);
}

std::string SluiceProcess::stderr_text() const {
  return stderr_path_.empty() ? std::string() : read_file(stderr_path_);
}

bool SluiceProcess::wait_for_stderr(std::string_view needle, Millis timeout) const {
  return eventually([&] { return stderr_text().find(needle) != std::string::npos; }, timeout);
}

// ---- TestServer ------------------------------------------------------------------------------

TestServer::TestServer() : port(free_port()), admin_port(free_port()) {
  while (admin_port == port) admin_port = free_port();
  config_path = dir.path() + "/config.yaml";
}

std::string TestServer::render(const ServerConfig& config) const {
  std::string yaml;
  yaml += "listeners:\n";
  yaml += "  - name: main\n";
  yaml += "    address: 127.0.0.1\n";
  yaml += "    port: " + std::to_string(port) + "\n";
  if (!config.tls.empty()) {
    yaml += "    tls:\n";
    for (const auto& line : config.tls) yaml += "      " + line + "\n";
  }
  yaml += "admin:\n";
  yaml += "  address: 127.0.0.1\n";
  yaml += "  port: " + std::to_string(admin_port) + "\n";
  yaml += "workers: " + std::to_string(config.workers) + "\n";
  if (!config.limits.empty()) {
    yaml += "limits:\n";
    for (const auto& line : config.limits) yaml += "  " + line + "\n";
  }
  yaml += "chains:\n";
  yaml += config.chains;
  if (!yaml.empty() && yaml.back() != '\n') yaml += "\n";
  yaml += config.extra;
  return yaml;
}

void TestServer::write_config(const ServerConfig& config) {
  write_config_text(render(config));
}

void TestServer::write_config_text(std::string_view yaml) {
  dir.write("config.yaml", yaml);
}

::testing::AssertionResult TestServer::start(const ServerConfig& config, Millis timeout) {
  if (port == 0 || admin_port == 0 || dir.path().empty()) {
    return ::testing::AssertionFailure() << "no free port or temp folder";
  }
  write_config(config);
  return process.start(config_path, dir.path(), port, admin_port, timeout);
}

std::string yaml_quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += "'";
  return out;
}

}  // namespace sluice::it
