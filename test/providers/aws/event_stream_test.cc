// CRC-32 and the AWS event-stream framing: known checksums, round trips of every header type,
// CRC failures at every byte, frames split at every byte boundary, truncated and garbage input.

#include "providers/aws/event_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "providers/aws/crc32.h"

namespace sluice::aws {
namespace {

// The collecting form of Decoder::feed, under the name the tests below were written with.
bool feed(Decoder& decoder, std::string_view bytes, std::vector<EventMessage>* out,
          std::string* error) {
  return decoder.feed(bytes, out, error);
}

TEST(Crc32, KnownValues) {
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);  // the standard check value
  EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  std::string long_text;  // many eight-byte steps, every byte value (zlib.crc32 gives the value)
  for (int i = 0; i < 1000; ++i) long_text += static_cast<char>((i * 7 + 3) % 256);
  EXPECT_EQ(crc32(long_text), 0x17BC2A46u);
}

TEST(Crc32, Incremental) {
  const std::string text = "The quick brown fox jumps over the lazy dog";
  for (size_t split = 0; split <= text.size(); ++split) {
    const uint32_t head = crc32(std::string_view(text).substr(0, split));
    EXPECT_EQ(crc32(std::string_view(text).substr(split), head), crc32(text)) << split;
  }
}

// The smallest valid message, no headers and no payload: a fixed 16 bytes whose CRCs were
// computed by hand from the format (prelude CRC over 00 00 00 10 00 00 00 00).
TEST(EventStream, EmptyMessageBytes) {
  std::string frame;
  append_frame(&frame, {}, "");
  ASSERT_EQ(frame.size(), 16u);
  EXPECT_EQ(frame.substr(0, 8), std::string("\x00\x00\x00\x10\x00\x00\x00\x00", 8));
  const uint32_t prelude_crc = crc32(frame.substr(0, 8));
  std::string expected_crc;
  for (int shift = 24; shift >= 0; shift -= 8) {
    expected_crc.push_back(static_cast<char>((prelude_crc >> shift) & 0xFF));
  }
  EXPECT_EQ(frame.substr(8, 4), expected_crc);
  EventMessage message;
  std::string error;
  ASSERT_TRUE(decode_frame(frame, &message, &error)) << error;
  EXPECT_TRUE(message.headers.empty());
  EXPECT_TRUE(message.payload.empty());
}

TEST(EventStream, StringHeaderLayout) {
  std::string frame;
  append_frame(&frame, {EventHeader::string("ab", "xyz")}, "P");
  // name length, name, type 7, u16 length, value
  const std::string header(
      "\x02"
      "ab"
      "\x07\x00\x03"
      "xyz",
      9);
  EXPECT_EQ(frame.substr(12, header.size()), header);
  EXPECT_EQ(frame[7], static_cast<char>(header.size()));
  EXPECT_EQ(frame[3], static_cast<char>(12 + header.size() + 1 + 4));
  EXPECT_EQ(frame[12 + header.size()], 'P');
}

std::vector<EventHeader> every_header_type() {
  std::vector<EventHeader> headers;
  headers.push_back({"t", HeaderType::bool_true, 0, ""});
  headers.push_back({"f", HeaderType::bool_false, 0, ""});
  headers.push_back({"byte", HeaderType::byte, -7, ""});
  headers.push_back({"short", HeaderType::int16, -30000, ""});
  headers.push_back({"int", HeaderType::int32, -2000000000, ""});
  headers.push_back({"long", HeaderType::int64, -9000000000000000000, ""});
  headers.push_back({"bytes", HeaderType::bytes, 0, std::string("\x00\xff\x01", 3)});
  headers.push_back({"string", HeaderType::string, 0, "h\xc3\xa9llo"});
  headers.push_back({"time", HeaderType::timestamp, 1700000000123, ""});
  headers.push_back({"uuid", HeaderType::uuid, 0, std::string(16, '\x5a')});
  return headers;
}

void expect_same(const EventMessage& message, const std::vector<EventHeader>& headers,
                 std::string_view payload) {
  ASSERT_EQ(message.headers.size(), headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    EXPECT_EQ(message.headers[i].name, headers[i].name);
    EXPECT_EQ(message.headers[i].type, headers[i].type) << headers[i].name;
    EXPECT_EQ(message.headers[i].integer, headers[i].integer) << headers[i].name;
    EXPECT_EQ(message.headers[i].text, headers[i].text) << headers[i].name;
  }
  EXPECT_EQ(message.payload, payload);
}

TEST(EventStream, RoundTripEveryHeaderType) {
  const auto headers = every_header_type();
  std::string frame;
  append_frame(&frame, headers, "{\"a\":1}");
  EventMessage message;
  std::string error;
  ASSERT_TRUE(decode_frame(frame, &message, &error)) << error;
  expect_same(message, headers, "{\"a\":1}");
}

TEST(EventStream, PositiveIntegerExtremes) {
  const std::vector<EventHeader> headers = {{"b", HeaderType::byte, 127, ""},
                                            {"s", HeaderType::int16, 32767, ""},
                                            {"i", HeaderType::int32, 2147483647, ""},
                                            {"l", HeaderType::int64, INT64_MAX, ""}};
  std::string frame;
  append_frame(&frame, headers, "");
  EventMessage message;
  std::string error;
  ASSERT_TRUE(decode_frame(frame, &message, &error)) << error;
  expect_same(message, headers, "");
}

TEST(EventStream, EventAndExceptionHelpers) {
  std::string frames;
  append_event_frame(&frames, "contentBlockDelta", "{\"x\":1}");
  append_exception_frame(&frames, "throttlingException", "{\"message\":\"slow down\"}");
  Decoder decoder;
  std::vector<EventMessage> messages;
  std::string error;
  ASSERT_TRUE(feed(decoder, frames, &messages, &error)) << error;
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].string_header(":event-type"), "contentBlockDelta");
  EXPECT_EQ(messages[0].string_header(":content-type"), "application/json");
  EXPECT_EQ(messages[0].string_header(":message-type"), "event");
  EXPECT_EQ(messages[0].payload, "{\"x\":1}");
  EXPECT_EQ(messages[1].string_header(":exception-type"), "throttlingException");
  EXPECT_EQ(messages[1].string_header(":message-type"), "exception");
  EXPECT_EQ(messages[1].string_header(":event-type"), "");
  EXPECT_FALSE(decoder.mid_message());
}

TEST(EventStream, EventAndExceptionHelpersWriteWhatAppendFrameWrites) {
  // The helpers write their three headers directly; the bytes are append_frame's, after what a
  // buffer already held.
  const std::vector<std::string> payloads = {"", "{\"x\":1}", std::string(70000, 'p')};
  for (const std::string& payload : payloads) {
    std::string direct = "earlier bytes";
    std::string general = direct;
    append_event_frame(&direct, "contentBlockDelta", payload);
    append_frame(&general,
                 {EventHeader::string(":event-type", "contentBlockDelta"),
                  EventHeader::string(":content-type", "application/json"),
                  EventHeader::string(":message-type", "event")},
                 payload);
    EXPECT_EQ(direct, general);
    append_exception_frame(&direct, "modelStreamErrorException", payload);
    append_frame(&general,
                 {EventHeader::string(":exception-type", "modelStreamErrorException"),
                  EventHeader::string(":content-type", "application/json"),
                  EventHeader::string(":message-type", "exception")},
                 payload);
    EXPECT_EQ(direct, general);
  }
}

TEST(EventStream, EveryFlippedByteIsRefused) {
  std::string frame;
  append_frame(&frame, every_header_type(), "payload bytes");
  for (size_t i = 0; i < frame.size(); ++i) {
    std::string broken = frame;
    broken[i] = static_cast<char>(broken[i] ^ 0x01);
    EventMessage message;
    std::string error;
    EXPECT_FALSE(decode_frame(broken, &message, &error)) << "byte " << i;
    EXPECT_NE(error.find("event stream"), std::string::npos) << error;
    Decoder decoder;
    std::vector<EventMessage> messages;
    // A flipped length may only make the decoder wait for more bytes; then it is mid-message.
    const bool fed = feed(decoder, broken, &messages, &error);
    EXPECT_TRUE(messages.empty()) << "byte " << i;
    EXPECT_TRUE(!fed || decoder.mid_message()) << "byte " << i;
  }
}

TEST(EventStream, CrcErrorsNamed) {
  std::string frame;
  append_event_frame(&frame, "messageStop", "{}");
  std::string error;
  EventMessage message;
  std::string bad_prelude = frame;
  bad_prelude[9] ^= 0x10;
  EXPECT_FALSE(decode_frame(bad_prelude, &message, &error));
  EXPECT_EQ(error, "event stream: prelude CRC mismatch");
  std::string bad_message = frame;
  bad_message[frame.size() - 1] ^= 0x10;
  EXPECT_FALSE(decode_frame(bad_message, &message, &error));
  EXPECT_EQ(error, "event stream: message CRC mismatch");
}

std::string frame_with_prelude(uint32_t total, uint32_t headers_length) {
  std::string prelude;
  for (uint32_t value : {total, headers_length}) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      prelude.push_back(static_cast<char>((value >> shift) & 0xFF));
    }
  }
  const uint32_t crc = crc32(prelude);
  for (int shift = 24; shift >= 0; shift -= 8) {
    prelude.push_back(static_cast<char>((crc >> shift) & 0xFF));
  }
  return prelude;
}

TEST(EventStream, LengthsOutOfBounds) {
  struct Case {
    uint32_t total;
    uint32_t headers;
    const char* what;
  };
  const Case cases[] = {
      {15, 0, "message length 15"},
      {16 * 1024 * 1024 + 1, 0, "message length 16777217"},
      {1024 * 1024, 128 * 1024 + 1, "headers length 131073"},
      {100, 85, "headers length 85"},
  };
  for (const Case& c : cases) {
    Decoder decoder;
    std::vector<EventMessage> messages;
    std::string error;
    EXPECT_FALSE(feed(decoder, frame_with_prelude(c.total, c.headers), &messages, &error));
    EXPECT_NE(error.find(c.what), std::string::npos) << error;
    // Broken for good: more bytes are refused with the same message.
    std::string again;
    EXPECT_FALSE(feed(decoder, "x", &messages, &again));
    EXPECT_EQ(again, error);
  }
}

// Builds a frame around raw header bytes, with correct CRCs.
std::string frame_with_raw_headers(std::string_view headers) {
  std::string frame = frame_with_prelude(static_cast<uint32_t>(16 + headers.size()),
                                         static_cast<uint32_t>(headers.size()));
  frame.append(headers);
  const uint32_t crc = crc32(frame);
  for (int shift = 24; shift >= 0; shift -= 8) {
    frame.push_back(static_cast<char>((crc >> shift) & 0xFF));
  }
  return frame;
}

TEST(EventStream, MalformedHeaders) {
  const std::pair<std::string, const char*> cases[] = {
      {std::string("\x00", 1), "empty header name"},
      {std::string("\x05"
                   "ab",
                   3),
       "header name runs past"},
      {std::string("\x01"
                   "a"
                   "\x0a",
                   3),
       "unknown type 10"},
      {std::string("\x01"
                   "a"
                   "\x04\x00\x01",
                   5),
       "'a' value is truncated"},
      {std::string("\x01"
                   "a"
                   "\x07\x00\x09"
                   "abc",
                   8),
       "'a' value is truncated"},
      {std::string("\x01"
                   "a"
                   "\x07\x00",
                   4),
       "'a' value is truncated"},
      {std::string("\x01"
                   "a"
                   "\x09"
                   "0123",
                   7),
       "'a' value is truncated"},
  };
  for (const auto& [headers, what] : cases) {
    EventMessage message;
    std::string error;
    EXPECT_FALSE(decode_frame(frame_with_raw_headers(headers), &message, &error)) << what;
    EXPECT_NE(error.find(what), std::string::npos) << error;
  }
}

std::string sample_stream(std::vector<std::string>* payloads) {
  std::string stream;
  for (int i = 0; i < 5; ++i) {
    payloads->push_back("{\"index\":" + std::to_string(i) + ",\"text\":\"" +
                        std::string(static_cast<size_t>(i) * 7, 'x') + "\"}");
    append_event_frame(&stream, "contentBlockDelta", payloads->back());
  }
  payloads->push_back("");
  append_frame(&stream, every_header_type(), "");
  return stream;
}

TEST(EventStream, SplitAtEveryByteBoundary) {
  std::vector<std::string> payloads;
  const std::string stream = sample_stream(&payloads);
  for (size_t split = 0; split <= stream.size(); ++split) {
    Decoder decoder;
    std::vector<EventMessage> messages;
    std::string error;
    ASSERT_TRUE(feed(decoder, std::string_view(stream).substr(0, split), &messages, &error));
    ASSERT_TRUE(feed(decoder, std::string_view(stream).substr(split), &messages, &error));
    ASSERT_EQ(messages.size(), payloads.size()) << split;
    for (size_t i = 0; i < payloads.size(); ++i) EXPECT_EQ(messages[i].payload, payloads[i]);
    EXPECT_FALSE(decoder.mid_message());
  }
}

TEST(EventStream, OneByteAtATime) {
  std::vector<std::string> payloads;
  const std::string stream = sample_stream(&payloads);
  Decoder decoder;
  std::vector<EventMessage> messages;
  std::string error;
  for (const char c : stream)
    ASSERT_TRUE(feed(decoder, std::string_view(&c, 1), &messages, &error));
  ASSERT_EQ(messages.size(), payloads.size());
  expect_same(messages.back(), every_header_type(), "");
}

TEST(EventStream, TruncatedStreamIsMidMessage) {
  std::vector<std::string> payloads;
  const std::string stream = sample_stream(&payloads);
  // The message ends, found by decoding the whole stream one message at a time.
  std::vector<size_t> ends;
  {
    Decoder decoder;
    std::vector<EventMessage> messages;
    std::string error;
    for (size_t i = 0; i < stream.size(); ++i) {
      ASSERT_TRUE(feed(decoder, std::string_view(stream).substr(i, 1), &messages, &error));
      if (messages.size() > ends.size()) ends.push_back(i + 1);
    }
  }
  ASSERT_EQ(ends.size(), payloads.size());
  for (size_t cut = 0; cut < stream.size(); ++cut) {
    Decoder decoder;
    std::vector<EventMessage> messages;
    std::string error;
    ASSERT_TRUE(feed(decoder, std::string_view(stream).substr(0, cut), &messages, &error));
    const size_t complete =
        static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), cut) - ends.begin());
    EXPECT_EQ(messages.size(), complete) << cut;
    const bool at_boundary = cut == 0 || std::find(ends.begin(), ends.end(), cut) != ends.end();
    EXPECT_EQ(decoder.mid_message(), !at_boundary) << cut;
  }
}

TEST(EventStream, RandomGarbageNeverCrashes) {
  std::mt19937 random(12345);
  for (int round = 0; round < 2000; ++round) {
    std::string garbage(random() % 64, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    Decoder decoder;
    std::vector<EventMessage> messages;
    std::string error;
    feed(decoder, garbage, &messages, &error);
    EventMessage message;
    EXPECT_FALSE(decode_frame(garbage, &message, &error) && garbage.size() < 16);
  }
}

TEST(EventStream, WholeMessagesAreSeenWhereTheyLie) {
  std::string frames;
  append_event_frame(&frames, "contentBlockDelta", "{\"a\":1}");
  append_event_frame(&frames, "contentBlockDelta", "{\"b\":2}");
  struct Seen {
    std::string_view fed;
    std::vector<std::string_view> payloads;
  } seen{frames, {}};
  const auto handler = [](const MessageView& view, void* context) {
    auto* s = static_cast<Seen*>(context);
    // No copy: the payload lies inside the bytes fed.
    EXPECT_GE(view.payload().data(), s->fed.data());
    EXPECT_LE(view.payload().data() + view.payload().size(), s->fed.data() + s->fed.size());
    EXPECT_EQ(view.string_header(":event-type"), "contentBlockDelta");
    EXPECT_EQ(view.string_header(":missing"), "");
    s->payloads.push_back(view.payload());
    return true;
  };
  Decoder decoder;
  std::string error;
  ASSERT_EQ(decoder.feed(frames, handler, &seen, &error), Decoder::Result::ok) << error;
  EXPECT_EQ(seen.payloads, (std::vector<std::string_view>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_FALSE(decoder.mid_message());
}

TEST(EventStream, AHandlerThatSaysNoStopsTheDecoding) {
  std::string frames;
  append_event_frame(&frames, "first", "{}");
  append_event_frame(&frames, "second", "{}");
  int calls = 0;
  const auto refuse = [](const MessageView&, void* context) {
    ++*static_cast<int*>(context);
    return false;
  };
  Decoder decoder;
  std::string error;
  EXPECT_EQ(decoder.feed(frames, refuse, &calls, &error), Decoder::Result::stopped);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(error.empty());
  // The same from the buffer, when the message came in two pieces.
  Decoder split;
  calls = 0;
  const size_t cut = frames.size() / 4;
  EXPECT_EQ(split.feed(std::string_view(frames).substr(0, cut), refuse, &calls, &error),
            Decoder::Result::ok);
  EXPECT_EQ(split.feed(std::string_view(frames).substr(cut), refuse, &calls, &error),
            Decoder::Result::stopped);
  EXPECT_EQ(calls, 1);
}

TEST(EventStream, HeadersOfAViewAreTheDecodedOnes) {
  std::string frame;
  append_frame(&frame, every_header_type(), "p");
  MessageView view;
  std::string error;
  ASSERT_TRUE(decode_view(frame, &view, &error)) << error;
  EventMessage message;
  ASSERT_TRUE(decode_frame(frame, &message, &error)) << error;
  const std::vector<EventHeader> headers = view.headers();
  ASSERT_EQ(headers.size(), message.headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    EXPECT_EQ(headers[i].name, message.headers[i].name);
    EXPECT_EQ(view.string_header(headers[i].name), message.string_header(headers[i].name));
  }
  EXPECT_EQ(view.payload(), "p");
}

}  // namespace
}  // namespace sluice::aws
