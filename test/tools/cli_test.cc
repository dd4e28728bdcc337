// The fake-llm binary: the single "listening" line, serving, and exit 0 on SIGTERM. Skipped when
// the binary is not next to the test binary (it is built into the same bin folder).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "test/tools/support.h"

namespace fake_llm::test {
namespace {

std::string binary_path() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "fake-llm").string();
}

TEST(Cli, PrintsOneListeningLineServesAndExitsZeroOnSigterm) {
  const std::string binary = binary_path();
  ASSERT_TRUE(std::filesystem::exists(binary)) << "no fake-llm binary at " << binary;
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    execl(binary.c_str(), binary.c_str(), "--port", "0", "--workers", "2", "--embedding-dim=3",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(out[1]);
  FILE* stream = fdopen(out[0], "r");
  char line[256] = {0};
  ASSERT_NE(fgets(line, sizeof(line), stream), nullptr);
  const std::string text = line;
  ASSERT_EQ(text.rfind("listening 127.0.0.1:", 0), 0u) << text;
  ASSERT_EQ(text.back(), '\n');
  const int port = std::stoi(text.substr(std::string("listening 127.0.0.1:").size()));
  ASSERT_GT(port, 0);

  const auto response =
      post(static_cast<uint16_t>(port), "/v1/embeddings", R"({"model":"m","input":"x"})");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(json(response.body)["data"][0]["embedding"].Size(), 3u);

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  char rest[64];
  EXPECT_EQ(fgets(rest, sizeof(rest), stream), nullptr) << "exactly one line on stdout";
  fclose(stream);
}

TEST(Cli, RejectsBadOptions) {
  const std::string binary = binary_path();
  ASSERT_TRUE(std::filesystem::exists(binary)) << "no fake-llm binary at " << binary;
  // An empty key file (/dev/null) would leave Vertex AI tokens unchecked: refused too.
  for (const char* bad : {"--workers=0", "--port=70000", "--bogus", "--embedding-dim=0",
                          "--google-public-key=/dev/null", "--google-public-key=/nonexistent"}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      freopen("/dev/null", "w", stderr);
      execl(binary.c_str(), binary.c_str(), bad, static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << bad;
  }
}

}  // namespace
}  // namespace fake_llm::test
