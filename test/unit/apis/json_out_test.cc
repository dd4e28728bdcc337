// JsonOut must write exactly what rapidjson's Writer writes (the golden files were made with
// it): the same calls go to both and the texts are compared, for every byte in every position
// of a string, random strings, number edge cases and every golden input copied through Accept.
// One difference is intended: rapidjson 1.1.0's SSE2 scan lets bytes 0x1A-0x1F through raw in
// the aligned middle of a long string (its threshold is 0x19), which is not valid JSON; JsonOut
// escapes them everywhere, as rapidjson's scalar code does.

#include "core/apis/json_out.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <random>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "test/unit/apis/golden_support.h"

namespace sluice::apis {
namespace {

using RapidWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// rapidjson's text with the control bytes its SSE2 scan missed escaped as its scalar code does.
std::string escape_raw_controls(std::string_view text) {
  std::string fixed;
  for (const char c : text) {
    if (c >= 0x1A && c <= 0x1F) {
      fixed += "\\u001";
      fixed += "ABCDEF"[c - 0x1A];
    } else {
      fixed += c;
    }
  }
  return fixed;
}

// The text each writer makes of the same calls.
void expect_same(const std::function<void(JsonOut&)>& ours,
                 const std::function<void(RapidWriter&)>& theirs) {
  std::string text;
  {
    JsonOut out(&text);
    ours(out);
  }
  rapidjson::StringBuffer buffer;
  RapidWriter writer(buffer);
  theirs(writer);
  EXPECT_EQ(text, escape_raw_controls(std::string_view(buffer.GetString(), buffer.GetSize())));
}

void expect_same_string(const std::string& value) {
  const auto size = static_cast<rapidjson::SizeType>(value.size());
  expect_same(
      [&](JsonOut& out) {
        out.StartObject();
        out.Key(value.data(), size);
        out.String(value.data(), size);
        out.EndObject();
      },
      [&](RapidWriter& writer) {
        writer.StartObject();
        writer.Key(value.data(), size);
        writer.String(value.data(), size);
        writer.EndObject();
      });
}

TEST(JsonOut, EveryAsciiByteAtEveryPositionOfAString) {
  for (int byte = 0; byte < 0x80; ++byte) {
    for (size_t position = 0; position < 20; ++position) {
      std::string value(20, 'a');
      value[position] = static_cast<char>(byte);
      expect_same_string(value);
      expect_same_string(value.substr(0, position + 1));
    }
  }
}

TEST(JsonOut, RandomStringsWithEscapesAndMultiByteCharacters) {
  const std::string pieces[] = {"a",    "Z",    " ", "\"", "\\", "/",  "\n", "\t", "\x01",
                                "\x1f", "\x7f", "é", "€",  "😀",  "\r", "\b", "\f", "0"};
  std::mt19937 random(4);
  for (int round = 0; round < 2000; ++round) {
    std::string value;
    const size_t count = random() % 70;
    for (size_t i = 0; i < count; ++i) value += pieces[random() % std::size(pieces)];
    expect_same_string(value);
  }
}

TEST(JsonOut, NumbersAndLiterals) {
  const double doubles[] = {0.0,
                            -0.0,
                            0.1,
                            -1.5,
                            1e300,
                            -1e-300,
                            5e-324,
                            123456789.125,
                            1.7976931348623157e308,
                            3.0,
                            1e21,
                            1e-7,
                            0.30000000000000004};
  const int64_t integers[] = {0,
                              -1,
                              1,
                              std::numeric_limits<int64_t>::min(),
                              std::numeric_limits<int64_t>::max(),
                              4294967296,
                              -2147483648};
  expect_same(
      [&](JsonOut& out) {
        out.StartArray();
        for (double d : doubles) out.Double(d);
        for (int64_t i : integers) out.Int64(i);
        out.Int(std::numeric_limits<int>::min());
        out.Uint(std::numeric_limits<unsigned>::max());
        out.Uint64(std::numeric_limits<uint64_t>::max());
        out.Null();
        out.Bool(true);
        out.Bool(false);
        out.StartObject();
        out.EndObject();
        out.StartArray();
        out.EndArray();
        out.EndArray();
      },
      [&](RapidWriter& writer) {
        writer.StartArray();
        for (double d : doubles) writer.Double(d);
        for (int64_t i : integers) writer.Int64(i);
        writer.Int(std::numeric_limits<int>::min());
        writer.Uint(std::numeric_limits<unsigned>::max());
        writer.Uint64(std::numeric_limits<uint64_t>::max());
        writer.Null();
        writer.Bool(true);
        writer.Bool(false);
        writer.StartObject();
        writer.EndObject();
        writer.StartArray();
        writer.EndArray();
        writer.EndArray();
      });
}

TEST(JsonOut, EscapesEveryControlByte) {
  std::string text;
  JsonOut out(&text);
  write_string(out, std::string(16, 'a') + "\x1a\x1f" + std::string(16, 'a'));
  out.finish();
  EXPECT_EQ(text, "\"" + std::string(16, 'a') + "\\u001A\\u001F" + std::string(16, 'a') + "\"");
}

TEST(JsonOut, PlainKeysAreWrittenAsEscapedOnesWouldBe) {
  expect_same(
      [](JsonOut& out) {
        out.StartObject();
        write_key(out, "role");
        out.Null();
        write_key(out, "content");
        out.StartArray();
        out.EndArray();
        write_key_text(out, "a\"b");
        out.Bool(true);
        out.EndObject();
      },
      [](RapidWriter& writer) {
        writer.StartObject();
        writer.Key("role");
        writer.Null();
        writer.Key("content");
        writer.StartArray();
        writer.EndArray();
        writer.Key("a\"b");
        writer.Bool(true);
        writer.EndObject();
      });
}

TEST(JsonOut, RefusesNonFiniteNumbersWritingNothing) {
  std::string text;
  JsonOut out(&text);
  out.StartArray();
  EXPECT_FALSE(out.Double(std::nan("")));
  EXPECT_FALSE(out.Double(std::numeric_limits<double>::infinity()));
  out.EndArray();
  out.finish();
  EXPECT_EQ(text, "[]");
}

TEST(JsonOut, CopiesEveryGoldenDocumentAsRapidjsonDoes) {
  int documents = 0;
  const auto root = std::filesystem::path(SLUICE_SOURCE_DIR) / "test/unit/apis/golden";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string text = testing::read_file(entry.path().string());
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) continue;
    ++documents;
    expect_same([&](JsonOut& out) { doc.Accept(out); },
                [&](RapidWriter& writer) { doc.Accept(writer); });
  }
  EXPECT_GT(documents, 50);
}

TEST(JsonOut, AppendsAfterExistingTextAndRestarts) {
  std::string text = "data: ";
  JsonOut out(&text);
  out.StartObject();
  write_key(out, "a");
  write_string(out, std::string(1000, 'x'));  // past the first capacity
  out.EndObject();
  EXPECT_EQ(out.text(), "data: {\"a\":\"" + std::string(1000, 'x') + "\"}");
  out.restart();
  out.StartArray();
  out.Int64(1);
  out.Int64(2);
  out.EndArray();
  out.finish();
  EXPECT_EQ(text, "[1,2]");
}

TEST(JsonOut, TakeHandsTheTextOverAndLeavesTheTargetAlone) {
  // An answer is built in a local string and handed over: the writer's end must not touch the
  // emptied string again (it used to resize it back to the text's length, zero-filled).
  std::string target;
  std::string taken;
  {
    JsonOut out(&target);
    out.StartObject();
    out.Key("a", 1);
    out.Int(1);
    out.EndObject();
    taken = out.take();
  }
  EXPECT_EQ(taken, R"({"a":1})");
  EXPECT_TRUE(target.empty()) << target.size();
}

}  // namespace
}  // namespace sluice::apis
