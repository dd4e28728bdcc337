// A minimal XML reader for STS answers: see xml_text.h.

#include "providers/auth/xml_text.h"

#include <cstdint>

namespace sluice::providers::auth {
namespace {

void append_utf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    *out += static_cast<char>(code);
  } else if (code < 0x800) {
    *out += static_cast<char>(0xC0 | (code >> 6));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *out += static_cast<char>(0xE0 | (code >> 12));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (code >> 18));
    *out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// A numeric character reference's digits ("#65", "#x41") as a code point; false when bad.
bool numeric_reference(std::string_view digits, uint32_t* code) {
  int base = 10;
  if (!digits.empty() && (digits[0] == 'x' || digits[0] == 'X')) {
    base = 16;
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t value = 0;
  for (char c : digits) {
    uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint32_t>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = static_cast<uint32_t>(c - 'a' + 10);
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    value = value * static_cast<uint32_t>(base) + digit;
  }
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
  *code = value;
  return true;
}

}  // namespace

std::optional<std::string_view> xml_inner(std::string_view xml, std::string_view name) {
  size_t at = 0;
  while ((at = xml.find('<', at)) != std::string_view::npos) {
    const size_t name_start = at + 1;
    if (xml.substr(name_start, name.size()) != name) {
      ++at;
      continue;
    }
    const size_t after = name_start + name.size();
    if (after >= xml.size()) return std::nullopt;
    const char next = xml[after];
    if (next != '>' && next != ' ' && next != '\t' && next != '\r' && next != '\n' && next != '/') {
      ++at;  // a longer name that starts with this one
      continue;
    }
    const size_t tag_end = xml.find('>', after);
    if (tag_end == std::string_view::npos) return std::nullopt;
    if (xml[tag_end - 1] == '/') return std::string_view();  // <Name/>: empty
    const size_t content = tag_end + 1;
    const std::string closing = "</" + std::string(name) + ">";
    const size_t close = xml.find(closing, content);
    if (close == std::string_view::npos) return std::nullopt;
    return xml.substr(content, close - content);
  }
  return std::nullopt;
}

std::optional<std::string> xml_text(std::string_view xml, std::string_view name) {
  const std::optional<std::string_view> inner = xml_inner(xml, name);
  if (!inner) return std::nullopt;
  std::string out;
  out.reserve(inner->size());
  for (size_t i = 0; i < inner->size(); ++i) {
    const char c = (*inner)[i];
    if (c == '<') return std::nullopt;
    if (c != '&') {
      out += c;
      continue;
    }
    const size_t end = inner->find(';', i);
    if (end == std::string_view::npos || end - i > 12) return std::nullopt;
    const std::string_view entity = inner->substr(i + 1, end - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (entity == "apos") {
      out += '\'';
    } else if (uint32_t code = 0;
               entity.starts_with('#') && numeric_reference(entity.substr(1), &code)) {
      append_utf8(code, &out);
    } else {
      return std::nullopt;
    }
    i = end;
  }
  return out;
}

}  // namespace sluice::providers::auth
