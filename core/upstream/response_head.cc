// Line-by-line parsing of a response header block (see response_head.h).

#include "core/upstream/response_head.h"

#include "core/http/ascii_case.h"
#include "core/http/field_value.h"
#include "core/http/token.h"

namespace sluice::upstream {

ResponseHeadParser::Step ResponseHeadParser::fail(std::string message) {
  error_ = std::move(message);
  return Step::error;
}

bool ResponseHeadParser::parse_status_line(std::string_view line) {
  // HTTP-version SP 3DIGIT [SP reason]. HTTP/2 and HTTP/3 carry no minor version ("HTTP/2 200").
  constexpr std::string_view kPrefix = "HTTP/";
  if (line.substr(0, kPrefix.size()) != kPrefix) return false;
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || space == kPrefix.size()) return false;
  const std::string_view version = line.substr(kPrefix.size(), space - kPrefix.size());
  for (const char c : version) {
    if (!(c >= '0' && c <= '9') && c != '.') return false;
  }
  const std::string_view code = line.substr(space + 1, 3);
  if (code.size() != 3) return false;
  int status = 0;
  for (const char c : code) {
    if (c < '0' || c > '9') return false;
    status = status * 10 + (c - '0');
  }
  if (line.size() > space + 4 && line[space + 4] != ' ') return false;
  if (status < 100 || status > 599) return false;
  status_ = status;
  return true;
}

ResponseHeadParser::Step ResponseHeadParser::feed(std::string_view line) {
  if (!error_.empty()) return Step::error;
  bytes_ += line.size();
  if (bytes_ > max_bytes_) {
    return fail("response header block exceeds " + std::to_string(max_bytes_) + " bytes");
  }
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  if (!have_status_) {
    if (!parse_status_line(line)) return fail("malformed response status line");
    have_status_ = true;
    return Step::more;
  }
  if (line.empty()) {
    if (status_ >= 200) return Step::done;
    // An interim response (100 Continue, 103 Early Hints, ...): forget it, a final one follows.
    have_status_ = false;
    status_ = 0;
    headers_.clear();
    return Step::interim;
  }
  if (http::is_ows(line.front())) {
    // Obsolete line folding: a continuation of the previous field's value.
    if (headers_.empty()) return fail("malformed response header line");
    const std::string_view more = http::trim_ows(line);
    if (!more.empty()) {
      std::string& value = headers_.back().value;
      if (!value.empty()) value += ' ';
      value.append(more);
    }
    return Step::more;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail("malformed response header line");
  }
  http::Header header;
  header.name.reserve(colon);
  for (const char c : line.substr(0, colon)) {
    if (!http::is_token_char(c)) return fail("malformed response header name");
    header.name += http::lower_ascii(c);
  }
  if (headers_.size() >= max_count_) {
    return fail("response has more than " + std::to_string(max_count_) + " header fields");
  }
  header.value = std::string(http::trim_ows(line.substr(colon + 1)));
  headers_.push_back(std::move(header));
  return Step::more;
}

}  // namespace sluice::upstream
