// Tests for core/observability/log: line shape, escaping, level filtering, the allocation-free
// disabled path, and whole lines under concurrency (through the sink and through stderr).

#include "core/observability/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <new>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test/unit/observability/flat_json.h"

#include "test/unit/observability/allocation_counter.h"

namespace sluice::log {
namespace {

using sluice::testing::FlatObject;
using sluice::testing::JsonValue;
using sluice::testing::parse_flat_json;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_level(Level::debug);
    set_sink([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override {
    set_sink(nullptr);
    set_level(Level::info);
  }

  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

  // The only captured line, parsed; fails the test if there is not exactly one or it is not
  // well-formed.
  FlatObject only_line() {
    auto all = lines();
    EXPECT_EQ(all.size(), 1u);
    if (all.empty()) return {};
    auto parsed = parse_flat_json(all.front());
    EXPECT_TRUE(parsed.has_value()) << all.front();
    return parsed.value_or(FlatObject{});
  }

  std::mutex mu_;
  std::vector<std::string> lines_;
};

std::vector<std::string> keys_of(const FlatObject& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object) keys.push_back(key);
  return keys;
}

const JsonValue* find(const FlatObject& object, std::string_view key) {
  for (const auto& [k, v] : object) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string escaped(std::string_view text) {
  std::string out;
  append_json_escaped(out, text);
  return out;
}

TEST(FlatJsonCheck, RejectsWhatIsNotStrictJson) {
  EXPECT_TRUE(parse_flat_json(R"({"a":"b","n":-1.5e3,"t":true,"z":null})").has_value());
  EXPECT_FALSE(parse_flat_json(R"({"a":"b")").has_value());
  EXPECT_FALSE(parse_flat_json("{\"a\":\"line\nbreak\"}").has_value());
  EXPECT_FALSE(parse_flat_json("{\"a\":\"\xff\"}").has_value());
  EXPECT_FALSE(parse_flat_json(R"({"a":"\x"})").has_value());
  EXPECT_FALSE(parse_flat_json(R"({"a":01})").has_value());
  EXPECT_FALSE(parse_flat_json(R"({"a":nan})").has_value());
  EXPECT_FALSE(parse_flat_json(R"({"a":1}{"b":2})").has_value());
}

TEST_F(LogTest, LineHasTimestampLevelMessageThenFieldsInOrder) {
  // The clock the logger reads: time() may lag it by a tick (glibc uses the coarse clock), which
  // made this test fail when a second began between the two reads.
  auto now_seconds = [] {
    return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  };
  const time_t before = now_seconds();
  info("listening", {{"port", 8080},
                     {"address", "127.0.0.1"},
                     {"ratio", 0.25},
                     {"tls", false},
                     {"big", uint64_t{1} << 40},
                     {"name", std::string("sluice")}});
  const time_t after = now_seconds();

  const FlatObject line = only_line();
  EXPECT_EQ(keys_of(line), (std::vector<std::string>{"ts", "level", "msg", "port", "address",
                                                     "ratio", "tls", "big", "name"}));
  ASSERT_EQ(line.size(), 9u);
  EXPECT_EQ(line[1].second.text, "info");
  EXPECT_EQ(line[2].second.text, "listening");
  EXPECT_EQ(line[3].second.type, JsonValue::Type::number);
  EXPECT_EQ(line[3].second.text, "8080");
  EXPECT_EQ(line[4].second.type, JsonValue::Type::string);
  EXPECT_EQ(line[4].second.text, "127.0.0.1");
  EXPECT_EQ(line[5].second.text, "0.25");
  EXPECT_EQ(line[6].second.type, JsonValue::Type::boolean);
  EXPECT_FALSE(line[6].second.boolean);
  EXPECT_EQ(line[7].second.text, "1099511627776");
  EXPECT_EQ(line[8].second.text, "sluice");

  const std::string ts = line[0].second.text;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      ts, m, std::regex(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z)")))
      << ts;
  struct tm tm {};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  const time_t logged = timegm(&tm);  // UTC: a local-time stamp would be off by the zone offset
  EXPECT_GE(logged, before);
  EXPECT_LE(logged, after);
}

TEST_F(LogTest, RawLineIsExactApartFromTimestamp) {
  warn("a \"quoted\" msg", {{"k", "v"}, {"n", -3}, {"ok", true}});
  auto all = lines();
  ASSERT_EQ(all.size(), 1u);
  const std::string& line = all[0];
  const std::string prefix = R"({"ts":")";
  ASSERT_EQ(line.compare(0, prefix.size(), prefix), 0) << line;
  const size_t ts_end = line.find('"', prefix.size());
  ASSERT_NE(ts_end, std::string::npos);
  EXPECT_EQ(ts_end - prefix.size(), 24u);  // 2026-11-21T20:13:57.123Z
  EXPECT_EQ(line.substr(ts_end),
            R"(","level":"warn","msg":"a \"quoted\" msg","k":"v","n":-3,"ok":true})");
  EXPECT_EQ(line.find('\n'), std::string::npos);  // the sink gets the line without its newline
}

TEST(JsonEscape, QuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(escaped("plain text"), "plain text");
  EXPECT_EQ(escaped(R"(say "hi" \o/)"), R"(say \"hi\" \\o/)");
  EXPECT_EQ(escaped("a\nb\rc\td"), R"(a\nb\rc\td)");
  EXPECT_EQ(escaped(std::string_view("\x00\x01\x08\x0c\x1f\x7f", 6)),
            "\\u0000\\u0001\\u0008\\u000c\\u001f\x7f");
}

TEST(JsonEscape, ValidUtf8PassesThroughInvalidBytesBecomeReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");  // é € 😀
  EXPECT_EQ(escaped("a\xFF"
                    "b"),
            "a" + fffd + "b");                                        // never valid
  EXPECT_EQ(escaped("\x80"), fffd);                                   // lone continuation
  EXPECT_EQ(escaped("\xC0\xAF"), fffd + fffd);                        // overlong '/'
  EXPECT_EQ(escaped("\xED\xA0\x80"), fffd + fffd + fffd);             // UTF-16 surrogate
  EXPECT_EQ(escaped("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // above U+10FFFF
  EXPECT_EQ(escaped("\xE2\x82"), fffd + fffd);                        // truncated at the end
  EXPECT_EQ(escaped("\xE2\x82x"), fffd + fffd + "x");                 // truncated mid-string
}

TEST_F(LogTest, EscapedLineParsesBackToTheOriginalText) {
  const std::string nasty = std::string("q\"b\\n\nt\tc") + '\x01' + '\0' + "\xC3\xA9";
  error(nasty, {{"key\"with\nquote", nasty}});
  const FlatObject line = only_line();
  ASSERT_EQ(line.size(), 4u);
  EXPECT_EQ(line[2].second.text, nasty);
  EXPECT_EQ(line[3].first, "key\"with\nquote");
  EXPECT_EQ(line[3].second.text, nasty);
}

TEST_F(LogTest, InvalidUtf8InALineIsReplacedSoTheLineStaysValid) {
  info("bad \xFF\xFE bytes", {{"v", "\xC3"}});
  const FlatObject line = only_line();
  ASSERT_EQ(line.size(), 4u);
  EXPECT_EQ(line[2].second.text, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
  EXPECT_EQ(line[3].second.text, "\xEF\xBF\xBD");
}

TEST_F(LogTest, NonFiniteDoublesAreNullAndIntegersAreExact) {
  info("numbers", {{"nan", std::nan("")},
                   {"inf", std::numeric_limits<double>::infinity()},
                   {"ninf", -std::numeric_limits<double>::infinity()},
                   {"tiny", 5e-05},
                   {"whole", 2.0},
                   {"min", std::numeric_limits<int64_t>::min()},
                   {"max", std::numeric_limits<int64_t>::max()}});
  const FlatObject line = only_line();
  ASSERT_EQ(line.size(), 10u);
  EXPECT_EQ(find(line, "nan")->type, JsonValue::Type::null);
  EXPECT_EQ(find(line, "inf")->type, JsonValue::Type::null);
  EXPECT_EQ(find(line, "ninf")->type, JsonValue::Type::null);
  EXPECT_EQ(std::stod(find(line, "tiny")->text), 5e-05);
  EXPECT_EQ(std::stod(find(line, "whole")->text), 2.0);
  EXPECT_EQ(find(line, "min")->text, "-9223372036854775808");
  EXPECT_EQ(find(line, "max")->text, "9223372036854775807");
}

TEST_F(LogTest, LevelFilterDropsLinesBelowTheThreshold) {
  set_level(Level::warn);
  EXPECT_FALSE(enabled(Level::debug));
  EXPECT_FALSE(enabled(Level::info));
  EXPECT_TRUE(enabled(Level::warn));
  EXPECT_TRUE(enabled(Level::error));
  debug("d");
  info("i");
  warn("w");
  error("e");
  auto all = lines();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(parse_flat_json(all[0]).value()[1].second.text, "warn");
  EXPECT_EQ(parse_flat_json(all[1]).value()[1].second.text, "error");

  set_level(Level::debug);
  debug("d2");
  EXPECT_EQ(lines().size(), 3u);
}

TEST(LogLevel, ParseAndName) {
  Level level = Level::error;
  ASSERT_TRUE(parse_level("debug", &level));
  EXPECT_EQ(level, Level::debug);
  ASSERT_TRUE(parse_level("info", &level));
  EXPECT_EQ(level, Level::info);
  ASSERT_TRUE(parse_level("warn", &level));
  EXPECT_EQ(level, Level::warn);
  ASSERT_TRUE(parse_level("error", &level));
  EXPECT_EQ(level, Level::error);
  level = Level::info;
  EXPECT_FALSE(parse_level("INFO", &level));
  EXPECT_FALSE(parse_level("", &level));
  EXPECT_FALSE(parse_level("warning", &level));
  EXPECT_EQ(level, Level::info);  // untouched on failure
  EXPECT_EQ(level_name(Level::debug), "debug");
  EXPECT_EQ(level_name(Level::info), "info");
  EXPECT_EQ(level_name(Level::warn), "warn");
  EXPECT_EQ(level_name(Level::error), "error");
}

TEST_F(LogTest, DisabledLevelAllocatesNothing) {
  set_level(Level::error);
  const uint64_t before = sluice::testing::allocations_on_this_thread();
  debug("not written", {{"k", "v"}, {"n", 1}, {"d", 1.5}, {"b", true}});
  info("not written either", {{"k", "v"}});
  EXPECT_EQ(sluice::testing::allocations_on_this_thread() - before, 0u);

  // The counter does see an enabled write (it builds the line), so the check above can fail.
  error("written", {{"k", "v"}});
  EXPECT_GT(sluice::testing::allocations_on_this_thread() - before, 0u);
  EXPECT_EQ(lines().size(), 1u);
}

void write_from_threads(int threads, int per_thread) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([t, per_thread] {
      const std::string padding(100, static_cast<char>('a' + t));
      for (int i = 0; i < per_thread; ++i) {
        info("concurrent \"line\"\n", {{"thread", t}, {"seq", i}, {"pad", padding}});
      }
    });
  }
  for (auto& w : workers) w.join();
}

// Every line well-formed and each (thread, seq) pair seen exactly once.
void expect_complete(const std::vector<std::string>& lines, int threads, int per_thread) {
  ASSERT_EQ(lines.size(), static_cast<size_t>(threads * per_thread));
  std::vector<std::vector<int>> seen(threads, std::vector<int>(per_thread, 0));
  size_t malformed = 0;
  for (const std::string& line : lines) {
    auto parsed = parse_flat_json(line);
    if (!parsed || parsed->size() != 6 || (*parsed)[2].second.text != "concurrent \"line\"\n") {
      ++malformed;
      continue;
    }
    const int t = std::stoi((*parsed)[3].second.text);
    const int i = std::stoi((*parsed)[4].second.text);
    ASSERT_TRUE(t >= 0 && t < threads && i >= 0 && i < per_thread) << line;
    ++seen[t][i];
    EXPECT_EQ((*parsed)[5].second.text, std::string(100, static_cast<char>('a' + t)));
  }
  EXPECT_EQ(malformed, 0u);
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < per_thread; ++i) ASSERT_EQ(seen[t][i], 1) << t << "/" << i;
  }
}

TEST_F(LogTest, ConcurrentWritersThroughTheSinkProduceWholeLines) {
  write_from_threads(4, 1000);
  expect_complete(lines(), 4, 1000);
}

TEST(LogStderr, ConcurrentWritersToStderrNeverInterleave) {
  char path[] = "/tmp/sluice_log_test_XXXXXX";
  const int file = mkstemp(path);
  ASSERT_GE(file, 0);
  unlink(path);
  fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(dup2(file, STDERR_FILENO), STDERR_FILENO);

  set_sink(nullptr);
  set_level(Level::info);
  write_from_threads(4, 1000);

  dup2(saved, STDERR_FILENO);
  close(saved);

  std::string content;
  char buffer[1 << 16];
  ssize_t n;
  lseek(file, 0, SEEK_SET);
  while ((n = read(file, buffer, sizeof buffer)) > 0)
    content.append(buffer, static_cast<size_t>(n));
  close(file);

  ASSERT_FALSE(content.empty());
  EXPECT_EQ(content.back(), '\n');
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = content.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(content.substr(start, nl - start));
  }
  expect_complete(lines, 4, 1000);
}

}  // namespace
}  // namespace sluice::log
