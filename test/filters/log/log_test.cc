// filters/log: config validation, and the lines a running chain writes: fields, no secrets,
// aborts, stdout, reopening on the host's reopen generation, and the queue bound.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/runtime/host_api.h"
#include "test/filters/filter_test_support.h"

namespace sluice::filters::testing {
namespace {

using runtime::testing::build;

constexpr const char* kRegistry = R"(providers:
  - {name: p0, type: openai_compatible, api_base: "http://d0.test/v1", api_key: provider-secret-key}
models:
  - name: gpt
    deployments:
      - {provider: p0, model: m0}
)";

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The file's lines once it has at least `count` (the writer thread is asynchronous).
std::vector<std::string> wait_lines(const std::string& path, size_t count) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  std::vector<std::string> lines = read_lines(path);
  while (lines.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lines = read_lines(path);
  }
  return lines;
}

// The read end of a FIFO the log writes to. A base placed before FilterTest, so it closes after
// the runtime (and with it the writer thread) is gone: the writer never blocks in open() at
// teardown, nor writes into a FIFO without a reader.
struct FifoReader {
  int fd = -1;
  ~FifoReader() {
    if (fd >= 0) close(fd);
  }
};

class LogTest : private FifoReader, public FilterTest {
 protected:
  LogTest() {
    char pattern[] = "/tmp/sluice-log-test-XXXXXX";
    dir_ = mkdtemp(pattern);
    path_ = dir_ + "/access.log";
  }
  ~LogTest() override {
    if (fd < 0) fd = open(fifo_path().c_str(), O_RDONLY | O_NONBLOCK);  // -1 when there is none
    std::string command = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
  std::string fifo_path() const { return dir_ + "/fifo"; }
  int& fifo_reader() { return fd; }

  std::string chain_yaml(std::string_view log_config) {
    return gateway(kRegistry, filter_item("log", log_config) +
                                  filter_item("route", "backoff_base_ms: 1") +
                                  filter_item("translate"));
  }
  std::string file_config() { return "path: \"" + path_ + "\""; }

  std::string dir_;
  std::string path_;
};

TEST_F(LogTest, ConfigRefusesUnknownFieldsAndUnwritablePaths) {
  auto error_of = [&](const std::string& config) {
    runtime::testing::Built built = build(chain_yaml(config));
    return built.runtime ? std::string("<accepted>") : built.errors_text();
  };
  EXPECT_NE(error_of("format: json").find("format"), std::string::npos);
  EXPECT_NE(error_of("path: \"" + dir_ + "/missing/access.log\"").find("cannot create"),
            std::string::npos);
  EXPECT_NE(error_of("path: \"" + dir_ + "\"").find("is a directory"), std::string::npos);
  EXPECT_NE(error_of("max_queued_lines: 1000001").find("max_queued_lines must be at most"),
            std::string::npos);
  EXPECT_NE(error_of("flush_interval_ms: 10001").find("flush_interval_ms must be at most"),
            std::string::npos);
  EXPECT_EQ(error_of(file_config()), "<accepted>");
  EXPECT_EQ(error_of(""), "<accepted>");
}

TEST_F(LogTest, OneLinePerRequestWithItsFieldsAndNoSecret) {
  ASSERT_TRUE(use(chain_yaml(file_config())));
  transport_->script({status_answer(500), chat_answer("m0", 11, 4)});
  post("/v1/chat/completions",
       R"({"model":"gpt","messages":[{"role":"user","content":"body-text-never-logged"}]})",
       {{"authorization", "Bearer sk-client-secret"}});
  ASSERT_EQ(sink_.head.status, 200);
  finish_exchange();
  std::vector<std::string> lines = wait_lines(path_, 1);
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  rapidjson::Document doc = parse(line);
  ASSERT_FALSE(doc.HasParseError()) << line;
  EXPECT_EQ(json_at(line, "/request_id"), "\"" + sink_.header("x-request-id") + "\"");
  EXPECT_EQ(json_at(line, "/chain"), "\"main\"");
  EXPECT_EQ(json_at(line, "/method"), "\"POST\"");
  EXPECT_EQ(json_at(line, "/path"), "\"/v1/chat/completions\"");
  EXPECT_EQ(json_at(line, "/model"), "\"gpt\"");
  EXPECT_EQ(json_at(line, "/deployment"), "\"gpt#0\"");
  EXPECT_EQ(json_at(line, "/provider"), "\"p0\"");
  EXPECT_EQ(json_at(line, "/provider_model"), "\"m0\"");
  EXPECT_EQ(json_at(line, "/prompt_tokens"), "11");
  EXPECT_EQ(json_at(line, "/completion_tokens"), "4");
  EXPECT_EQ(json_at(line, "/total_tokens"), "15");
  EXPECT_EQ(json_at(line, "/aborted"), "false");
  ASSERT_TRUE(doc["latency_ms"].IsNumber()) << line;
  EXPECT_GE(doc["latency_ms"].GetDouble(), 0.0);
  EXPECT_TRUE(doc["ts"].IsString());
  // Host metadata (ABI 1.2).
  const std::string request_body =
      R"({"model":"gpt","messages":[{"role":"user","content":"body-text-never-logged"}]})";
  EXPECT_EQ(json_at(line, "/status"), "200");
  EXPECT_EQ(json_at(line, "/attempts"), "2");
  EXPECT_EQ(json_at(line, "/request_bytes"), std::to_string(request_body.size()));
  EXPECT_EQ(json_at(line, "/response_bytes"), std::to_string(sink_.body.size()));
  for (const char* field : {"upstream_latency_ms", "ttft_ms"}) {
    ASSERT_TRUE(doc[field].IsNumber()) << field << ": " << line;
    EXPECT_LE(doc[field].GetDouble(), doc["latency_ms"].GetDouble()) << field;
  }
  EXPECT_EQ(doc.MemberCount(), 20u);
  for (const char* secret :
       {"sk-client-secret", "provider-secret-key", "body-text-never-logged", "Bearer", "Echo"}) {
    EXPECT_EQ(line.find(secret), std::string::npos) << secret;
  }
}

TEST_F(LogTest, LocalRepliesAndAbortsAreLogged) {
  ASSERT_TRUE(use(chain_yaml(file_config())));
  post("/v1/chat/completions", R"({"model":"nope"})");
  ASSERT_EQ(sink_.head.status, 404);
  reset_client();
  FakeResponse slow = chat_answer();
  slow.delay_ms = 5000;
  transport_->script({slow});
  start("POST", "/v1/chat/completions", R"({"model":"gpt"})",
        {{"content-type", "application/json"}});
  run_for(20);
  ASSERT_FALSE(sink_.done);
  finish_exchange();  // the client goes away
  std::vector<std::string> lines = wait_lines(path_, 2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json_at(lines[0], "/model"), "\"nope\"");
  EXPECT_EQ(json_at(lines[0], "/deployment"), "null");
  EXPECT_EQ(json_at(lines[0], "/aborted"), "false");
  EXPECT_EQ(json_at(lines[1], "/model"), "\"gpt\"");
  EXPECT_EQ(json_at(lines[1], "/deployment"), "\"gpt#0\"");
  EXPECT_EQ(json_at(lines[1], "/aborted"), "true");
  EXPECT_EQ(json_at(lines[1], "/prompt_tokens"), "null");
}

TEST_F(LogTest, UsageFromTheStreamsUsageChunk) {
  ASSERT_TRUE(use(chain_yaml(file_config())));
  // Streamed: the host hands translate one event per call; the usage chunk comes last.
  FakeResponse answer;
  answer.delay_ms = 0;
  answer.headers = {{"content-type", "text/event-stream"}};
  answer.body.clear();
  answer.chunks = {
      "data: {\"model\":\"m0\",\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":null}\n\n",
      "data: {\"model\":\"m0\",\"choices\":[],\"usage\":{\"prompt_tokens\":6,"
      "\"completion_tokens\":1,\"total_tokens\":7}}\n\n",
      "data: [DONE]\n\n"};
  transport_->script({answer});
  post("/v1/chat/completions",
       R"({"model":"gpt","stream":true,"stream_options":{"include_usage":true}})");
  ASSERT_EQ(sink_.head.status, 200);
  std::vector<std::string> lines = wait_lines(path_, 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(json_at(lines[0], "/prompt_tokens"), "6");
  EXPECT_EQ(json_at(lines[0], "/completion_tokens"), "1");
  EXPECT_EQ(json_at(lines[0], "/total_tokens"), "7");
  EXPECT_EQ(json_at(lines[0], "/status"), "200");
  EXPECT_EQ(json_at(lines[0], "/response_bytes"), std::to_string(sink_.body.size()));
}

TEST_F(LogTest, DefaultsToStandardOutput) {
  std::string captured = dir_ + "/stdout";
  fflush(stdout);
  int saved = dup(STDOUT_FILENO);
  int file = open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(file, 0);
  dup2(file, STDOUT_FILENO);
  close(file);
  bool used = use(chain_yaml(""));
  if (used) {
    post("/v1/chat/completions", R"({"model":"nope"})");
    wait_lines(captured, 1);
  }
  fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  ASSERT_TRUE(used);
  std::vector<std::string> lines = read_lines(captured);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(json_at(lines[0], "/model"), "\"nope\"");
}

TEST_F(LogTest, ReopensTheFileWhenTheHostsReopenGenerationMoves) {
  ASSERT_TRUE(use(chain_yaml(file_config())));
  post("/v1/chat/completions", R"({"model":"first"})");
  ASSERT_EQ(wait_lines(path_, 1).size(), 1u);
  std::string rotated = path_ + ".1";
  ASSERT_EQ(std::rename(path_.c_str(), rotated.c_str()), 0);
  // Until the operator asks, lines go on to the renamed file (the open descriptor).
  reset_client();
  post("/v1/chat/completions", R"({"model":"second"})");
  ASSERT_EQ(wait_lines(rotated, 2).size(), 2u);
  runtime::bump_reopen_generation();  // what the server does on SIGUSR1
  reset_client();
  post("/v1/chat/completions", R"({"model":"third"})");
  std::vector<std::string> fresh = wait_lines(path_, 1);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(json_at(fresh[0], "/model"), "\"third\"");
  std::vector<std::string> old = read_lines(rotated);
  ASSERT_EQ(old.size(), 2u);
  EXPECT_EQ(json_at(old[0], "/model"), "\"first\"");
  EXPECT_EQ(json_at(old[1], "/model"), "\"second\"");
}

TEST_F(LogTest, AfterTheRouterOnlyTheLastAttemptWritesALine) {
  ASSERT_TRUE(
      use(gateway(kRegistry, filter_item("route", "backoff_base_ms: 1") + filter_item("translate") +
                                 filter_item("log", file_config()))));
  transport_->script({status_answer(500), status_answer(503), chat_answer("m0", 2, 1)});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  ASSERT_EQ(sink_.head.status, 200);
  reset_client();
  post("/v1/chat/completions", R"({"model":"nope"})");  // answered before routing: no line
  ASSERT_EQ(sink_.head.status, 404);
  reset_client();
  transport_->script({chat_answer("m0", 5, 5)});
  post("/v1/chat/completions", R"({"model":"gpt"})");
  std::vector<std::string> lines = wait_lines(path_, 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  lines = read_lines(path_);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json_at(lines[0], "/attempts"), "3");
  EXPECT_EQ(json_at(lines[0], "/status"), "200");
  EXPECT_EQ(json_at(lines[0], "/total_tokens"), "3");
  EXPECT_EQ(json_at(lines[1], "/attempts"), "1");
  EXPECT_EQ(json_at(lines[1], "/total_tokens"), "10");
}

TEST_F(LogTest, AFullQueueDropsAndCountsLines) {
  // A FIFO nobody reads yet: the writer thread waits in open(), so nothing leaves the queue.
  std::string fifo = fifo_path();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  ASSERT_TRUE(use(chain_yaml("path: \"" + fifo + "\", max_queued_lines: 5")));
  for (int i = 0; i < 12; ++i) {
    reset_client();
    post("/v1/chat/completions", "{\"model\":\"m" + std::to_string(i) + "\"}");
    ASSERT_EQ(sink_.head.status, 404);
  }
  EXPECT_EQ(metric_delta("sluice_plugin_log_dropped_lines_total"), 7);
  // Now read: the five queued lines arrive, in order.
  int reader = fifo_reader() = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::count(text.begin(), text.end(), '\n') < 5 &&
         std::chrono::steady_clock::now() < deadline) {
    char buffer[4096];
    ssize_t n = read(reader, buffer, sizeof(buffer));
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << text;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(json_at(lines[i], "/model"), "\"m" + std::to_string(i) + "\"");
  }
}

}  // namespace
}  // namespace sluice::filters::testing
