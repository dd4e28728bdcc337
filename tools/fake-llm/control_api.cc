// The /_fake/ endpoints: programming the answer queue and reading or clearing the request log.

#include "tools/fake-llm/control_api.h"

#include <rapidjson/document.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "core/http/error_body.h"
#include "tools/fake-llm/json_read.h"

namespace fake_llm {
namespace {

using sluice::http::ResponseHead;
using sluice::http::ResponseSink;

void reply(ResponseSink& sink, int status, std::string_view body) {
  ResponseHead head;
  head.status = status;
  head.headers.push_back({"content-type", "application/json"});
  sink.send_whole(std::move(head), body);
}

void reply_error(ResponseSink& sink, int status, std::string_view message) {
  reply(sink, status, sluice::http::openai_error_body(status, message));
}

// The value of `key` in a query string ("a=1&b=2"), percent-decoded; nullopt when absent.
std::optional<std::string> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      std::string value;
      if (eq == std::string_view::npos) return value;
      if (!percent_decode(pair.substr(eq + 1), &value)) return std::nullopt;
      return value;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// A control value as the text Controls::set takes.
bool value_text(const rapidjson::Value& value, std::string* out) {
  if (value.IsString()) {
    *out = std::string(view(value));
  } else if (value.IsInt64()) {
    *out = std::to_string(value.GetInt64());
  } else if (value.IsBool()) {
    *out = value.GetBool() ? "true" : "false";
  } else if (value.IsObject() || value.IsArray()) {
    *out = to_json(value);  // args given as JSON
  } else {
    return false;
  }
  return true;
}

void program(const sluice::http::Request& request, const Route& route, SharedState& shared,
             ResponseSink& sink) {
  if (request.method == "GET") {
    reply(sink, 200, "{\"pending\":" + std::to_string(shared.program.size()) + "}");
    return;
  }
  if (request.method == "DELETE") {
    shared.program.clear();
    reply(sink, 200, "{\"pending\":0}");
    return;
  }
  if (request.method != "POST") {
    reply_error(sink, 405, "fake-llm: /_fake/program takes POST, GET or DELETE");
    return;
  }
  rapidjson::Document doc;
  if (!parse_json(request.body, &doc) || !doc.IsObject()) {
    reply_error(sink, 400, "fake-llm: the program must be a JSON object");
    return;
  }
  const rapidjson::Value* responses = member(doc, "responses");
  if (responses == nullptr || !responses->IsArray()) {
    reply_error(sink, 400, "fake-llm: 'responses' must be an array of control objects");
    return;
  }
  std::optional<std::string> prefix;
  if (!route.prefix.empty()) prefix = std::string(route.prefix);
  if (const rapidjson::Value* given = member(doc, "prefix"); given != nullptr && !given->IsNull()) {
    if (!given->IsString()) {
      reply_error(sink, 400, "fake-llm: 'prefix' must be a string");
      return;
    }
    prefix = std::string(view(*given));
  }
  std::vector<Controls> entries;
  entries.reserve(responses->Size());
  std::string text;
  std::string error;
  for (rapidjson::SizeType i = 0; i < responses->Size(); ++i) {
    const rapidjson::Value& item = (*responses)[i];
    if (!item.IsObject()) {
      reply_error(sink, 400, "fake-llm: responses[" + std::to_string(i) + "] must be an object");
      return;
    }
    Controls controls;
    for (auto it = item.MemberBegin(); it != item.MemberEnd(); ++it) {
      const std::string_view key = view(it->name);
      if (!value_text(it->value, &text)) {
        reply_error(sink, 400,
                    "fake-llm: responses[" + std::to_string(i) + "]." + std::string(key) +
                        " must be a string, an integer, a boolean or (args) JSON");
        return;
      }
      if (!controls.set(key, text, &error)) {
        reply_error(sink, 400, "responses[" + std::to_string(i) + "]: " + error);
        return;
      }
    }
    entries.push_back(std::move(controls));
  }
  const size_t queued = entries.size();
  if (!shared.program.push(prefix, std::move(entries))) {
    reply_error(sink, 400, "fake-llm: the program queue holds at most 100000 entries");
    return;
  }
  reply(sink, 200,
        "{\"queued\":" + std::to_string(queued) +
            ",\"pending\":" + std::to_string(shared.program.size()) + "}");
}

void requests(const sluice::http::Request& request, const Route& route, SharedState& shared,
              ResponseSink& sink) {
  if (request.method == "DELETE") {
    if (shared.log) shared.log->clear();
    shared.program.clear();
    reply(sink, 200, "{\"cleared\":true}");
    return;
  }
  if (request.method != "GET") {
    reply_error(sink, 405, "fake-llm: /_fake/requests takes GET or DELETE");
    return;
  }
  uint64_t since = 0;
  if (const auto text = query_value(request.query, "since")) {
    const auto result = std::from_chars(text->data(), text->data() + text->size(), since);
    if (result.ec != std::errc() || result.ptr != text->data() + text->size()) {
      reply_error(sink, 400, "fake-llm: 'since' must be a sequence number");
      return;
    }
  }
  std::optional<std::string> prefix = query_value(request.query, "prefix");
  if (!prefix && !route.prefix.empty()) prefix = std::string(route.prefix);
  if (!shared.log) {
    reply(sink, 200, "{\"requests\":[],\"logging\":false}");
    return;
  }
  reply(sink, 200, shared.log->render(since, prefix ? &*prefix : nullptr));
}

}  // namespace

void handle_control(const sluice::http::Request& request, const Route& route, SharedState& shared,
                    ResponseSink& sink) {
  if (route.kind == RouteKind::control_program) {
    program(request, route, shared, sink);
  } else {
    requests(request, route, shared, sink);
  }
}

}  // namespace fake_llm
