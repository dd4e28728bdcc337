#pragma once
// AWS event-stream messages (content type application/vnd.amazon.eventstream), the binary framing
// of Bedrock's ConverseStream and InvokeModelWithResponseStream answers. A message is
//
//   prelude  total length (u32) | headers length (u32) | CRC-32 of those 8 bytes (u32)
//   headers  name length (u8) | name | value type (u8) | value, repeated
//   payload  the remaining bytes
//   trailer  CRC-32 of everything before it (u32)
//
// all integers big-endian. The encoder functions are pure; a Decoder belongs to one stream on one
// thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::aws {

// The ten header value types, by their wire value.
enum class HeaderType : uint8_t {
  bool_true = 0,   // no value bytes
  bool_false = 1,  // no value bytes
  byte = 2,        // i8
  int16 = 3,
  int32 = 4,
  int64 = 5,
  bytes = 6,      // u16 length + bytes
  string = 7,     // u16 length + UTF-8
  timestamp = 8,  // i64 milliseconds since the epoch
  uuid = 9,       // 16 bytes
};

struct EventHeader {
  std::string name;
  HeaderType type = HeaderType::string;
  int64_t integer = 0;  // byte, int16, int32, int64 and timestamp values
  std::string text;     // bytes, string and uuid values (a uuid is its 16 raw bytes)

  static EventHeader string(std::string name, std::string value) {
    return EventHeader{std::move(name), HeaderType::string, 0, std::move(value)};
  }
};

struct EventMessage {
  std::vector<EventHeader> headers;
  std::string payload;

  // The first header called `name`, or nullptr.
  const EventHeader* find(std::string_view name) const;
  // The value of the string header `name`; "" when absent or of another type.
  std::string_view string_header(std::string_view name) const;
};

// Bounds every decoder enforces (AWS's own limits).
inline constexpr size_t kMaxMessageLength = 16 * 1024 * 1024;
inline constexpr size_t kMaxHeadersLength = 128 * 1024;
inline constexpr size_t kPreludeLength = 12;
inline constexpr size_t kMinMessageLength = kPreludeLength + 4;

// Appends one whole message. Header names longer than 255 bytes and string or bytes values longer
// than 65535 bytes are cut to fit (callers only encode names and values they chose).
void append_frame(std::string* out, const std::vector<EventHeader>& headers,
                  std::string_view payload);
// An event: :event-type `event_type`, :content-type application/json, :message-type event.
void append_event_frame(std::string* out, std::string_view event_type, std::string_view payload);
// An in-band exception: :exception-type `exception_type`, :content-type application/json,
// :message-type exception.
void append_exception_frame(std::string* out, std::string_view exception_type,
                            std::string_view payload);

// Decodes one whole message from `frame` (exactly one message's bytes). False with *error set
// when it is malformed.
bool decode_frame(std::string_view frame, EventMessage* out, std::string* error);

// Reassembles messages from bytes split anywhere. Holds at most one incomplete message, so its
// buffer never exceeds kMaxMessageLength.
class Decoder {
 public:
  // Consumes `bytes` and appends each message completed by them to *out. False with *error set
  // on the first malformed message; the decoder then refuses everything after it.
  bool feed(std::string_view bytes, std::vector<EventMessage>* out, std::string* error);
  // True while part of a message is buffered: a stream that ends now was cut short.
  bool mid_message() const { return !buffer_.empty(); }

 private:
  // Bytes still needed to finish the buffered prelude or message.
  size_t wanted() const;

  std::string buffer_;
  size_t message_length_ = 0;  // from the buffered prelude; 0 until it is complete and checked
  std::string failure_;        // set once the stream is broken
};

}  // namespace sluice::aws
