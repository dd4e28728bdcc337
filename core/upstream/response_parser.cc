// Strict HTTP/1.1 response parsing by hand, one event per step (see response_parser.h).

#include "core/upstream/response_parser.h"

#include <cstring>

#include "core/http/ascii_case.h"
#include "core/http/field_value.h"
#include "core/http/token.h"

namespace sluice::upstream {

namespace {

// A byte a field value, reason phrase or chunk extension may not hold: a control character other
// than HTAB, or DEL (obs-text, 0x80 and up, is allowed).
constexpr bool is_control(unsigned char c) {
  return (c < 0x20 && c != '\t') || c == 0x7F;
}

// The first control byte of text, or npos. Eight bytes at a time, the last eight overlapping
// the word before: a word with any byte below 0x20 (a tab included) or equal to 0x7F sends the
// rest to the exact byte loop, so a borrow spilling into a higher byte can only cost time, never
// a wrong answer.
size_t first_control(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = kOnes * 0x80;
  const auto suspect = [&](size_t at) {
    uint64_t word;
    std::memcpy(&word, text.data() + at, 8);
    const uint64_t below_space = (word - kOnes * 0x20) & ~word;
    const uint64_t del = word ^ (kOnes * 0x7F);
    return ((below_space | ((del - kOnes) & ~del)) & kHighBits) != 0;
  };
  size_t i = 0;
  if (text.size() >= 8) {
    while (i + 8 <= text.size() && !suspect(i)) i += 8;
    if (i + 8 > text.size() && !suspect(text.size() - 8)) return std::string_view::npos;
  }
  for (; i < text.size(); ++i) {
    if (is_control(static_cast<unsigned char>(text[i]))) return i;
  }
  return std::string_view::npos;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ResponseParser::ResponseParser(Limits limits) : limits_(limits) {}

void ResponseParser::start(bool head_request) {
  phase_ = Phase::head;
  chunk_ = Chunk::size;
  head_request_ = head_request;
  complete_reported_ = false;
  keep_alive_ = false;
  head_bytes_ = 0;
  line_.clear();
  start_block();
  remaining_ = 0;
  size_digits_ = 0;
  extension_bytes_ = 0;
  status_ = 0;
  headers_.clear();
  error_.clear();
}

void ResponseParser::start_block() {
  block_started_ = false;
  interim_ = false;
  http10_ = false;
  block_fields_ = 0;
  content_lengths_ = 0;
  content_length_ = 0;
  transfer_encoding_ = false;
  chunked_codings_ = 0;
  chunked_last_ = false;
  connection_close_ = false;
  connection_keep_alive_ = false;
}

ResponseParser::Step ResponseParser::fail(std::string message) {
  phase_ = Phase::failed;
  if (error_.empty()) error_ = std::move(message);
  Step step;
  step.error = true;
  return step;
}

ResponseParser::Step ResponseParser::complete_step(size_t consumed) {
  phase_ = Phase::done;
  Step step;
  step.consumed = consumed;
  step.complete = !complete_reported_;
  complete_reported_ = true;
  return step;
}

ResponseParser::Step ResponseParser::feed(std::string_view data) {
  switch (phase_) {
    case Phase::head:
      return feed_head(data);
    case Phase::length_body: {
      Step step;
      const size_t n = remaining_ < data.size() ? static_cast<size_t>(remaining_) : data.size();
      remaining_ -= n;
      if (remaining_ == 0) step = complete_step(n);
      step.consumed = n;
      step.body = data.substr(0, n);
      return step;
    }
    case Phase::chunked_body:
      return feed_chunked(data);
    case Phase::close_body: {
      Step step;
      step.consumed = data.size();
      step.body = data;
      return step;
    }
    case Phase::done:
      return complete_step(0);
    case Phase::failed:
      break;
  }
  return fail({});
}

ResponseParser::Step ResponseParser::finish() {
  if (phase_ == Phase::failed) return fail({});
  if (phase_ == Phase::done || phase_ == Phase::close_body) return complete_step(0);
  return fail("the connection closed before the response ended");
}

bool ResponseParser::next_line(std::string_view data, size_t* used, std::string_view* line) {
  const void* newline = std::memchr(data.data(), '\n', data.size());
  const size_t length =
      newline ? static_cast<size_t>(static_cast<const char*>(newline) - data.data()) + 1
              : data.size();
  if (length > limits_.max_header_bytes - head_bytes_) {
    fail("response header block exceeds " + std::to_string(limits_.max_header_bytes) + " bytes");
    *used = 0;
    return false;
  }
  head_bytes_ += length;
  *used = length;
  if (newline == nullptr) {
    line_.append(data);
    return false;
  }
  std::string_view text = data.substr(0, length);
  if (!line_.empty()) {
    line_.append(text);
    text = line_;
  }
  if (text.size() < 2 || text[text.size() - 2] != '\r') {
    fail("malformed response: bare LF in header section");
    return false;
  }
  *line = text.substr(0, text.size() - 2);
  return true;
}

ResponseParser::Step ResponseParser::feed_head(std::string_view data) {
  size_t used = 0;
  while (used < data.size()) {
    size_t taken = 0;
    std::string_view line;
    const bool got = next_line(data.substr(used), &taken, &line);
    used += taken;
    if (!got) break;
    const Line outcome = take_head_line(line);
    line_.clear();  // after take_head_line: `line` may be a view of it
    if (outcome == Line::failed) break;
    if (outcome == Line::block_end && phase_ != Phase::head) {
      Step step;
      step.consumed = used;
      step.headers = true;
      return step;
    }
  }
  if (phase_ == Phase::failed) return fail({});
  Step step;
  step.consumed = used;
  return step;
}

ResponseParser::Line ResponseParser::take_head_line(std::string_view line) {
  if (!block_started_) {
    block_started_ = true;
    return status_line(line) ? Line::more : Line::failed;
  }
  if (line.empty()) return end_of_block();
  return field_line(line, !interim_) ? Line::more : Line::failed;
}

bool ResponseParser::status_line(std::string_view line) {
  // HTTP-version SP 3DIGIT [SP reason-phrase]: the space before an empty reason is optional,
  // as many servers leave it out.
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !is_digit(line[5]) || line[6] != '.' ||
      !is_digit(line[7]) || line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) ||
      !is_digit(line[11]) || (line.size() > 12 && line[12] != ' ')) {
    fail("malformed response: bad status line");
    return false;
  }
  if (line[5] != '1' || line[7] > '1') {
    fail("malformed response: HTTP version not supported");
    return false;
  }
  if (first_control(line) != std::string_view::npos) {
    fail("malformed response: control character in status line");
    return false;
  }
  const int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status < 100 || status > 599) {
    fail("malformed response: status code out of range");
    return false;
  }
  if (status == 101) {
    fail("the upstream switched protocols (101)");
    return false;
  }
  // An interim response (100 Continue, 103 Early Hints, ...): its block is forgotten at its end;
  // a final one follows on the same connection. HTTP/1.0 has none (RFC 9110 section 15.2).
  interim_ = status < 200;
  http10_ = line[7] == '0';
  if (interim_ && http10_) {
    fail("malformed response: an interim response in HTTP/1.0");
    return false;
  }
  if (!interim_) status_ = status;
  return true;
}

bool ResponseParser::field_line(std::string_view line, bool keep) {
  if (line.front() == ' ' || line.front() == '\t') {
    fail("malformed response: obsolete line folding in header section");
    return false;
  }
  size_t colon = 0;
  while (colon < line.size() && http::is_token_char(line[colon])) ++colon;
  if (colon == 0 || colon == line.size() || line[colon] != ':') {
    fail("malformed response: invalid header name");
    return false;
  }
  const std::string_view raw_value = line.substr(colon + 1);
  if (const size_t bad = first_control(raw_value); bad != std::string_view::npos) {
    fail(raw_value[bad] == '\r' ? "malformed response: bare CR in header section"
                                : "malformed response: control character in header section");
    return false;
  }
  if (++block_fields_ > limits_.max_header_count) {
    fail("response has more than " + std::to_string(limits_.max_header_count) + " header fields");
    return false;
  }
  if (!keep) return true;
  // take_headers() hands the vector on, so each response's starts empty: one allocation.
  if (headers_.capacity() == 0) headers_.reserve(16);
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = http::trim_ows(raw_value);
  // Both built by their constructors, the name then lowered in place: resize() and assign()
  // of an empty string go through the library's general replace (some 130 instructions each).
  http::Header& header = headers_.emplace_back(http::Header{std::string(name), std::string(value)});
  http::lower_ascii_in_place(header.name.data(), header.name.size());
  return framing_field(header, raw_value);
}

bool ResponseParser::framing_field(const http::Header& header, std::string_view raw_value) {
  const std::string_view name = header.name;
  const std::string_view value = header.value;
  const bool content_length = name.size() == 14 && name == "content-length";
  const bool transfer_encoding =
      !content_length && name.size() == 17 && name == "transfer-encoding";
  const bool connection = name.size() == 10 && name == "connection";
  if (!content_length && !transfer_encoding && !connection) return true;
  // A tab in a framing field is whitespace to the RFC but a token byte to llhttp, which then
  // frames the body otherwise: no guess where readers disagree.
  const bool has_tab = raw_value.find('\t') != std::string_view::npos;
  if (has_tab && !connection) {
    fail("malformed response: tab in a framing header");
    return false;
  }
  if (content_length) {
    if (++content_lengths_ > 1) {
      fail("malformed response: duplicate Content-Length");
      return false;
    }
    // 19 digits always fit in 64 bits.
    if (value.empty() || value.size() > 19) {
      fail("malformed response: invalid Content-Length");
      return false;
    }
    for (char c : value) {
      if (!is_digit(c)) {
        fail("malformed response: invalid Content-Length");
        return false;
      }
      content_length_ = content_length_ * 10 + static_cast<uint64_t>(c - '0');
    }
  } else if (transfer_encoding) {
    transfer_encoding_ = true;
    bool empty = false;
    http::for_each_list_element(value, [&](std::string_view coding) {
      empty = empty || coding.empty();
      chunked_last_ = http::iequals_ascii(coding, "chunked");
      chunked_codings_ += chunked_last_ ? 1 : 0;
    });
    if (empty) {
      fail("malformed response: empty Transfer-Encoding element");
      return false;
    }
  } else {
    connection_close_ = connection_close_ || has_tab;  // the connection is not reused then
    http::for_each_list_element(value, [&](std::string_view option) {
      if (http::iequals_ascii(option, "close")) connection_close_ = true;
      if (http::iequals_ascii(option, "keep-alive")) connection_keep_alive_ = true;
    });
  }
  return true;
}

ResponseParser::Line ResponseParser::end_of_block() {
  if (interim_) {
    start_block();
    return Line::block_end;
  }
  if (transfer_encoding_) {
    // RFC 9112 section 6: framing a proxy must not guess at.
    if (content_lengths_ > 0) {
      fail("malformed response: Content-Length with Transfer-Encoding");
      return Line::failed;
    }
    if (http10_) {
      fail("malformed response: Transfer-Encoding in HTTP/1.0");
      return Line::failed;
    }
    if (chunked_codings_ > 1) {
      fail("malformed response: chunked applied more than once");
      return Line::failed;
    }
  }
  // RFC 9112 section 6.3: no body for HEAD, 204 and 304, whatever the framing headers say; a
  // Transfer-Encoding not ending in chunked, or no framing at all, runs to the connection's end.
  if (head_request_ || status_ == 204 || status_ == 304) {
    phase_ = Phase::done;
  } else if (transfer_encoding_ && chunked_last_) {
    phase_ = Phase::chunked_body;
  } else if (content_lengths_ == 1) {
    remaining_ = content_length_;
    phase_ = remaining_ == 0 ? Phase::done : Phase::length_body;
  } else {
    phase_ = Phase::close_body;
  }
  keep_alive_ = (http10_ ? connection_keep_alive_ : true) && !connection_close_ &&
                phase_ != Phase::close_body;
  return Line::block_end;
}

bool ResponseParser::extension_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  switch (extension_) {
    case Extension::name_start:
      if (!http::is_token_char(c)) return false;
      extension_ = Extension::name;
      return true;
    case Extension::value_start:
      if (c == '"') {
        extension_ = Extension::quoted;
        return true;
      }
      if (!http::is_token_char(c)) return false;
      extension_ = Extension::token;
      return true;
    case Extension::name:
      if (http::is_token_char(c)) return true;
      if (c == '=') {
        extension_ = Extension::value_start;
        return true;
      }
      break;  // the end of the name: ';' or CR below
    case Extension::token:
      // As llhttp's strict mode: a token value ends the line (no ';' after it).
      if (http::is_token_char(c)) return true;
      if (c != '\r') return false;
      break;
    case Extension::quoted:
      // qdtext: HTAB, SP, visible ASCII but '"', obs-text. No quoted pairs (a backslash), which
      // llhttp's strict mode refuses too.
      if (c == '"') {
        extension_ = Extension::quoted_end;
        return true;
      }
      return c != '\\' && !is_control(byte);
    case Extension::quoted_end:
      break;
  }
  if (c == ';') {
    extension_ = Extension::name_start;
    return true;
  }
  if (c == '\r') {
    chunk_ = Chunk::size_lf;
    return true;
  }
  return false;
}

ResponseParser::Step ResponseParser::feed_chunked(std::string_view data) {
  size_t i = 0;
  while (i < data.size()) {
    const char c = data[i];
    switch (chunk_) {
      case Chunk::size:
        if (const int digit = hex_value(c); digit >= 0) {
          if (size_digits_ == 16) return fail("malformed response: chunk size too large");
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
          ++size_digits_;
        } else if (size_digits_ > 0 && c == ';') {
          chunk_ = Chunk::extension;
          extension_ = Extension::name_start;
        } else if (size_digits_ > 0 && c == '\r') {
          chunk_ = Chunk::size_lf;
        } else {
          return fail("malformed response: invalid chunk size");
        }
        ++i;
        break;
      case Chunk::extension:
        // Extensions mean nothing here; they are only checked and bounded.
        if (++extension_bytes_ > kMaxChunkExtension) {
          return fail("malformed response: chunk extension too long");
        }
        if (!extension_byte(c)) return fail("malformed response: invalid chunk extension");
        ++i;
        break;
      case Chunk::size_lf:
        if (c != '\n') return fail("malformed response: bare CR in chunk framing");
        ++i;
        size_digits_ = 0;
        extension_bytes_ = 0;
        if (remaining_ == 0) {
          chunk_ = Chunk::trailers;
          head_bytes_ = 0;  // the trailer section gets bounds of its own
          block_fields_ = 0;
        } else {
          chunk_ = Chunk::data;
        }
        break;
      case Chunk::data: {
        // One chunk's bytes (as far as they came) per step: a view the caller delivers first.
        const size_t n =
            remaining_ < data.size() - i ? static_cast<size_t>(remaining_) : data.size() - i;
        remaining_ -= n;
        if (remaining_ == 0) chunk_ = Chunk::data_cr;
        Step step;
        step.body = data.substr(i, n);
        step.consumed = i + n;
        return step;
      }
      case Chunk::data_cr:
        if (c != '\r') return fail("malformed response: chunk data not followed by CRLF");
        chunk_ = Chunk::data_lf;
        ++i;
        break;
      case Chunk::data_lf:
        if (c != '\n') return fail("malformed response: chunk data not followed by CRLF");
        chunk_ = Chunk::size;
        ++i;
        break;
      case Chunk::trailers: {
        size_t taken = 0;
        std::string_view line;
        const bool got = next_line(data.substr(i), &taken, &line);
        i += taken;
        if (!got) {
          if (phase_ == Phase::failed) return fail({});
          break;
        }
        const bool last = line.empty();
        const bool fine = last || field_line(line, false);
        line_.clear();
        if (!fine) return fail({});
        if (last) return complete_step(i);
        break;
      }
    }
  }
  Step step;
  step.consumed = i;
  return step;
}

}  // namespace sluice::upstream
