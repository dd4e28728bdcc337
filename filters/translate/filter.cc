// translate: request and response translation for OpenAI-compatible providers.

#include "filters/translate/filter.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <vector>

#include "filters/common/json_text.h"
#include "filters/translate/answer_ends.h"

namespace sluice::filters::translate {
namespace {

// Response headers a provider might use to hand a credential to whoever calls it.
constexpr std::string_view kCredentialHeaders[] = {"authorization", "x-api-key", "api-key",
                                                   "set-cookie"};

// Longest upstream error text carried into a wrapped error message.
constexpr size_t kMaxErrorText = 2048;

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// Replaces every occurrence of `secret` in `text`; true when there was one.
bool redact(std::string& text, std::string_view secret) {
  if (secret.size() < 4) return false;  // too short to tell from ordinary text
  bool found = false;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "[redacted]");
    at += 10;
    found = true;
  }
  return found;
}

}  // namespace

std::optional<size_t> endpoint_for(std::string_view client_path) {
  if (client_path.starts_with("/v1/")) client_path.remove_prefix(3);
  for (size_t i = 0; i < kEndpoints.size(); ++i) {
    if (client_path == kEndpoints[i]) return i;
  }
  return std::nullopt;
}

// ---- request ------------------------------------------------------------------------------------

Status Filter::on_request_headers(bool end_of_stream) {
  // Without a body there is no body hook: translate now. Otherwise wait for the body.
  return end_of_stream ? prepare(false) : Continue;
}

Status Filter::on_request_body() {
  return prepare(true);
}

// The upstream of the attempt's target, and in *model_json the provider's model id as a JSON
// string: a deployment's, quoted at load, or else the target's, quoted into *quoted.
const Upstream* Filter::resolve(const sluice_attempt& attempt, std::string_view* model_json,
                                std::string* quoted) const {
  std::string_view deployment = detail::view(attempt.target.deployment);
  if (auto it = config_.deployments.find(deployment); it != config_.deployments.end()) {
    *model_json = it->second.model_json;
    return &it->second;
  }
  // A router that plans by provider name rather than by registry deployment.
  if (auto it = config_.providers.find(detail::view(attempt.target.provider));
      it != config_.providers.end()) {
    *quoted = common::json_quote(detail::view(attempt.target.model));
    *model_json = *quoted;
    return &it->second;
  }
  return nullptr;
}

Status Filter::prepare(bool has_body) {
  const sluice_host_api* api = stream().api();
  sluice_attempt attempt = {};
  attempt.struct_size = sizeof(attempt);
  if (!api->attempt_get(stream().handle(), &attempt)) {
    stream().error(500, "translate runs per upstream attempt: place it after a route filter",
                   "no_route");
    return LocalReply;
  }
  std::string_view model_json;
  std::string quoted;
  upstream_ = resolve(attempt, &model_json, &quoted);
  if (!upstream_) {
    stream().error(500,
                   "no provider is configured for deployment '" +
                       std::string(detail::view(attempt.target.deployment)) + "'",
                   "unknown_deployment");
    return LocalReply;
  }
  if (!upstream_->supported) {
    stream().error(400,
                   "provider type '" + upstream_->provider_type + "' (provider '" +
                       upstream_->provider + "') is not supported yet",
                   "provider_not_supported");
    return LocalReply;
  }
  if (!upstream_->adapter && upstream_->base_url.empty()) {  // an adapter knows its default
    stream().error(500, "provider '" + upstream_->provider + "' has no api_base",
                   "provider_misconfigured");
    return LocalReply;
  }
  std::string_view method = stream().meta("request.method").value_or("");
  std::string_view path = stream().meta("request.path").value_or("");
  const std::optional<size_t> endpoint = method == "POST" ? endpoint_for(path) : std::nullopt;
  if (!endpoint) {
    stream().error(404, "Invalid URL (" + std::string(method) + " " + std::string(path) + ")",
                   "unknown_url");
    return LocalReply;
  }
  if (upstream_->adapter) return prepare_adapted(*endpoint, has_body);

  bool stream_requested = false;
  if (has_body) {
    if (!stream().json_set(Part::request, "/model", model_json)) {
      stream().error(400, "The request body must be a JSON object.", "invalid_request");
      return LocalReply;
    }
    for (const auto& [pointer, value] : upstream_->params) {
      if (!stream().json(Part::request, pointer)) stream().json_set(Part::request, pointer, value);
    }
    stream_requested = stream().json(Part::request, "/stream") == std::string_view("true");
    if (stream().meta("request.api")) {
      // Members a client API's request carries for the adapters that take them (core/apis):
      // OpenAI's API refuses members it does not know.
      for (std::string_view member :
           {"/top_k", "/additionalModelRequestFields", "/guardrailConfig"}) {
        stream().json_remove(Part::request, member);
      }
    }
  }
  stream_requested_ = stream_requested;
  replace_all_headers(stream_requested);
  stream().set_meta("upstream.url", upstream_->urls[*endpoint]);
  stream().set_meta("upstream.method", "POST");
  return Continue;
}

void Filter::replace_all_headers(bool stream_requested) {
  // The provider gets only the headers added below.
  stream().clear_headers(Part::request);
  stream().add_header(Part::request, "content-type", "application/json");
  stream().add_header(Part::request, "accept",
                      stream_requested ? "text/event-stream" : "application/json");
  if (!upstream_->authorization.empty()) {
    stream().add_header(Part::request, "authorization", upstream_->authorization);
  }
}

// ---- response -----------------------------------------------------------------------------------

uint32_t Filter::upstream_status() const {
  sluice_attempt attempt = {};
  attempt.struct_size = sizeof(attempt);
  if (!stream().api()->attempt_get(stream().handle(), &attempt)) return 0;
  return attempt.http_status;
}

Status Filter::on_response_headers(bool end_of_stream) {
  // One look at each of the provider's few fields (names come lower-cased), walking down as
  // replace_all_headers does, rather than one search a credential name.
  const sluice_host_api* api = stream().api();
  sluice_stream* handle = stream().handle();
  for (size_t i = api->header_count(handle, SLUICE_RESPONSE); i-- > 0;) {
    sluice_header header{};
    if (!api->header_at(handle, SLUICE_RESPONSE, i, &header)) continue;
    if (std::find(std::begin(kCredentialHeaders), std::end(kCredentialHeaders),
                  detail::view(header.name)) != std::end(kCredentialHeaders)) {
      api->header_set(handle, SLUICE_RESPONSE, header.name, sluice_str{nullptr, 0});
    }
  }
  if (upstream_ && upstream_->adapter) return adapted_response_headers(end_of_stream);
  uint32_t status = upstream_status();
  // An error without a body gets one here: there is no body hook for an empty body.
  if (end_of_stream && status && (status < 200 || status > 299)) normalise_error(status);
  return Continue;
}

Status Filter::on_response_body(bool end_of_stream) {
  if (upstream_ && upstream_->adapter) return adapted_response_body(end_of_stream);
  // Status 0: not the upstream's answer (a reply of a filter after this one): left alone.
  uint32_t status = upstream_status();
  if (status == 0) return Continue;
  if (status < 200 || status > 299) {
    normalise_error(status);
  } else {
    rewrite_success();
  }
  return Continue;
}

void Filter::normalise_error(uint32_t status) {
  std::string body(stream().body(Part::response));
  std::string_view key = upstream_ ? std::string_view(upstream_->api_key) : std::string_view();
  if (stream().json_string(Part::response, "/error/message")) {
    // Already OpenAI's error object: kept, but never with the provider key in it.
    if (redact(body, key)) stream().replace_body(Part::response, body);
    return;
  }
  // Other providers' shapes: {"error":"..."} (Ollama), {"message":"..."} (vLLM), {"detail":...}.
  std::string message;
  for (std::string_view pointer : {"/error", "/message", "/detail"}) {
    if (auto text = stream().json_string(Part::response, pointer)) {
      message = std::string(*text);
      break;
    }
  }
  if (message.empty()) message = std::string(trim(body).substr(0, kMaxErrorText));
  if (message.empty()) message = "the upstream answered HTTP " + std::to_string(status);
  redact(message, key);
  stream().set_header(Part::response, "content-type", "application/json");
  stream().replace_body(Part::response, common::openai_error_body(static_cast<int>(status), message,
                                                                  "upstream_error"));
}

void Filter::rewrite_success() {
  std::string_view body = stream().body(Part::response);
  std::string_view text = trim(body);
  if (text.empty() || text == "[DONE]") return;
  // The host's string, valid while the metadata stays as it is: until record().
  const std::string_view model = stream().meta("route.model").value_or("");
  Usage usage;
  if (text.front() == '{') {
    TextRange model_at;
    // Only a stream's events share their leading members: a single answer keeps nothing.
    switch (read_answer_ends(body, model, &usage, &model_at,
                             stream_requested_ ? &answer_head_ : nullptr)) {
      case AnswerEnds::rename_model:
        // Only the model's bytes change: the host replaces them where they are.
        stream().splice_body(Part::response, model_at.offset, model_at.length, quoted_model(model));
        [[fallthrough]];
      case AnswerEnds::unchanged:
        record(usage);
        return;
      case AnswerEnds::needs_json_view:
        break;
    }
    auto current = stream().json_string(Part::response, "/model");
    auto prompt = stream().json_number(Part::response, "/usage/prompt_tokens");
    auto completion = stream().json_number(Part::response, "/usage/completion_tokens");
    auto total = stream().json_number(Part::response, "/usage/total_tokens");
    if (current || prompt || completion || total) {
      // The host's JSON view: read and edited in place, no second parse.
      read_usage_numbers(prompt, completion, total, &usage);
      if (!model.empty() && current && *current != model) {
        stream().json_set(Part::response, "/model", common::json_quote(model));
      }
    } else if (auto rewritten = rewrite_json(text, model, &usage)) {
      stream().replace_body(Part::response, *rewritten);  // JSON the host did not parse
    }
  } else if (looks_like_sse(text)) {
    if (auto rewritten = rewrite_sse(body, model, &usage)) {
      stream().replace_body(Part::response, *rewritten);
    }
  }
  record(usage);
}

const std::string& Filter::quoted_model(std::string_view model) {
  if (!stream_requested_) {  // one answer: nothing to keep it for
    model_quoted_ = common::json_quote(model);
    return model_quoted_;
  }
  if (!model_quoted_for_ || *model_quoted_for_ != model) {
    model_quoted_for_.emplace(model);
    model_quoted_ = common::json_quote(model);
  }
  return model_quoted_;
}

void Filter::record(const Usage& usage) {
  // The digits are written where they are handed over: the host copies them.
  const auto set = [this](std::string_view key, std::optional<uint64_t> count) {
    if (!count) return;
    char digits[20];  // 2^64 - 1 has 20
    const char* end = std::to_chars(digits, std::end(digits), *count).ptr;
    stream().set_meta(key, std::string_view(digits, static_cast<size_t>(end - digits)));
  };
  set("usage.prompt_tokens", usage.prompt_tokens);
  set("usage.completion_tokens", usage.completion_tokens);
  set("usage.total_tokens", usage.total_tokens);
}

}  // namespace sluice::filters::translate
