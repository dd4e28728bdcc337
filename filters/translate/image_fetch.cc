// translate: finding image URLs and judging fetched images (see image_fetch.h).

#include "filters/translate/image_fetch.h"

#include <rapidjson/document.h>

#include <array>

#include "providers/support/base64.h"

namespace sluice::filters::translate {
namespace {

constexpr std::array<std::string_view, 4> kImageTypes = {"image/jpeg", "image/png", "image/gif",
                                                         "image/webp"};

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool is_web_url(std::string_view url) {
  return iequals_prefix(url, "http://") || iequals_prefix(url, "https://");
}

std::string_view string_of(const rapidjson::Value& value) {
  return std::string_view(value.GetString(), value.GetStringLength());
}

// The authority part of an http(s) URL and where the rest begins.
std::string_view authority_of(std::string_view url, size_t* start) {
  *start = url.find("://");
  *start = *start == std::string_view::npos ? 0 : *start + 3;
  const size_t end = url.find_first_of("/?#", *start);
  return url.substr(*start, end == std::string_view::npos ? url.size() - *start : end - *start);
}

// The essence of a Content-Type ("image/png; charset=x" -> "image/png"), lower-cased.
std::string media_type(std::string_view content_type) {
  const size_t end = content_type.find(';');
  std::string_view essence = content_type.substr(0, end);
  while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t')) {
    essence.remove_suffix(1);
  }
  while (!essence.empty() && (essence.front() == ' ' || essence.front() == '\t')) {
    essence.remove_prefix(1);
  }
  std::string lower(essence);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

std::string_view header_of(const sluice_op_done& done, std::string_view name) {
  for (size_t i = 0; i < done.header_count; ++i) {
    const sluice_header& header = done.headers[i];
    if (std::string_view(header.name.ptr, header.name.len) == name) {
      return std::string_view(header.value.ptr, header.value.len);
    }
  }
  return {};
}

}  // namespace

bool find_image_urls(std::string_view messages_json, std::vector<ImageRef>* out,
                     std::string* error) {
  rapidjson::Document messages;
  messages.Parse(messages_json.data(), messages_json.size());
  if (messages.HasParseError() || !messages.IsArray()) {
    *error = "messages must be an array";
    return false;
  }
  for (rapidjson::SizeType m = 0; m < messages.Size(); ++m) {
    const rapidjson::Value& message = messages[m];
    if (!message.IsObject()) continue;
    auto content = message.FindMember("content");
    if (content == message.MemberEnd() || !content->value.IsArray()) continue;
    for (rapidjson::SizeType p = 0; p < content->value.Size(); ++p) {
      const rapidjson::Value& part = content->value[p];
      if (!part.IsObject()) continue;
      auto type = part.FindMember("type");
      if (type == part.MemberEnd() || !type->value.IsString() ||
          string_of(type->value) != "image_url") {
        continue;
      }
      auto image = part.FindMember("image_url");
      if (image == part.MemberEnd()) continue;
      std::string pointer =
          "/messages/" + std::to_string(m) + "/content/" + std::to_string(p) + "/image_url";
      const rapidjson::Value* url = &image->value;
      if (url->IsObject()) {
        auto inner = url->FindMember("url");
        if (inner == url->MemberEnd()) continue;
        url = &inner->value;
        pointer += "/url";
      }
      if (!url->IsString() || !is_web_url(string_of(*url))) continue;
      out->push_back(ImageRef{m, p, std::move(pointer), std::string(string_of(*url))});
    }
  }
  return true;
}

std::string image_where(const ImageRef& image) {
  return "messages[" + std::to_string(image.message) + "].content[" + std::to_string(image.part) +
         "].image_url";
}

std::string unfetchable_url(std::string_view url) {
  constexpr size_t kMaxUrl = 8192;
  size_t start = 0;
  if (authority_of(url, &start).find('@') != std::string_view::npos) {
    return "an image URL must not carry user information";
  }
  if (url.size() > kMaxUrl) return "an image URL must be at most 8192 bytes";
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7F) return "an image URL must not hold spaces or control characters";
  }
  return {};
}

std::string fetch_url(std::string_view url) {
  std::string out(url);
  for (size_t i = 0; i < out.size() && out[i] != ':'; ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

std::string shown_url(std::string_view url) {
  size_t start = 0;
  const std::string_view authority = authority_of(url, &start);
  const size_t rest = start + authority.size();
  const size_t at = authority.rfind('@');
  const size_t end = url.find_first_of("?#", rest);
  std::string shown(url.substr(0, start));
  shown += at == std::string_view::npos ? authority : authority.substr(at + 1);
  shown += url.substr(rest, end == std::string_view::npos ? std::string_view::npos : end - rest);
  if (end != std::string_view::npos) shown += "?...";
  return shown;
}

std::optional<std::string_view> sniff_image_type(std::string_view bytes) {
  if (bytes.starts_with("\x89PNG\r\n\x1a\n")) return kImageTypes[1];
  if (bytes.starts_with("\xFF\xD8\xFF")) return kImageTypes[0];
  if (bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a")) return kImageTypes[2];
  if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") {
    return kImageTypes[3];
  }
  return std::nullopt;
}

FetchedImage judge_fetch(const sluice_op_done& done, uint64_t max_bytes, uint32_t timeout_ms) {
  FetchedImage fetched;
  switch (done.result) {
    case SLUICE_OP_OK:
      break;
    case SLUICE_OP_TOO_LARGE:
      fetched.problem = "the image is larger than " + std::to_string(max_bytes) +
                        " bytes (image_fetch_max_bytes)";
      return fetched;
    case SLUICE_OP_TIMEOUT:
      fetched.problem = "no complete answer within " + std::to_string(timeout_ms) +
                        " ms (image_fetch_timeout_ms)";
      return fetched;
    case SLUICE_OP_REFUSED:
      fetched.problem =
          "its host resolves to a private or internal address, which is refused "
          "(image_fetch_allow_private is off)";
      return fetched;
    default:
      fetched.problem = "the connection to its host failed";
      return fetched;
  }
  if (done.http_status != 200) {
    fetched.problem = "its server answered HTTP " + std::to_string(done.http_status);
    if (done.http_status >= 300 && done.http_status < 400) {
      fetched.problem += " (redirects are not followed)";
    }
    return fetched;
  }
  const std::string type = media_type(header_of(done, "content-type"));
  bool allowed = false;
  for (std::string_view known : kImageTypes) allowed = allowed || type == known;
  if (!allowed) {
    fetched.problem = "its Content-Type '" + type.substr(0, 100) +
                      "' is not image/jpeg, image/png, image/gif or image/webp";
    return fetched;
  }
  const std::string_view bytes(done.body.ptr ? done.body.ptr : "", done.body.len);
  if (sniff_image_type(bytes) != std::optional<std::string_view>(type)) {
    fetched.problem = "its bytes are not a " + type + " image (the Content-Type does not match)";
    return fetched;
  }
  fetched.data_url = "data:" + type + ";base64," + providers::support::base64(bytes);
  return fetched;
}

}  // namespace sluice::filters::translate
