// Strict request parsing over llhttp: limits, framing checks and the pause-per-request protocol
// (see request_parser.h for what is checked beyond llhttp itself).

#include "core/http/request_parser.h"

#include "core/http/ascii_case.h"
#include "core/http/field_value.h"
#include "core/http/plain_request_head.h"

#include <algorithm>
#include <array>
#include <utility>

namespace sluice::http {
namespace {

// Chunked framing bytes allowed per chunk (hex size, CRLFs) before extensions count as abuse.
constexpr uint64_t kChunkFramingAllowance = 32;

// The fields check_headers acts on; their names all differ in length, so one compare tells.
enum class FramingField {
  other,
  content_length,
  transfer_encoding,
  host,
  upgrade,
  connection,
  expect
};

FramingField framing_field(std::string_view name) {
  auto is = [&](std::string_view known, FramingField field) {
    return name == known ? field : FramingField::other;
  };
  switch (name.size()) {
    case 4:
      return is("host", FramingField::host);
    case 6:
      return is("expect", FramingField::expect);
    case 7:
      return is("upgrade", FramingField::upgrade);
    case 10:
      return is("connection", FramingField::connection);
    case 14:
      return is("content-length", FramingField::content_length);
    case 17:
      return is("transfer-encoding", FramingField::transfer_encoding);
    default:
      return FramingField::other;
  }
}

bool is_digit_dot_digit(std::string_view text) {
  return text.size() == 3 && text[0] >= '0' && text[0] <= '9' && text[1] == '.' && text[2] >= '0' &&
         text[2] <= '9';
}

RequestParser* self(llhttp_t* p) {
  return static_cast<RequestParser*>(p->data);
}

}  // namespace

const llhttp_settings_t* RequestParser::settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &RequestParser::on_message_begin;
    s.on_url = &RequestParser::on_url;
    s.on_version = &RequestParser::on_version;
    s.on_version_complete = &RequestParser::on_version_complete;
    s.on_header_field = &RequestParser::on_header_field;
    s.on_header_value = &RequestParser::on_header_value;
    s.on_header_field_complete = &RequestParser::on_header_field_complete;
    s.on_header_value_complete = &RequestParser::on_header_value_complete;
    s.on_headers_complete = &RequestParser::on_headers_complete;
    s.on_body = &RequestParser::on_body;
    s.on_chunk_header = &RequestParser::on_chunk_header;
    s.on_message_complete = &RequestParser::on_message_complete;
    return s;
  }();
  return &settings;
}

RequestParser::RequestParser(const ServerLimits& limits, bool plain_fast_path)
    : limits_(limits), plain_fast_path_(plain_fast_path) {
  llhttp_init(&parser_, HTTP_REQUEST, settings());
  parser_.data = this;
}

void RequestParser::next_request() {
  if (phase_ == Phase::failed) return;
  // llhttp starts each request afresh: it never saw one the fast path read, and whether the
  // connection stays open is check_headers' call, not llhttp's (which takes "keep-alive\t" in an
  // HTTP/1.0 request for a close, and would then refuse the next request).
  llhttp_reset(&parser_);
  parser_paused_ = false;
  plain_ = false;
  phase_ = Phase::idle;
  pause_ = Pause::none;
  scanner_ = HeaderScanner{};
  scanning_ = true;
  request_ = Request{};
  request_.headers.reserve(16);  // one allocation for a typical request's fields, not five
  field_.clear();
  value_.clear();
  version_text_.clear();
  version_seen_ = false;
  in_trailers_ = false;
  header_bytes_ = 0;
  field_count_ = 0;
  body_phase_bytes_ = 0;
  chunk_count_ = 0;
  chunked_ = false;
  body_expected_ = false;
  expect_continue_ = false;
}

Request RequestParser::take_request() {
  return std::move(request_);
}

RequestParser::Progress RequestParser::fail(int status, std::string message, size_t consumed) {
  phase_ = Phase::failed;
  error_status_ = status;
  error_message_ = std::move(message);
  return {Event::error, consumed};
}

int RequestParser::set_error(int status, std::string message) {
  if (error_status_ == 0) {
    error_status_ = status;
    error_message_ = std::move(message);
  }
  return HPE_USER;
}

RequestParser::Progress RequestParser::feed(std::string_view data) {
  static const char kEmpty[1] = {0};
  size_t total = 0;
  while (true) {
    if (phase_ == Phase::failed) return {Event::error, total};
    if (phase_ == Phase::complete) return {Event::message_complete, total};
    std::string_view rest = data.substr(total);
    if (phase_ == Phase::idle) {
      if (rest.empty()) return {Event::need_more, total};
      if (plain_fast_path_ && take_plain_head(rest)) {
        return {Event::headers_complete, total + header_bytes_};
      }
    }
    if (plain_) return feed_plain_body(rest, total);

    // The header section never gets more than max_header_bytes bytes in total.
    std::string_view slice = rest;
    const bool in_head = phase_ == Phase::idle || phase_ == Phase::head;
    if (in_head) {
      const uint64_t room =
          limits_.max_header_bytes > header_bytes_ ? limits_.max_header_bytes - header_bytes_ : 0;
      if (room == 0) return fail(431, "request header section too large", total);
      if (slice.size() > room) slice = slice.substr(0, room);
      if (phase_ == Phase::idle) phase_ = Phase::head;
    }
    if (parser_paused_) {
      llhttp_resume(&parser_);
      parser_paused_ = false;
    }
    pause_ = Pause::none;
    const char* begin = slice.empty() ? kEmpty : slice.data();
    const llhttp_errno_t err = llhttp_execute(&parser_, begin, slice.size());
    size_t used = 0;
    if (err == HPE_OK) {
      used = slice.size();
    } else if (err == HPE_PAUSED) {
      used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - begin);
      parser_paused_ = true;
    } else {
      if (error_status_ != 0) return fail(error_status_, error_message_, total);
      // A well-formed version other than 1.0/1.1 is unsupported (505); anything else around the
      // version is malformed (400).
      if (err == HPE_INVALID_VERSION && is_digit_dot_digit(version_text_) &&
          version_text_ != "1.0" && version_text_ != "1.1") {
        return fail(505, "HTTP version not supported", total);
      }
      return fail(400, std::string("malformed request: ") + llhttp_get_error_reason(&parser_),
                  total);
    }
    if (scanning_) {
      if (const char* problem = scanner_.scan(slice.substr(0, used))) {
        return fail(400, std::string("malformed request: ") + problem, total);
      }
    }
    if (in_head) {
      header_bytes_ += used;
    } else {
      body_phase_bytes_ += used;
      if (chunked_ && body_phase_bytes_ - request_.body.size() >
                          limits_.max_header_bytes + kChunkFramingAllowance * chunk_count_) {
        return fail(400, "malformed request: chunked framing too large", total);
      }
    }
    total += used;

    if (err == HPE_OK) {
      if (in_head && slice.size() < rest.size()) {
        return fail(431, "request header section too large", total);
      }
      return {Event::need_more, total};
    }
    switch (pause_) {
      case Pause::headers:
        scanning_ = false;
        phase_ = Phase::body;
        return {Event::headers_complete, total};
      case Pause::last_chunk:
        // Trailers follow: they get the same line checks as the header section.
        scanner_ = HeaderScanner{};
        scanner_.in_request_line = false;
        scanning_ = true;
        in_trailers_ = true;
        continue;
      case Pause::message:
        phase_ = Phase::complete;
        return {Event::message_complete, total};
      case Pause::none:
        return fail(400, "malformed request", total);
    }
  }
}

int RequestParser::on_message_begin(llhttp_t* p) {
  self(p)->phase_ = Phase::head;
  return 0;
}

int RequestParser::on_url(llhttp_t* p, const char* at, size_t length) {
  RequestParser* s = self(p);
  if (s->request_.target.size() + length > s->limits_.max_url_bytes) {
    return s->set_error(414, "request target too long");
  }
  s->request_.target.append(at, length);
  return 0;
}

int RequestParser::on_version(llhttp_t* p, const char* at, size_t length) {
  RequestParser* s = self(p);
  if (s->version_text_.size() + length <= 8) s->version_text_.append(at, length);
  return 0;
}

int RequestParser::on_version_complete(llhttp_t* p) {
  RequestParser* s = self(p);
  s->version_seen_ = true;
  if (p->http_major != 1 || p->http_minor > 1) {
    return s->set_error(505, "HTTP version not supported");
  }
  return 0;
}

int RequestParser::on_header_field(llhttp_t* p, const char* at, size_t length) {
  RequestParser* s = self(p);
  if (s->field_.size() + s->value_.size() + length > s->limits_.max_header_bytes) {
    return s->set_error(431, "request header field too large");
  }
  s->field_.append(at, length);
  return 0;
}

int RequestParser::on_header_value(llhttp_t* p, const char* at, size_t length) {
  RequestParser* s = self(p);
  if (s->field_.size() + s->value_.size() + length > s->limits_.max_header_bytes) {
    return s->set_error(431, "request header field too large");
  }
  s->value_.append(at, length);
  return 0;
}

int RequestParser::on_header_field_complete(llhttp_t* p) {
  RequestParser* s = self(p);
  if (++s->field_count_ > s->limits_.max_header_count) {
    return s->set_error(431, "too many request header fields");
  }
  if (s->field_.empty()) return s->set_error(400, "malformed request: empty header name");
  return 0;
}

int RequestParser::on_header_value_complete(llhttp_t* p) {
  self(p)->commit_header();
  return 0;
}

void RequestParser::commit_header() {
  // Trailer fields are checked and bounded but not kept: Request carries no trailers.
  if (!in_trailers_) {
    // The accumulated strings move into the field (no copy); a trimmed value is copied.
    Header& header = request_.headers.emplace_back();
    lower_ascii_in_place(field_.data(), field_.size());
    header.name = std::move(field_);
    const std::string_view value = trim_ows(value_);
    if (value.size() == value_.size()) {
      header.value = std::move(value_);
    } else {
      header.value.assign(value);
    }
  }
  field_.clear();
  value_.clear();
}

bool RequestParser::take_plain_head(std::string_view data) {
  PlainHead head;
  if (read_plain_head(data, limits_, request_, head) &&
      check_headers({.version_minor = head.version_minor,
                     .method = head.method,
                     .connect = false,
                     .content_length_valid = head.has_content_length,
                     .content_length = head.content_length})) {
    plain_ = true;
    plain_body_left_ = head.content_length;
    header_bytes_ = head.bytes;
    scanning_ = false;
    phase_ = Phase::body;
    return true;
  }
  // llhttp reads it from the start, and answers whatever made the fast path give up.
  request_.method.clear();
  request_.target.clear();
  request_.headers.clear();
  error_status_ = 0;
  error_message_.clear();
  body_expected_ = false;
  expect_continue_ = false;
  return false;
}

RequestParser::Progress RequestParser::feed_plain_body(std::string_view data, size_t consumed) {
  const size_t take = static_cast<size_t>(std::min<uint64_t>(plain_body_left_, data.size()));
  request_.body.append(data.data(), take);
  plain_body_left_ -= take;
  if (plain_body_left_ > 0) return {Event::need_more, consumed + take};
  phase_ = Phase::complete;
  return {Event::message_complete, consumed + take};
}

bool RequestParser::check_headers(const HeadFacts& facts) {
  Request& r = request_;
  r.version_minor = facts.version_minor;
  r.method = facts.method;
  if (facts.connect) {
    set_error(400, "CONNECT is not supported");
    return false;
  }

  int content_lengths = 0;
  int transfer_encodings = 0;
  int hosts = 0;
  bool te_is_chunked = true;
  bool connection_close = false;
  bool connection_keep_alive = false;
  for (const Header& h : r.headers) {
    switch (framing_field(h.name)) {
      case FramingField::content_length:
        ++content_lengths;
        break;
      case FramingField::transfer_encoding: {
        ++transfer_encodings;
        int codings = 0;
        for_each_list_element(h.value, [&](std::string_view coding) {
          if (coding.empty()) return;
          ++codings;
          if (!iequals_ascii(coding, "chunked")) te_is_chunked = false;
        });
        if (codings != 1) te_is_chunked = false;
        break;
      }
      case FramingField::host:
        ++hosts;
        break;
      case FramingField::upgrade:
        set_error(400, "protocol upgrades are not supported");
        return false;
      case FramingField::connection:
        for_each_list_element(h.value, [&](std::string_view option) {
          if (iequals_ascii(option, "close")) connection_close = true;
          if (iequals_ascii(option, "keep-alive")) connection_keep_alive = true;
        });
        break;
      case FramingField::expect:
        if (!iequals_ascii(h.value, "100-continue")) {
          set_error(417, "unsupported Expect header value");
          return false;
        }
        // A 100-continue expectation in an HTTP/1.0 request is ignored (RFC 9110 10.1.1).
        expect_continue_ = r.version_minor == 1;
        break;
      case FramingField::other:
        break;
    }
  }
  if (transfer_encodings > 0) {
    if (r.version_minor == 0) {
      set_error(400, "malformed request: Transfer-Encoding in HTTP/1.0");
      return false;
    }
    if (transfer_encodings != 1 || !te_is_chunked) {
      set_error(400, "malformed request: unsupported Transfer-Encoding");
      return false;
    }
    if (content_lengths > 0) {
      set_error(400, "malformed request: Content-Length with Transfer-Encoding");
      return false;
    }
  }
  if (content_lengths > 1) {
    set_error(400, "malformed request: duplicate Content-Length");
    return false;
  }
  if (r.version_minor == 1 ? hosts != 1 : hosts > 1) {
    set_error(400, hosts == 0 ? "malformed request: missing Host header"
                              : "malformed request: duplicate Host header");
    return false;
  }
  chunked_ = transfer_encodings == 1;
  if (content_lengths == 1 && !facts.content_length_valid) {
    set_error(400, "malformed request: invalid Content-Length");
    return false;
  }
  const uint64_t content_length = content_lengths == 1 ? facts.content_length : 0;
  if (content_length > limits_.max_body_bytes) {
    set_error(413, "request body too large");
    return false;
  }
  body_expected_ = chunked_ || content_length > 0;
  if (!body_expected_) expect_continue_ = false;
  // Reserve for the announced body, but not so much that idle clients can pin memory with it.
  constexpr uint64_t kMaxReserve = 1024 * 1024;
  if (content_length > 0)
    r.body.reserve(static_cast<size_t>(std::min(content_length, kMaxReserve)));

  r.keep_alive =
      r.version_minor == 1 ? !connection_close : (connection_keep_alive && !connection_close);
  // A loop, not find_first_of("?#"), which calls memchr over the set for every byte.
  size_t cut = 0;
  while (cut < r.target.size() && r.target[cut] != '?' && r.target[cut] != '#') ++cut;
  if (cut == r.target.size()) cut = std::string::npos;
  r.path = r.target.substr(0, cut);
  if (cut != std::string::npos && r.target[cut] == '?') {
    const size_t hash = r.target.find('#', cut);
    r.query = r.target.substr(cut + 1, hash == std::string::npos ? hash : hash - cut - 1);
  }
  return true;
}

int RequestParser::on_headers_complete(llhttp_t* p) {
  RequestParser* s = self(p);
  if (!s->version_seen_) {
    s->set_error(400, "malformed request: missing HTTP version");
    return -1;
  }
  const HeadFacts facts{
      .version_minor = p->http_minor,
      .method = llhttp_method_name(static_cast<llhttp_method_t>(p->method)),
      .connect = p->method == HTTP_CONNECT,
      .content_length_valid = (p->flags & F_CONTENT_LENGTH) != 0,
      .content_length = p->content_length,
  };
  if (!s->check_headers(facts)) return -1;
  s->pause_ = Pause::headers;
  return HPE_PAUSED;
}

int RequestParser::on_body(llhttp_t* p, const char* at, size_t length) {
  RequestParser* s = self(p);
  if (s->request_.body.size() + length > s->limits_.max_body_bytes) {
    return s->set_error(413, "request body too large");
  }
  s->request_.body.append(at, length);
  return 0;
}

int RequestParser::on_chunk_header(llhttp_t* p) {
  RequestParser* s = self(p);
  ++s->chunk_count_;
  // parser->content_length holds the size of the chunk about to be read.
  if (p->content_length > s->limits_.max_body_bytes - s->request_.body.size()) {
    s->set_error(413, "request body too large");
    return -1;
  }
  if (p->content_length == 0) {
    s->pause_ = Pause::last_chunk;
    return HPE_PAUSED;
  }
  return 0;
}

int RequestParser::on_message_complete(llhttp_t* p) {
  self(p)->pause_ = Pause::message;
  return HPE_PAUSED;
}

}  // namespace sluice::http
