// Encoding and incremental decoding of AWS event-stream messages.

#include "providers/aws/event_stream.h"

#include <algorithm>

#include "providers/aws/crc32.h"

namespace sluice::aws {
namespace {

constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxValueLength = 65535;
constexpr size_t kUuidLength = 16;

void put_be(std::string* out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xFFu));
  }
}

uint64_t get_be(std::string_view bytes, size_t at, int count) {
  uint64_t value = 0;
  for (int i = 0; i < count; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

// Sign-extends the low `bytes` bytes of `value`.
int64_t as_signed(uint64_t value, int bytes) {
  if (bytes == 8) return static_cast<int64_t>(value);
  const uint64_t sign = uint64_t{1} << (bytes * 8 - 1);
  return static_cast<int64_t>((value ^ sign) - sign);
}

int fixed_width(HeaderType type) {
  switch (type) {
    case HeaderType::byte:
      return 1;
    case HeaderType::int16:
      return 2;
    case HeaderType::int32:
      return 4;
    case HeaderType::int64:
    case HeaderType::timestamp:
      return 8;
    default:
      return 0;
  }
}

void append_header(std::string* out, const EventHeader& header) {
  const std::string_view name =
      std::string_view(header.name).substr(0, std::min(header.name.size(), kMaxNameLength));
  out->push_back(static_cast<char>(name.size()));
  out->append(name);
  out->push_back(static_cast<char>(header.type));
  switch (header.type) {
    case HeaderType::bool_true:
    case HeaderType::bool_false:
      return;
    case HeaderType::bytes:
    case HeaderType::string: {
      const size_t length = std::min(header.text.size(), kMaxValueLength);
      put_be(out, length, 2);
      out->append(header.text, 0, length);
      return;
    }
    case HeaderType::uuid: {
      std::string uuid = header.text.substr(0, kUuidLength);
      uuid.resize(kUuidLength, '\0');
      out->append(uuid);
      return;
    }
    default:
      put_be(out, static_cast<uint64_t>(header.integer), fixed_width(header.type));
      return;
  }
}

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

// Checks the 12-byte prelude at the start of `bytes`; sets *total to the message length.
bool check_prelude(std::string_view bytes, size_t* total, std::string* error) {
  const uint32_t total_length = static_cast<uint32_t>(get_be(bytes, 0, 4));
  const uint32_t headers_length = static_cast<uint32_t>(get_be(bytes, 4, 4));
  const uint32_t prelude_crc = static_cast<uint32_t>(get_be(bytes, 8, 4));
  if (crc32(bytes.substr(0, 8)) != prelude_crc) {
    return fail(error, "event stream: prelude CRC mismatch");
  }
  if (total_length < kMinMessageLength || total_length > kMaxMessageLength) {
    return fail(error, "event stream: message length " + std::to_string(total_length) +
                           " out of bounds (16 to " + std::to_string(kMaxMessageLength) + ")");
  }
  if (headers_length > kMaxHeadersLength || headers_length > total_length - kMinMessageLength) {
    return fail(
        error, "event stream: headers length " + std::to_string(headers_length) + " out of bounds");
  }
  *total = total_length;
  return true;
}

// Reads the header at bytes[*at] and moves *at past it; false with *error set when it is
// malformed or runs past `bytes`.
bool read_header(std::string_view bytes, size_t* at, HeaderView* out, std::string* error) {
  size_t i = *at;
  const size_t name_length = static_cast<uint8_t>(bytes[i++]);
  if (name_length == 0) return fail(error, "event stream: empty header name");
  if (bytes.size() - i < name_length + 1) {
    return fail(error, "event stream: header name runs past the headers");
  }
  out->name = bytes.substr(i, name_length);
  i += name_length;
  const uint8_t type = static_cast<uint8_t>(bytes[i++]);
  const auto truncated = [&] {
    return fail(error, "event stream: header '" + std::string(out->name) + "' value is truncated");
  };
  if (type > static_cast<uint8_t>(HeaderType::uuid)) {
    return fail(error, "event stream: header '" + std::string(out->name) + "' has unknown type " +
                           std::to_string(type));
  }
  out->type = static_cast<HeaderType>(type);
  out->integer = 0;
  out->text = {};
  const size_t left = bytes.size() - i;
  const int width = fixed_width(out->type);
  if (out->type == HeaderType::bool_true || out->type == HeaderType::bool_false) {
    // No value bytes.
  } else if (width > 0) {
    if (left < static_cast<size_t>(width)) return truncated();
    out->integer = as_signed(get_be(bytes, i, width), width);
    i += width;
  } else if (out->type == HeaderType::uuid) {
    if (left < kUuidLength) return truncated();
    out->text = bytes.substr(i, kUuidLength);
    i += kUuidLength;
  } else {
    if (left < 2) return truncated();
    const size_t length = get_be(bytes, i, 2);
    i += 2;
    if (left - 2 < length) return truncated();
    out->text = bytes.substr(i, length);
    i += length;
  }
  *at = i;
  return true;
}

}  // namespace

const EventHeader* EventMessage::find(std::string_view name) const {
  for (const EventHeader& header : headers) {
    if (header.name == name) return &header;
  }
  return nullptr;
}

std::string_view EventMessage::string_header(std::string_view name) const {
  const EventHeader* header = find(name);
  if (header == nullptr || header->type != HeaderType::string) return {};
  return header->text;
}

void append_frame(std::string* out, const std::vector<EventHeader>& headers,
                  std::string_view payload) {
  const size_t start = out->size();
  out->append(kPreludeLength, '\0');  // filled in once the lengths are known
  for (const EventHeader& header : headers) append_header(out, header);
  const size_t headers_length = out->size() - start - kPreludeLength;
  out->append(payload);
  const size_t total_length = out->size() - start + 4;
  std::string prelude;
  put_be(&prelude, total_length, 4);
  put_be(&prelude, headers_length, 4);
  put_be(&prelude, crc32(prelude), 4);
  out->replace(start, kPreludeLength, prelude);
  put_be(out, crc32(std::string_view(*out).substr(start)), 4);
}

namespace {

// The bytes of one string header: name length, name, type, value length, value.
size_t string_header_size(std::string_view name, std::string_view value) {
  return 1 + name.size() + 1 + 2 + value.size();
}

void put_string_header(std::string* out, std::string_view name, std::string_view value) {
  out->push_back(static_cast<char>(name.size()));
  out->append(name);
  out->push_back(static_cast<char>(HeaderType::string));
  put_be(out, value.size(), 2);
  out->append(value);
}

// A JSON event or exception: the same bytes append_frame writes for its three string headers,
// without building them (one per streamed event, so its cost counts): the lengths are known up
// front, so the prelude is written first and the buffer grows once.
void append_json_frame(std::string* out, std::string_view kind_name, std::string_view kind,
                       std::string_view message_type, std::string_view payload) {
  constexpr std::string_view kContentType = ":content-type";
  constexpr std::string_view kJson = "application/json";
  constexpr std::string_view kMessageType = ":message-type";
  kind = kind.substr(0, std::min(kind.size(), kMaxValueLength));
  const size_t headers_length = string_header_size(kind_name, kind) +
                                string_header_size(kContentType, kJson) +
                                string_header_size(kMessageType, message_type);
  const size_t total_length = kPreludeLength + headers_length + payload.size() + 4;
  const size_t start = out->size();
  out->reserve(start + total_length);
  put_be(out, total_length, 4);
  put_be(out, headers_length, 4);
  put_be(out, crc32(std::string_view(*out).substr(start, 8)), 4);
  put_string_header(out, kind_name, kind);
  put_string_header(out, kContentType, kJson);
  put_string_header(out, kMessageType, message_type);
  out->append(payload);
  put_be(out, crc32(std::string_view(*out).substr(start)), 4);
}

}  // namespace

void append_event_frame(std::string* out, std::string_view event_type, std::string_view payload) {
  append_json_frame(out, ":event-type", event_type, "event", payload);
}

void append_exception_frame(std::string* out, std::string_view exception_type,
                            std::string_view payload) {
  append_json_frame(out, ":exception-type", exception_type, "exception", payload);
}

std::string_view MessageView::string_header(std::string_view name) const {
  const auto value = [](const HeaderView& header) {
    return header.type == HeaderType::string ? header.text : std::string_view();
  };
  for (size_t i = 0; i < kept_count_; ++i) {
    if (kept_[i].name == name) return value(kept_[i]);
  }
  // The headers were checked when the view was made, so reading them cannot fail here.
  std::string unused;
  HeaderView header;
  for (size_t at = rest_; at < headers_.size() && read_header(headers_, &at, &header, &unused);) {
    if (header.name == name) return value(header);
  }
  return {};
}

std::vector<EventHeader> MessageView::headers() const {
  std::vector<EventHeader> headers;
  std::string unused;
  HeaderView header;
  for (size_t at = 0; at < headers_.size() && read_header(headers_, &at, &header, &unused);) {
    headers.push_back(EventHeader{std::string(header.name), header.type, header.integer,
                                  std::string(header.text)});
  }
  return headers;
}

bool decode_view(std::string_view frame, MessageView* out, std::string* error) {
  if (frame.size() < kMinMessageLength) return fail(error, "event stream: message is truncated");
  size_t total = 0;
  if (!check_prelude(frame, &total, error)) return false;
  if (total != frame.size()) {
    return fail(error, "event stream: message length " + std::to_string(total) + " but " +
                           std::to_string(frame.size()) + " bytes given");
  }
  const uint32_t message_crc = static_cast<uint32_t>(get_be(frame, total - 4, 4));
  if (crc32(frame.substr(0, total - 4)) != message_crc) {
    return fail(error, "event stream: message CRC mismatch");
  }
  const size_t headers_length = get_be(frame, 4, 4);
  const std::string_view headers = frame.substr(kPreludeLength, headers_length);
  out->headers_ = headers;
  out->kept_count_ = 0;
  out->rest_ = headers.size();
  HeaderView header;
  for (size_t at = 0; at < headers.size();) {
    if (!read_header(headers, &at, &header, error)) return false;
    if (out->kept_count_ < MessageView::kKeptHeaders) {
      out->kept_[out->kept_count_++] = header;
      out->rest_ = at;
    }
  }
  const size_t payload_start = kPreludeLength + headers_length;
  out->payload_ = frame.substr(payload_start, total - 4 - payload_start);
  return true;
}

bool decode_frame(std::string_view frame, EventMessage* out, std::string* error) {
  MessageView view;
  if (!decode_view(frame, &view, error)) return false;
  out->headers = view.headers();
  out->payload.assign(view.payload());
  return true;
}

size_t Decoder::wanted() const {
  if (message_length_ == 0) return kPreludeLength - buffer_.size();
  return message_length_ - buffer_.size();
}

Decoder::Result Decoder::feed(std::string_view bytes, MessageHandler handler, void* context,
                              std::string* error) {
  if (!failure_.empty()) {
    *error = failure_;
    return Result::broken;
  }
  const auto broken = [&] {
    *error = failure_;
    return Result::broken;
  };
  MessageView message;
  while (!bytes.empty()) {
    if (buffer_.empty() && bytes.size() >= kPreludeLength) {
      // A message that lies whole in `bytes` (the usual case) is decoded there, without a copy;
      // decode_view checks the prelude its length comes from.
      const size_t length = get_be(bytes, 0, 4);
      if (length >= kMinMessageLength && bytes.size() >= length) {
        if (!decode_view(bytes.substr(0, length), &message, &failure_)) return broken();
        bytes.remove_prefix(length);
        if (!handler(message, context)) return Result::stopped;
        continue;
      }
    }
    // Take only what the current prelude or message needs, so the buffer stays bounded.
    const size_t take = std::min(wanted(), bytes.size());
    buffer_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (wanted() != 0) break;
    if (message_length_ == 0) {
      if (!check_prelude(buffer_, &message_length_, &failure_)) return broken();
      buffer_.reserve(message_length_);
      continue;
    }
    if (!decode_view(buffer_, &message, &failure_)) return broken();
    // The view points into the buffer: it is emptied only after the handler has run.
    const bool handled = handler(message, context);
    buffer_.clear();
    message_length_ = 0;
    if (!handled) return Result::stopped;
  }
  return Result::ok;
}

bool Decoder::feed(std::string_view bytes, std::vector<EventMessage>* out, std::string* error) {
  const auto collect = [](const MessageView& view, void* context) {
    auto* messages = static_cast<std::vector<EventMessage>*>(context);
    messages->push_back(EventMessage{view.headers(), std::string(view.payload())});
    return true;
  };
  return feed(bytes, collect, out, error) == Result::ok;
}

}  // namespace sluice::aws
