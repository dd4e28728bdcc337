// route: model resolution, the upstream plan and the verdict after each attempt.

#include "filters/route/filter.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <random>
#include <string>

#include "filters/common/json_text.h"

namespace sluice::filters::route {
namespace {

// Request fields that would let a client choose the upstream, its address, its credentials or
// its headers. The upstream comes from configuration only; such a request is refused whole.
struct Forbidden {
  std::string_view pointer;
  std::string_view name;
};
constexpr std::array<Forbidden, 16> kForbidden = {{
    {"/api_base", "api_base"},
    {"/base_url", "base_url"},
    {"/api_key", "api_key"},
    {"/api_version", "api_version"},
    {"/extra_headers", "extra_headers"},
    {"/headers", "headers"},
    {"/organization", "organization"},
    {"/aws_access_key_id", "aws_access_key_id"},
    {"/aws_secret_access_key", "aws_secret_access_key"},
    {"/aws_session_token", "aws_session_token"},
    {"/aws_region_name", "aws_region_name"},
    {"/vertex_credentials", "vertex_credentials"},
    {"/vertex_project", "vertex_project"},
    {"/vertex_location", "vertex_location"},
    {"/custom_llm_provider", "custom_llm_provider"},
    {"/metadata/api_base", "metadata.api_base"},
}};

// kForbidden's pointers as the host takes them, for one json_get_many.
constexpr std::array<sluice_str, kForbidden.size()> kForbiddenPointers = [] {
  std::array<sluice_str, kForbidden.size()> out{};
  for (size_t i = 0; i < kForbidden.size(); ++i) {
    out[i] = sluice_str{kForbidden[i].pointer.data(), kForbidden[i].pointer.size()};
  }
  return out;
}();

bool is_models_path(std::string_view path) {
  return path == "/v1/models" || path == "/models" || path == "/v1/models/" || path == "/models/";
}

// "/v1/models/<id>" or "/models/<id>": the id, else empty.
std::string_view model_id_of(std::string_view path) {
  for (std::string_view prefix : {std::string_view("/v1/models/"), std::string_view("/models/")}) {
    if (path.size() > prefix.size() && path.starts_with(prefix)) return path.substr(prefix.size());
  }
  return {};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string model_object(std::string_view name) {
  std::string out = "{\"id\":";
  common::append_json_string(out, name);
  out += ",\"object\":\"model\",\"created\":0,\"owned_by\":\"sluice\"}";
  return out;
}

std::string model_not_found(std::string_view name) {
  return "The model `" + std::string(name) + "` does not exist or you do not have access to it.";
}

}  // namespace

size_t weighted_order(const Model& model, std::span<uint32_t, Config::kMaxTargets> order) {
  const auto& deployments = model.deployments;
  size_t count = std::min(deployments.size(), Config::kMaxTargets);
  // Every deployment is a candidate for the first places, even beyond kMaxTargets.
  std::vector<uint32_t> spill;
  if (deployments.size() > count) spill.resize(deployments.size() - count);
  auto at = [&](size_t i) -> uint32_t& { return i < count ? order[i] : spill[i - count]; };
  for (size_t i = 0; i < deployments.size(); ++i) at(i) = static_cast<uint32_t>(i);
  if (deployments.size() < 2) return count;  // nothing to choose: no draw
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t remaining = 0;
  for (const auto& d : deployments) remaining += d.weight;
  for (size_t position = 0; position < count; ++position) {
    uint64_t pick = std::uniform_int_distribution<uint64_t>(0, remaining - 1)(rng);
    size_t chosen = position;
    for (size_t i = position; i < deployments.size(); ++i) {
      uint32_t weight = deployments[at(i)].weight;
      if (pick < weight) {
        chosen = i;
        break;
      }
      pick -= weight;
    }
    std::swap(at(position), at(chosen));
    remaining -= deployments[at(position)].weight;
  }
  return count;
}

Status Filter::on_request_headers(bool end_of_stream) {
  std::string_view method = stream().meta("request.method").value_or("");
  std::string_view path = stream().meta("request.path").value_or("");
  if (is_models_path(path) || !model_id_of(path).empty()) return answer_models(method, path);
  if (method != "POST") {
    stream().error(404, "Invalid URL (" + std::string(method) + " " + std::string(path) + ")",
                   "unknown_url");
    return LocalReply;
  }
  if (end_of_stream) {
    stream().error(400, "You must provide a `model` parameter (a string).", "missing_model");
    return LocalReply;
  }
  return Continue;
}

Status Filter::answer_models(std::string_view method, std::string_view path) {
  if (method != "GET" && method != "HEAD") {
    std::string body = common::openai_error_body(
        405, "Method " + std::string(method) + " is not allowed on " + std::string(path),
        "method_not_allowed");
    stream().local_reply(405, body, {{"content-type", "application/json"}, {"allow", "GET"}});
    return LocalReply;
  }
  std::string_view id = model_id_of(path);
  if (id.empty()) {
    stream().local_reply(200, config_.models_list, {{"content-type", "application/json"}});
    return LocalReply;
  }
  std::string name = percent_decode(id);
  if (!config_.find(name)) {
    stream().error(404, model_not_found(name), "model_not_found");
    return LocalReply;
  }
  stream().local_reply(200, model_object(name), {{"content-type", "application/json"}});
  return LocalReply;
}

Status Filter::on_request_body() {
  std::array<sluice_str, kForbidden.size()> present;
  if (stream().json_many(Part::request, kForbiddenPointers.data(), kForbidden.size(),
                         present.data()) > 0) {
    for (size_t i = 0; i < kForbidden.size(); ++i) {
      if (!present[i].ptr) continue;
      stream().error(400,
                     "The request field `" + std::string(kForbidden[i].name) +
                         "` is not allowed: the gateway chooses the upstream, its address, its "
                         "credentials and its headers.",
                     "forbidden_parameter");
      return LocalReply;
    }
  }
  std::optional<std::string_view> name = stream().json_string(Part::request, "/model");
  if (!name) {
    stream().error(400, "You must provide a `model` parameter (a string).", "missing_model");
    return LocalReply;
  }
  stream().set_meta("route.model", *name);
  const Model* model = config_.find(*name);
  if (!model) {
    stream().error(404, model_not_found(*name), "model_not_found");
    return LocalReply;
  }
  return plan(*model);
}

Status Filter::plan(const Model& model) {
  model_ = &model;
  positions_ = static_cast<uint32_t>(weighted_order(model, order_));
  std::fill_n(retries_.begin(), positions_, 0u);
  max_attempts_ = config_.max_attempts(positions_);

  std::array<sluice_target, Config::kMaxTargets> targets;
  for (uint32_t position = 0; position < positions_; ++position) {
    const Deployment& d = model.deployments[order_[position]];
    targets[position] = {detail::str(d.id), detail::str(d.provider), detail::str(d.model)};
  }
  sluice_retry_policy policy = {};
  policy.struct_size = sizeof(policy);
  policy.max_attempts = max_attempts_;
  policy.per_try_timeout_ms = config_.per_try_timeout_ms;
  policy.backoff_base_ms = config_.backoff_base_ms;
  policy.backoff_max_ms = config_.backoff_max_ms;
  policy.retry_statuses = config_.retry_statuses.data();
  policy.retry_status_count = config_.retry_statuses.size();
  policy.retry_on_connect_failure = config_.retry_on_connect_failure ? 1 : 0;
  if (!stream().api()->route_set_plan(stream().handle(), targets.data(), positions_, &policy)) {
    // Only when this instance is not the chain's router (another route filter comes first).
    stream().log(LogLevel::error, "the host refused the upstream plan: is route the router?");
    return Fail;
  }
  name_target(0);
  return Continue;
}

void Filter::name_target(uint32_t position) {
  if (!model_ || position >= positions_ || position == named_) return;
  named_ = position;
  const Deployment& d = model_->deployments[order_[position]];
  stream().set_meta("route.deployment", d.id);
  stream().set_meta("route.provider", d.provider);
  stream().set_meta("route.provider_model", d.model);
}

sluice_verdict Filter::on_attempt_done(const sluice_attempt& attempt) {
  uint32_t position = attempt.target_index;
  if (!model_ || position >= positions_) return SLUICE_USE_POLICY;
  // The verdict is exactly what the host will do: within max_attempts a retry verdict is always
  // honoured, so the metadata can name the next attempt's deployment now.
  sluice_verdict verdict = SLUICE_ACCEPT;
  uint32_t next = position;
  if (config_.retryable(attempt.http_status) && attempt.number < max_attempts_) {
    if (retries_[position] < config_.num_retries) {
      ++retries_[position];
      verdict = SLUICE_RETRY_SAME;
    } else if (position + 1 < positions_) {
      verdict = SLUICE_NEXT_TARGET;
      next = position + 1;
    }
  }
  name_target(next);
  return verdict;
}

}  // namespace sluice::filters::route
