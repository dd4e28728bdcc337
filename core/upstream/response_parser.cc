// Strict HTTP/1.1 response parsing over llhttp, one event per step (see response_parser.h).

#include "core/upstream/response_parser.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "core/http/ascii_case.h"

namespace sluice::upstream {

namespace {

ResponseParser* self(llhttp_t* p) {
  return static_cast<ResponseParser*>(p->data);
}

// http::lower_ascii as a table: one load per byte of every response header name.
constexpr std::array<char, 256> kLower = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = http::lower_ascii(static_cast<char>(c));
  return table;
}();

// `name` lower-cased into `out` (name.size() bytes). Every response header name passes here, so
// it takes eight bytes at a time: a byte gets 0x20 where it is an ASCII 'A'..'Z' (the additions
// cannot carry into the next byte, as the high bits are masked off first). A name of eight bytes
// or more ends with one more word over its last eight bytes, which lowers some of them twice.
void copy_lowered(std::string_view name, char* out) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = kOnes * 0x80;
  const auto lower_word = [&](size_t at) {
    uint64_t word;
    std::memcpy(&word, name.data() + at, 8);
    const uint64_t low_bits = word & (kOnes * 0x7F);
    const uint64_t from_a = low_bits + kOnes * (0x80 - 'A');       // high bit: byte >= 'A'
    const uint64_t after_z = low_bits + kOnes * (0x80 - 'Z' - 1);  // high bit: byte > 'Z'
    const uint64_t upper = from_a & ~after_z & ~word & kHighBits;
    word |= upper >> 2;
    std::memcpy(out + at, &word, 8);
  };
  const size_t n = name.size();
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) out[i] = kLower[static_cast<unsigned char>(name[i])];
    return;
  }
  for (size_t at = 0; at + 8 <= n; at += 8) lower_word(at);
  if (n % 8 != 0) lower_word(n - 8);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

const llhttp_settings_t* ResponseParser::settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_header_field = &ResponseParser::on_header_field;
    s.on_header_value = &ResponseParser::on_header_value;
    s.on_header_value_complete = &ResponseParser::on_header_value_complete;
    s.on_headers_complete = &ResponseParser::on_headers_complete;
    s.on_body = &ResponseParser::on_body;
    s.on_chunk_complete = &ResponseParser::on_chunk_complete;
    s.on_message_complete = &ResponseParser::on_message_complete;
    return s;
  }();
  return &settings;
}

ResponseParser::ResponseParser(Limits limits) : limits_(limits) {
  // The members start as start(false) leaves them; only llhttp needs setting up.
  llhttp_init(&parser_, HTTP_RESPONSE, settings());
  parser_.data = this;
}

void ResponseParser::start(bool head_request) {
  llhttp_init(&parser_, HTTP_RESPONSE, settings());
  parser_.data = this;
  head_request_ = head_request;
  paused_ = false;
  failed_ = false;
  interim_ = false;
  headers_done_ = false;
  headers_ready_ = false;
  complete_ = false;
  complete_reported_ = false;
  keep_alive_ = false;
  scanner_ = http::HeaderScanner{.in_request_line = false};
  head_bytes_ = 0;
  status_ = 0;
  input_ = nullptr;
  name_ = {};
  value_ = {};
  carry_.clear();
  headers_.clear();
  body_ = {};
  error_.clear();
}

ResponseParser::Step ResponseParser::fail(std::string message) {
  failed_ = true;
  if (error_.empty()) error_ = std::move(message);
  Step step;
  step.error = true;
  return step;
}

int ResponseParser::set_error(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return HPE_USER;
}

void ResponseParser::resume_if_paused() {
  if (paused_) {
    llhttp_resume(&parser_);
    paused_ = false;
  }
}

ResponseParser::Step ResponseParser::collect(size_t consumed) {
  Step step;
  step.consumed = consumed;
  step.headers = headers_ready_;
  headers_ready_ = false;
  step.body = body_;
  body_ = {};
  if (complete_ && !complete_reported_) {
    complete_reported_ = true;
    step.complete = true;
  }
  return step;
}

ResponseParser::Step ResponseParser::feed(std::string_view data) {
  static const char kEmpty[1] = {0};
  if (failed_) return fail({});
  if (complete_) return collect(0);
  resume_if_paused();

  // The header section never gets more than max_header_bytes bytes, interim blocks included.
  const bool in_head = !headers_done_;
  std::string_view slice = data;
  if (in_head) {
    const size_t room = limits_.max_header_bytes - head_bytes_;
    if (slice.size() > room) slice = slice.substr(0, room);
  }
  const char* begin = slice.empty() ? kEmpty : slice.data();
  input_ = begin;
  const llhttp_errno_t err = llhttp_execute(&parser_, begin, slice.size());
  // A field cut by the end of this read keeps its bytes so far: the read buffer is reused.
  if (!headers_done_) carry_field();
  input_ = nullptr;
  size_t used = slice.size();
  if (err == HPE_PAUSED) {
    used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - begin);
    paused_ = true;
  } else if (err != HPE_OK) {
    // llhttp 8 gives no reason when a span callback failed (error_ says why then).
    const char* reason = llhttp_get_error_reason(&parser_);
    return fail(std::string("malformed response: ") + (reason != nullptr ? reason : "?"));
  }
  if (in_head) {
    if (const char* problem = scanner_.scan(slice.substr(0, used))) {
      return fail(std::string("malformed response: ") + problem);
    }
    head_bytes_ += used;
    if (!headers_done_ && used == slice.size() && slice.size() < data.size()) {
      return fail("response header block exceeds " + std::to_string(limits_.max_header_bytes) +
                  " bytes");
    }
  }
  return collect(used);
}

ResponseParser::Step ResponseParser::finish() {
  if (failed_) return fail({});
  if (complete_) return collect(0);
  if (paused_) {
    // Let llhttp act on the state it paused in (say a body framed by the end of the connection
    // that has not begun yet) before it hears of the end.
    Step step = feed({});
    if (step.error || step.headers || step.complete || !step.body.empty()) return step;
  }
  const llhttp_errno_t err = llhttp_finish(&parser_);
  if ((err == HPE_OK || err == HPE_PAUSED) && complete_) return collect(0);
  return fail("the connection closed before the response ended");
}

void ResponseParser::carry(Span* span) {
  if (span->carried || span->size == 0) return;
  const size_t offset = carry_.size();
  carry_.append(input_ + span->offset, span->size);
  *span = Span{offset, span->size, true};
}

void ResponseParser::carry_field() {
  // In this order, so the span still growing (the value once it began) ends carry_.
  carry(&name_);
  carry(&value_);
}

void ResponseParser::extend(Span* span, const char* at, size_t length) {
  if (span->size == 0 && !span->carried) {
    *span = Span{static_cast<size_t>(at - input_), length, false};
  } else if (!span->carried && input_ + span->offset + span->size == at) {
    span->size += length;
  } else {
    // A later run of a span: it continues the span's copy (which carry_field() makes the last
    // bytes of carry_), so a field trickled in over many reads is still copied once.
    carry_field();
    carry_.append(at, length);
    span->size += length;
  }
}

std::string_view ResponseParser::text(const Span& span) const {
  return {(span.carried ? carry_.data() : input_) + span.offset, span.size};
}

int ResponseParser::on_header_field(llhttp_t* p, const char* at, size_t length) {
  ResponseParser* s = self(p);
  if (!s->headers_done_) s->extend(&s->name_, at, length);  // trailers are dropped
  return 0;
}

int ResponseParser::on_header_value(llhttp_t* p, const char* at, size_t length) {
  ResponseParser* s = self(p);
  if (!s->headers_done_) s->extend(&s->value_, at, length);
  return 0;
}

int ResponseParser::on_header_value_complete(llhttp_t* p) {
  ResponseParser* s = self(p);
  if (s->headers_done_) return 0;
  if (s->headers_.size() == s->limits_.max_header_count) {
    return s->set_error("response has more than " + std::to_string(s->limits_.max_header_count) +
                        " header fields");
  }
  // take_headers() hands the vector on, so each response's starts empty: one allocation.
  if (s->headers_.capacity() == 0) s->headers_.reserve(16);
  const std::string_view name = s->text(s->name_);
  const std::string_view value = trim(s->text(s->value_));
  // Made in place: the name lower-cased as it is copied, the value moved in.
  http::Header& header = s->headers_.emplace_back();
  header.name.resize(name.size());
  copy_lowered(name, header.name.data());
  header.value = std::string(value.data(), value.size());
  s->name_ = {};
  s->value_ = {};
  s->carry_.clear();
  return 0;
}

int ResponseParser::on_headers_complete(llhttp_t* p) {
  ResponseParser* s = self(p);
  const int status = llhttp_get_status_code(p);
  if (status < 100 || status > 599) {
    s->set_error("malformed response: status code out of range");
    return -1;
  }
  if (status == 101) {
    s->set_error("the upstream switched protocols (101)");
    return -1;
  }
  if (status < 200) {
    // An interim response (100 Continue, 103 Early Hints, ...): its block is forgotten once the
    // message ends; a final one follows on the same connection.
    s->interim_ = true;
    p->flags |= F_SKIPBODY;
    return 0;
  }
  // RFC 9112 section 6.3: no body for HEAD, 204 and 304, whatever the framing headers say. This
  // is what returning 1 tells llhttp; pausing instead keeps the header block a step of its own.
  if (s->head_request_ || status == 204 || status == 304) p->flags |= F_SKIPBODY;
  s->status_ = status;
  s->headers_done_ = true;
  s->headers_ready_ = true;
  return HPE_PAUSED;
}

int ResponseParser::on_body(llhttp_t* p, const char* at, size_t length) {
  ResponseParser* s = self(p);
  if (s->body_.empty()) {
    s->body_ = std::string_view(at, length);
  } else if (s->body_.data() + s->body_.size() == at) {
    s->body_ = std::string_view(s->body_.data(), s->body_.size() + length);
  } else {
    // Cannot happen: every chunk ends in a pause (on_chunk_complete), and other bodies are one
    // contiguous run per execute.
    return s->set_error("internal error: body bytes out of order");
  }
  return 0;
}

int ResponseParser::on_chunk_complete(llhttp_t* p) {
  // One chunk per step: its bytes are a view that the caller delivers before parsing on.
  return self(p)->body_.empty() ? 0 : HPE_PAUSED;
}

int ResponseParser::on_message_complete(llhttp_t* p) {
  ResponseParser* s = self(p);
  if (s->interim_) {
    s->interim_ = false;
    s->headers_.clear();
    return 0;
  }
  s->keep_alive_ = llhttp_should_keep_alive(p) != 0;
  s->complete_ = true;
  return HPE_PAUSED;  // bytes after the response are the connection's, not this response's
}

}  // namespace sluice::upstream
