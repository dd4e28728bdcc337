// fake-llm as a child process (see fake_llm_process.h).

#include "test/integration/fake_llm_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string_view>

#include "test/integration/harness.h"
#include "test/integration/http_client.h"

namespace sluice::it {

FakeLlmProcess::FakeLlmProcess() {
  const std::string binary = bin_dir() + "/fake-llm";
  int out[2];
  if (::pipe(out) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    if (std::freopen("/dev/null", "w", stderr) == nullptr) _exit(126);
    ::close(out[0]);
    ::close(out[1]);
    ::execl(binary.c_str(), binary.c_str(), "--port", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(out[1]);
  if (pid_ < 0) {
    ::close(out[0]);
    return;
  }
  FILE* stream = ::fdopen(out[0], "r");
  char line[128] = {0};
  constexpr std::string_view kPrefix = "listening 127.0.0.1:";
  if (std::fgets(line, sizeof(line), stream) != nullptr &&
      std::string_view(line).starts_with(kPrefix)) {
    port_ = static_cast<uint16_t>(std::stoi(std::string(line + kPrefix.size())));
  }
  std::fclose(stream);
}

FakeLlmProcess::~FakeLlmProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

std::string FakeLlmProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string FakeLlmProcess::request_log() const {
  std::optional<Response> response = roundtrip(port_, get_request("/_fake/requests"));
  return response && response->status == 200 ? response->body : std::string();
}

}  // namespace sluice::it
