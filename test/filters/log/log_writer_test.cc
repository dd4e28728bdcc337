// filters/log: the writer thread on its own (writer.h), against a fake host table whose reopen
// generation, log and metrics the test controls.

#include "filters/log/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace sluice::filters::log {
namespace {

std::atomic<uint64_t> generation{0};
std::atomic<int> logged{0};
std::atomic<int64_t> metric_totals[3];  // by metric id

uint64_t fake_reopen_generation() {
  return generation.load();
}
void fake_log(sluice_config*, sluice_stream*, sluice_log_level, sluice_str) {
  ++logged;
}
int fake_metric_record(sluice_config*, uint32_t id, const sluice_str*, size_t, double value) {
  if (id == 0 || id > 2) return 0;
  metric_totals[id] += static_cast<int64_t>(value);
  return 1;
}

const sluice_host_api* fake_api() {
  static const sluice_host_api api = [] {
    sluice_host_api a{};
    a.struct_size = sizeof(a);
    a.abi_major = SLUICE_ABI_MAJOR;
    a.abi_minor = SLUICE_ABI_MINOR;
    a.log = fake_log;
    a.metric_record = fake_metric_record;
    a.reopen_generation = fake_reopen_generation;
    return a;
  }();
  return &api;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> wait_lines(const std::string& path, size_t count, int seconds = 3) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::vector<std::string> lines = read_lines(path);
  while (lines.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lines = read_lines(path);
  }
  return lines;
}

class LogWriterTest : public ::testing::Test {
 protected:
  LogWriterTest() {
    char pattern[] = "/tmp/sluice-log-writer-XXXXXX";
    dir_ = mkdtemp(pattern);
    path_ = dir_ + "/access.log";
    for (auto& total : metric_totals) total = 0;
    logged = 0;
  }
  ~LogWriterTest() override {
    std::string command = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
  LineWriter::Options options(std::string path, size_t capacity = 100) {
    LineWriter::Options o;
    o.path = std::move(path);
    o.capacity = capacity;
    o.api = fake_api();
    o.dropped = Metric(fake_api(), nullptr, 1);
    o.write_errors = Metric(fake_api(), nullptr, 2);
    return o;
  }
  std::string dir_, path_;
};

TEST_F(LogWriterTest, ReopensByNameWhenTheGenerationMoves) {
  LineWriter writer(options(path_));
  ASSERT_TRUE(writer.push("one\n"));
  ASSERT_EQ(wait_lines(path_, 1).size(), 1u);
  std::string rotated = path_ + ".1";
  ASSERT_EQ(std::rename(path_.c_str(), rotated.c_str()), 0);
  ASSERT_TRUE(writer.push("two\n"));  // same generation: the open descriptor, the renamed file
  ASSERT_EQ(wait_lines(rotated, 2).size(), 2u);
  ++generation;  // what SIGUSR1 does in the host
  ASSERT_TRUE(writer.push("three\n"));
  EXPECT_EQ(wait_lines(path_, 1), std::vector<std::string>{"three"});
  EXPECT_EQ(read_lines(rotated), (std::vector<std::string>{"one", "two"}));
}

TEST_F(LogWriterTest, DestructionWritesWhatIsQueued) {
  {
    LineWriter writer(options(path_, 5000));
    for (int i = 0; i < 5000; ++i) ASSERT_TRUE(writer.push("line " + std::to_string(i) + "\n"));
  }
  std::vector<std::string> lines = read_lines(path_);
  ASSERT_EQ(lines.size(), 5000u);
  EXPECT_EQ(lines.front(), "line 0");
  EXPECT_EQ(lines.back(), "line 4999");
  EXPECT_EQ(metric_totals[1], 0);
}

TEST_F(LogWriterTest, QueueBoundDropsAndCounts) {
  // A FIFO without a reader: the thread waits in open(), the queue fills.
  std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  int reader = -1;
  {
    LineWriter writer(options(fifo, 3));
    int accepted = 0;
    for (int i = 0; i < 10; ++i) accepted += writer.push(std::to_string(i) + "\n") ? 1 : 0;
    EXPECT_EQ(accepted, 3);
    EXPECT_EQ(metric_totals[1], 7);
    reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // lets open() in the thread return
    ASSERT_GE(reader, 0);
  }  // joined: the three queued lines are in the pipe
  char buffer[64];
  ssize_t n = read(reader, buffer, sizeof(buffer));
  close(reader);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buffer, static_cast<size_t>(n)), "0\n1\n2\n");
}

TEST_F(LogWriterTest, LinesAreGatheredForTheFlushIntervalThenWrittenTogether) {
  LineWriter::Options o = options(path_);
  o.flush_interval_ms = 1000;
  LineWriter writer(std::move(o));
  ASSERT_TRUE(writer.push("first\n"));
  ASSERT_TRUE(writer.push("second\n"));
  // Within the interval nothing is written yet (the thread is still gathering)...
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(read_lines(path_).empty());
  // ...then both lines arrive with one write.
  EXPECT_EQ(wait_lines(path_, 2, 10), (std::vector<std::string>{"first", "second"}));
}

TEST_F(LogWriterTest, AHalfFullQueueIsWrittenWithoutWaitingForTheInterval) {
  LineWriter::Options o = options(path_, 8);
  o.flush_interval_ms = 10000;  // far beyond wait_lines' three seconds
  LineWriter writer(std::move(o));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(writer.push(std::to_string(i) + "\n"));
  EXPECT_EQ(wait_lines(path_, 4).size(), 4u);
}

TEST_F(LogWriterTest, ZeroIntervalWritesEachLineAtOnce) {
  LineWriter::Options o = options(path_);
  o.flush_interval_ms = 0;
  LineWriter writer(std::move(o));
  ASSERT_TRUE(writer.push("alone\n"));
  EXPECT_EQ(wait_lines(path_, 1), std::vector<std::string>{"alone"});
}

TEST_F(LogWriterTest, OpenFailuresAreCountedAndLoggedOnce) {
  std::string missing = dir_ + "/gone/access.log";
  {
    LineWriter writer(options(missing));
    writer.push("a\n");
    writer.push("b\n");
  }
  EXPECT_EQ(metric_totals[2], 2);
  EXPECT_EQ(logged, 1);
}

}  // namespace
}  // namespace sluice::filters::log
