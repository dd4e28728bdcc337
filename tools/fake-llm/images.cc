// The image endpoint (see images.h).

#include "tools/fake-llm/images.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>

#include "tools/fake-llm/responder.h"
#include "tools/fake-llm/response_plan.h"
#include "tools/fake-llm/routes.h"

namespace fake_llm {
namespace {

constexpr std::string_view kImages = "/_fake/images/";
constexpr uint64_t kMaxBytes = 64 * 1024 * 1024;
constexpr size_t kChunkBytes = 64 * 1024;
constexpr uint64_t kMaxDelayMs = 600000;

// Bodies that start with each format's signature: a valid 1x1 PNG and GIF; short JPEG and WebP
// headers (nothing here decodes them).
const std::string kPng(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00"
    "\x01"
    "\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0d\x49\x44\x41\x54\x78\x9c\x63\xf8\xcf\xc0"
    "\xf0"
    "\x1f\x00\x05\x00\x01\xff\x89\x99\x3d\x1d\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    70);
const std::string kJpeg(
    "\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xdb\0C\0\x03\x02\x02\x02\x02"
    "\x02\x03\x02\x02\x02\x03\x03\x03\x03\x04\x06\x04\x04\x04\x04\x04\x08\x06\x06\x05\x06\t"
    "\x08\n\n\t\x08\t\t\n\x0c\x0f\x0c\n\x0b\x0e\x0b\t\t\r\x11\r\x0e\x0f\x10\x10\x11\x10\n\x0c"
    "\x12\x13\x12\x10\x13\x0f\x10\x10\x10\xff\xc9\0\x0b\x08\0\x01\0\x01\x01\x01\x11\0\xff\xcc"
    "\0\x06\0\x10\x10\x05\xff\xda\0\x08\x01\x01\0\0?\0\xd2\xcf \xff\xd9",
    125);
const std::string kGif(
    "GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0"
    "\x01\0\x01\0\0\x02\x02"
    "D\x01\0;",
    42);
const std::string kWebp(
    "RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0/\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0", 34);

struct Format {
  std::string_view extension;
  std::string_view type;
  const std::string* bytes;
};

const Format kFormats[] = {
    {".png", "image/png", &kPng}, {".jpg", "image/jpeg", &kJpeg},  {".jpeg", "image/jpeg", &kJpeg},
    {".gif", "image/gif", &kGif}, {".webp", "image/webp", &kWebp},
};

bool number_option(std::string_view query, std::string_view name, uint64_t ceiling, uint64_t* value,
                   std::string* error) {
  std::string text;
  if (!query_param(query, name, &text)) return true;
  const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (text.empty() || problem != std::errc() || end != text.data() + text.size() ||
      *value > ceiling) {
    *error = std::string(name) + " must be a whole number up to " + std::to_string(ceiling);
    return false;
  }
  return true;
}

// The plan for an image request, or a 400 naming the bad option.
Plan image_plan(const sluice::http::Request& request) {
  Plan plan;
  const std::string_view name =
      std::string_view(request.path).substr(request.path.find(kImages) + kImages.size());
  std::string type = "text/plain";
  std::string body = "not an image\n";
  for (const Format& format : kFormats) {
    if (name.ends_with(format.extension)) {
      type = format.type;
      body = *format.bytes;
    }
  }
  uint64_t bytes = 0, chunk_ms = 0, delay_ms = 0, status = 200, chunked = 0;
  std::string error;
  const std::string_view query = request.query;
  const bool ok = number_option(query, "bytes", kMaxBytes, &bytes, &error) &&
                  number_option(query, "chunk_ms", kMaxDelayMs, &chunk_ms, &error) &&
                  number_option(query, "delay_ms", kMaxDelayMs, &delay_ms, &error) &&
                  number_option(query, "status", 599, &status, &error) &&
                  number_option(query, "chunked", 1, &chunked, &error);
  if (!ok || status < 100) {
    plan.head.status = 400;
    plan.head.headers = {{"content-type", "text/plain"}};
    plan.segments.push_back({ok ? "status must be 100..599\n" : error + "\n"});
    return plan;
  }
  std::string override_type;
  if (query_param(query, "type", &override_type)) type = override_type;
  plan.head.status = static_cast<int>(status);
  plan.head_delay_ms = static_cast<uint32_t>(delay_ms);
  std::string location;
  if (query_param(query, "location", &location))
    plan.head.headers.push_back({"location", location});
  if (status != 200) {
    plan.head.headers.push_back({"content-type", "text/plain"});
    return plan;  // no body
  }
  plan.head.headers.push_back({"content-type", type});
  if (bytes > body.size()) body.resize(bytes, '\0');
  if (chunked == 0) {
    plan.segments.push_back({std::move(body)});
    return plan;
  }
  plan.stream = true;  // chunked framing, no Content-Length
  for (size_t at = 0; at < body.size(); at += kChunkBytes) {
    Segment segment{body.substr(at, kChunkBytes), at == 0 ? 0u : static_cast<uint32_t>(chunk_ms),
                    true};
    plan.segments.push_back(std::move(segment));
  }
  return plan;
}

}  // namespace

bool is_image_path(std::string_view path) {
  const size_t at = path.find(kImages);
  return at != std::string_view::npos && at + kImages.size() < path.size();
}

std::unique_ptr<sluice::http::Exchange> serve_image(sluice::http::Request request, event_base* base,
                                                    SharedState& shared,
                                                    sluice::http::ResponseSink& sink) {
  Plan plan;
  if (request.method != "GET") {
    plan.head.status = 405;
    plan.head.headers = {{"content-type", "text/plain"}};
    plan.segments.push_back({"the image endpoint answers GET only\n"});
  } else {
    plan = image_plan(request);
  }
  ResponderContext context;
  context.base = base;
  context.local_port = shared.port.load(std::memory_order_relaxed);
  context.peer = request.peer;
  context.arrival = std::chrono::steady_clock::now();
  if (shared.log) {
    LogEntry entry;
    entry.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    entry.method = std::move(request.method);
    entry.path = std::move(request.path);
    entry.route = "image";
    entry.headers = std::move(request.headers);
    context.log.log = shared.log.get();
    context.log.seq = shared.log->add(std::move(entry));
  }
  return Responder::start(std::move(context), sink, std::move(plan));
}

}  // namespace fake_llm
