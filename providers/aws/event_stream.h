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

// One header as it lies in a message's bytes.
struct HeaderView {
  std::string_view name;
  HeaderType type = HeaderType::string;
  int64_t integer = 0;    // byte, int16, int32, int64 and timestamp values
  std::string_view text;  // bytes, string and uuid values
};

// One decoded message seen in place, in the bytes it was decoded from (its headers were checked
// then): valid only as long as those bytes, which for a Decoder's message is the handler call.
class MessageView {
 public:
  std::string_view payload() const { return payload_; }
  // The value of the first header called `name` when it is a string header; "" when absent or of
  // another type. No allocation: the first headers were kept as views when the message was
  // checked, and any past them are read from its bytes.
  std::string_view string_header(std::string_view name) const;
  // Every header, copied out (for callers that need them all, not the streaming path).
  std::vector<EventHeader> headers() const;

 private:
  friend bool decode_view(std::string_view frame, MessageView* out, std::string* error);

  // AWS's streams carry three headers per message; a few more are kept for what may come.
  static constexpr size_t kKeptHeaders = 6;

  std::string_view headers_;  // the checked header bytes
  std::string_view payload_;
  HeaderView kept_[kKeptHeaders];
  size_t kept_count_ = 0;
  size_t rest_ = 0;  // where the headers past the kept ones start in headers_
};

// Checks one whole message in `frame` (exactly one message's bytes) and sets *out to view it.
// False with *error set when it is malformed.
bool decode_view(std::string_view frame, MessageView* out, std::string* error);

// Decodes one whole message from `frame` into values of its own. False with *error set when it is
// malformed.
bool decode_frame(std::string_view frame, EventMessage* out, std::string* error);

// Called with each message a Decoder completes, and the caller's `context`. Returns false to stop
// decoding (the handler keeps its own reason); the view is valid only during the call.
using MessageHandler = bool (*)(const MessageView& message, void* context);

// Reassembles messages from bytes split anywhere. Holds at most one incomplete message, so its
// buffer never exceeds kMaxMessageLength; a message that arrives whole is decoded where it lies,
// without a copy.
class Decoder {
 public:
  // The outcome of feeding bytes.
  enum class Result {
    ok,       // every completed message was handled
    stopped,  // a handler returned false; the bytes after its message were dropped
    broken,   // a malformed message: *error says why, and the decoder refuses everything after it
  };
  // Consumes `bytes`, calling `handler` with each message completed by them, in order.
  Result feed(std::string_view bytes, MessageHandler handler, void* context, std::string* error);
  // The same, appending each completed message copied out to *out (tests and tools, not the
  // streaming path); true when every message was decoded.
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
