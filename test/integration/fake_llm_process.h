#pragma once
// tools/fake-llm as a child process for process-level tests: started on a free loopback port
// (its request log on), stopped with SIGTERM and reaped on destruction. Its request log is read
// over HTTP (GET /_fake/requests).

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sluice::it {

class FakeLlmProcess {
 public:
  // Starts `fake-llm --port 0` from the test binary's folder; port() is 0 when it did not start.
  FakeLlmProcess();
  ~FakeLlmProcess();
  FakeLlmProcess(const FakeLlmProcess&) = delete;
  FakeLlmProcess& operator=(const FakeLlmProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;
  // The body of GET /_fake/requests (JSON), or "" when it cannot be read.
  std::string request_log() const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace sluice::it
