// SseParser: framing edge cases, and every split point of a realistic stream.

#include "core/runtime/sse_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>

namespace sluice::runtime {
namespace {

std::vector<SseEvent> parse_all(std::string_view text) {
  SseParser parser;
  std::vector<SseEvent> events;
  EXPECT_TRUE(parser.feed(text, &events));
  return events;
}

TEST(SseParser, LfCrlfAndCrLineEndsAreAllLineEnds) {
  for (std::string_view eol : {"\n", "\r\n", "\r"}) {
    std::string text = "data: one" + std::string(eol) + std::string(eol) + "data: two" +
                       std::string(eol) + std::string(eol);
    auto events = parse_all(text);
    ASSERT_EQ(events.size(), 2u) << "eol size " << eol.size();
    EXPECT_EQ(events[0].data, "one");
    EXPECT_EQ(events[1].data, "two");
  }
}

TEST(SseParser, MultiLineDataCommentsEventNamesAndIds) {
  auto events = parse_all(
      ": keep-alive\n\nevent: message_start\nid: 7\ndata: {\"a\":\ndata: 1}\nretry: 10\n\n"
      "data\n\n");
  ASSERT_EQ(events.size(), 2u);  // the comment-only block dispatches nothing
  EXPECT_EQ(events[0].event, "message_start");
  EXPECT_TRUE(events[0].has_id);
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].data, "{\"a\":\n1}");
  EXPECT_EQ(events[1].data, "");  // a bare "data" field is an empty data line
}

TEST(SseParser, NoSpaceAfterColonAndOnlyOneSpaceStripped) {
  auto events = parse_all("data:x\n\ndata:  y\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "x");
  EXPECT_EQ(events[1].data, " y");
}

TEST(SseParser, IncompleteEventAtTheEndIsNotDispatched) {
  auto events = parse_all("data: done\n\ndata: half");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "done");
}

TEST(SseParser, ByteOrderMarkIsSkippedEvenWhenSplit) {
  std::string text =
      "\xEF\xBB\xBF"
      "data: x\n\n";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    SseParser parser;
    std::vector<SseEvent> events;
    ASSERT_TRUE(parser.feed(std::string_view(text).substr(0, cut), &events));
    ASSERT_TRUE(parser.feed(std::string_view(text).substr(cut), &events));
    ASSERT_EQ(events.size(), 1u) << cut;
    EXPECT_EQ(events[0].data, "x");
  }
}

TEST(SseParser, EverySplitPointOfAStreamGivesTheSameEvents) {
  // CRLF ends, a comment, multi-line data, and a 3-byte UTF-8 character ("€") in the payload.
  const std::string text =
      "data: {\"choices\":[{\"delta\":{\"content\":\"\xE2\x82\xAC 5\"}}]}\r\n\r\n"
      ": ping\r\n\r\nevent: e\r\ndata: a\r\ndata: b\r\n\r\ndata: [DONE]\r\n\r\n";
  const auto whole = parse_all(text);
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[0].data, "{\"choices\":[{\"delta\":{\"content\":\"\xE2\x82\xAC 5\"}}]}");
  EXPECT_EQ(whole[1].data, "a\nb");
  EXPECT_EQ(whole[2].data, "[DONE]");
  for (size_t a = 0; a <= text.size(); ++a) {
    for (size_t b = a; b <= text.size(); b += 7) {
      SseParser parser;
      std::vector<SseEvent> events;
      ASSERT_TRUE(parser.feed(std::string_view(text).substr(0, a), &events));
      ASSERT_TRUE(parser.feed(std::string_view(text).substr(a, b - a), &events));
      ASSERT_TRUE(parser.feed(std::string_view(text).substr(b), &events));
      ASSERT_EQ(events.size(), whole.size()) << a << "," << b;
      for (size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].data, whole[i].data) << a << "," << b;
        EXPECT_EQ(events[i].event, whole[i].event) << a << "," << b;
      }
    }
  }
}

// Random streams mixing LF, CR and CRLF line ends, comments, fields and blank lines, fed whole,
// one byte at a time and in random pieces: the events must not depend on where reads split,
// in particular not between a CR and its LF.
TEST(SseParser, RandomStreamsGiveTheSameEventsHoweverTheyAreSplit) {
  static constexpr std::string_view kPieces[] = {
      "data: a", "data:b",   "data", "event: e", "id: 7",
      ": ping",  "retry: 5", "x",    "",         "data: {\"k\":\"\xE2\x82\xAC\"}"};
  static constexpr std::string_view kEnds[] = {"\n", "\r", "\r\n"};
  auto same = [](const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].data != b[i].data || a[i].event != b[i].event || a[i].id != b[i].id ||
          a[i].has_id != b[i].has_id) {
        return false;
      }
    }
    return true;
  };
  std::minstd_rand rng(20261122);
  for (int round = 0; round < 500; ++round) {
    std::string text;
    const int lines = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < lines; ++i) {
      text += kPieces[rng() % std::size(kPieces)];
      text += kEnds[rng() % std::size(kEnds)];
    }
    const auto whole = parse_all(text);

    SseParser bytewise;
    std::vector<SseEvent> by_byte;
    for (char c : text) ASSERT_TRUE(bytewise.feed(std::string_view(&c, 1), &by_byte));
    EXPECT_TRUE(same(whole, by_byte)) << "round " << round;

    SseParser pieces;
    std::vector<SseEvent> by_piece;
    for (size_t at = 0; at < text.size();) {
      const size_t n = std::min<size_t>(text.size() - at, rng() % 9);
      ASSERT_TRUE(pieces.feed(std::string_view(text).substr(at, n), &by_piece));
      at += n;
    }
    EXPECT_TRUE(same(whole, by_piece)) << "round " << round;
  }
}

TEST(SseParser, OversizeEventFails) {
  SseParser parser(64);
  std::vector<SseEvent> events;
  EXPECT_FALSE(parser.feed("data: " + std::string(100, 'x') + "\n", &events));
  SseParser partial(64);
  EXPECT_FALSE(partial.feed("data: " + std::string(100, 'x'), &events));  // no line end yet
}

TEST(SseParser, SerializeRoundTrips) {
  SseEvent event;
  event.event = "content_block_delta";
  event.data = "line1\nline2";
  event.id = "3";
  event.has_id = true;
  std::string text = serialize_sse(event);
  EXPECT_EQ(text, "event: content_block_delta\nid: 3\ndata: line1\ndata: line2\n\n");
  auto back = parse_all(text);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].data, event.data);
  EXPECT_EQ(back[0].event, event.event);
}

}  // namespace
}  // namespace sluice::runtime
