// sluice/filter.hpp -- header-only C++ SDK over the C ABI in sluice/filter.h.
//
// A filter type is two classes:
//   struct MyConfig {   // one per configured instance; read-only once built (shared by threads)
//     static std::unique_ptr<MyConfig> create(sluice::ConfigContext& ctx, std::string_view json,
//                                             std::string& error);  // nullptr + error = refused
//   };
//   class MyFilter : public sluice::Filter {  // one per request (or per upstream attempt)
//    public:
//     MyFilter(const MyConfig& config, sluice::Stream stream);
//     sluice::Status on_request_headers(bool end_of_stream) override;  // any hook you need
//   };
// and one line per plugin:
//   SLUICE_PLUGIN("my-plugin", "1.0.0", SLUICE_FILTER_TYPE("my_filter", MyConfig, MyFilter));
// A route filter (plans upstream attempts, judges each in on_attempt_done) derives from
// sluice::RouteFilter instead: only such classes make the host treat the type as the router. A
// hook the class does not override goes to the host as NULL, so the host skips it at no cost.
//
// The SDK adds nothing the C ABI lacks (built-in filters use exactly what third parties get). It
// catches every exception at the boundary: a throwing hook returns SLUICE_FAIL, a throwing
// create() refuses the config with the exception's message. Threading and lifetimes are those of
// filter.h: string_views returned by Stream borrow host memory until the hook returns or the
// object they came from changes.
#pragma once

#include <sluice/filter.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

using Status = sluice_status;
inline constexpr Status Continue = SLUICE_CONTINUE;
inline constexpr Status Stop = SLUICE_STOP;
inline constexpr Status LocalReply = SLUICE_LOCAL_REPLY;
inline constexpr Status Fail = SLUICE_FAIL;

enum class Part { request = SLUICE_REQUEST, response = SLUICE_RESPONSE };
enum class LogLevel { debug = SLUICE_LOG_DEBUG, info, warn, error };

namespace detail {
inline sluice_str str(std::string_view v) {
  return sluice_str_of(v.data(), v.size());
}
inline std::string_view view(sluice_str s) {
  return s.ptr ? std::string_view(s.ptr, s.len) : "";
}
inline sluice_part part(Part p) {
  return static_cast<sluice_part>(p);
}
}  // namespace detail

// A registered metric; record() is safe from any thread.
class Metric {
 public:
  Metric() = default;
  Metric(const sluice_host_api* api, sluice_config* config, uint32_t id)
      : api_(api), config_(config), id_(id) {}
  bool valid() const { return id_ != 0; }
  void record(double value, std::initializer_list<std::string_view> labels = {}) const {
    if (!id_) return;
    sluice_str values[16];
    size_t n = 0;
    for (std::string_view label : labels) {
      if (n == 16) return;
      values[n++] = detail::str(label);
    }
    api_->metric_record(config_, id_, values, n, value);
  }

 private:
  const sluice_host_api* api_ = nullptr;
  sluice_config* config_ = nullptr;
  uint32_t id_ = 0;
};

// What a config's create() may use: logging and metric declarations.
class ConfigContext {
 public:
  ConfigContext(const sluice_host_api* api, sluice_config* config) : api_(api), config_(config) {}
  const sluice_host_api* api() const { return api_; }
  sluice_config* handle() const { return config_; }
  void log(LogLevel level, std::string_view message) const {
    api_->log(config_, nullptr, static_cast<sluice_log_level>(level), detail::str(message));
  }
  Metric metric(sluice_metric_kind kind, std::string_view name, std::string_view help,
                std::initializer_list<std::string_view> label_names = {}) const {
    std::vector<sluice_str> labels;
    for (std::string_view label : label_names) labels.push_back(detail::str(label));
    uint32_t id = api_->metric_define(config_, kind, detail::str(name), detail::str(help),
                                      labels.data(), labels.size());
    return Metric(api_, config_, id);
  }

 private:
  const sluice_host_api* api_;
  sluice_config* config_;
};

// The limits of a guarded HTTP call (filter.h, sluice_http_limits).
struct HttpLimits {
  uint32_t timeout_ms = 0;
  uint64_t max_body_bytes = 0;
  bool public_addresses_only = true;
};

// One filter instance's handle on its request. Cheap to copy.
class Stream {
 public:
  Stream(const sluice_host_api* api, sluice_config* config, sluice_stream* stream)
      : api_(api), config_(config), stream_(stream) {}

  const sluice_host_api* api() const { return api_; }
  sluice_stream* handle() const { return stream_; }

  // Headers.
  std::optional<std::string_view> header(Part part, std::string_view name) const {
    sluice_str out{};
    if (!api_->header_get(stream_, detail::part(part), detail::str(name), &out)) return {};
    return detail::view(out);
  }
  bool set_header(Part part, std::string_view name, std::string_view value) const {
    return api_->header_set(stream_, detail::part(part), detail::str(name), detail::str(value));
  }
  bool add_header(Part part, std::string_view name, std::string_view value) const {
    return api_->header_add(stream_, detail::part(part), detail::str(name), detail::str(value));
  }
  bool remove_header(Part part, std::string_view name) const {
    return api_->header_set(stream_, detail::part(part), detail::str(name), sluice_str{nullptr, 0});
  }
  // Removes every header field of the part: one headers_clear, or on a host older than 1.3 one
  // header_set per name (which can only report a refusal when there was a field to remove).
  bool clear_headers(Part part) const {
    const sluice_part p = detail::part(part);
    if (SLUICE_HOST_HAS(api_, headers_clear)) return api_->headers_clear(stream_, p);
    // From the last field down: removing a name removes all its fields, so each step leaves at
    // most i fields and none is asked for twice.
    for (size_t i = api_->header_count(stream_, p); i-- > 0;) {
      sluice_header header{};
      if (!api_->header_at(stream_, p, i, &header)) continue;
      if (!api_->header_set(stream_, p, header.name, sluice_str{nullptr, 0})) return false;
    }
    return true;
  }

  // Body and its JSON view.
  std::string_view body(Part part) const {
    sluice_str out{};
    return api_->body_get(stream_, detail::part(part), &out) ? detail::view(out) : "";
  }
  bool replace_body(Part part, std::string_view data) const {
    return api_->body_replace(stream_, detail::part(part), detail::str(data));
  }
  // The `length` bytes at `offset` of the body (as body() gives it) become `data`: one
  // body_splice, or on a host older than 1.7 a body_replace of the whole spliced body.
  bool splice_body(Part part, size_t offset, size_t length, std::string_view data) const {
    if (SLUICE_HOST_HAS(api_, body_splice)) {
      return api_->body_splice(stream_, detail::part(part), offset, length, detail::str(data));
    }
    const std::string_view current = body(part);
    if (offset > current.size() || length > current.size() - offset) return false;
    std::string spliced;
    spliced.reserve(current.size() - length + data.size());
    spliced.append(current.substr(0, offset)).append(data).append(current.substr(offset + length));
    return replace_body(part, spliced);
  }
  std::optional<std::string_view> json(Part part, std::string_view pointer) const {
    sluice_str out{};
    if (!api_->json_get(stream_, detail::part(part), detail::str(pointer), &out)) return {};
    return detail::view(out);
  }
  // json() for `count` pointers of one part: out[i] is pointer i's JSON text, or {nullptr, 0}
  // when it does not resolve; returns how many resolved. One json_get_many, or on a host older
  // than 1.6 one json_get each.
  size_t json_many(Part part, const sluice_str* pointers, size_t count, sluice_str* out) const {
    if (SLUICE_HOST_HAS(api_, json_get_many)) {
      return api_->json_get_many(stream_, detail::part(part), pointers, count, out);
    }
    size_t found = 0;
    for (size_t i = 0; i < count; ++i) {
      if (api_->json_get(stream_, detail::part(part), pointers[i], &out[i])) {
        ++found;
      } else {
        out[i] = sluice_str{nullptr, 0};
      }
    }
    return found;
  }
  std::optional<std::string_view> json_string(Part part, std::string_view pointer) const {
    sluice_str out{};
    if (!api_->json_get_string(stream_, detail::part(part), detail::str(pointer), &out)) return {};
    return detail::view(out);
  }
  std::optional<double> json_number(Part part, std::string_view pointer) const {
    double out = 0;
    if (!api_->json_get_number(stream_, detail::part(part), detail::str(pointer), &out)) return {};
    return out;
  }
  bool json_set(Part part, std::string_view pointer, std::string_view json_value) const {
    return api_->json_set(stream_, detail::part(part), detail::str(pointer),
                          detail::str(json_value));
  }
  bool json_remove(Part part, std::string_view pointer) const {
    return api_->json_remove(stream_, detail::part(part), detail::str(pointer));
  }

  // Metadata shared with the other filters of the request.
  std::optional<std::string_view> meta(std::string_view key) const {
    sluice_str out{};
    if (!api_->meta_get(stream_, detail::str(key), &out)) return {};
    return detail::view(out);
  }
  bool set_meta(std::string_view key, std::string_view value) const {
    return api_->meta_set(stream_, detail::str(key), detail::str(value));
  }
  // Only in on_response_body of a streamed response: the current event becomes these events
  // (none: dropped), each then seen by the filters before this one (filter.h, stream_events_set).
  // False on a host older than 1.4, which cannot do it.
  bool set_events(const std::vector<std::string>& events) const {
    if (!SLUICE_HOST_HAS(api_, stream_events_set)) return false;
    std::vector<sluice_str> texts;
    texts.reserve(events.size());
    for (const std::string& event : events) texts.push_back(detail::str(event));
    return api_->stream_events_set(stream_, texts.data(), texts.size());
  }
  // The response's status, in a response hook before the head went out (filter.h,
  // response_status_set). False on a host older than 1.4.
  bool set_status(uint32_t status) const {
    if (!SLUICE_HOST_HAS(api_, response_status_set)) return false;
    return api_->response_status_set(stream_, status);
  }
  // count keys at once: out[i] becomes key i's value (borrowed as meta()'s), or {NULL, 0} when it
  // is absent; returns how many were found. One meta_get_many, or on a host older than 1.3 one
  // meta_get per key.
  size_t meta_many(const sluice_str* keys, size_t count, sluice_str* out) const {
    if (SLUICE_HOST_HAS(api_, meta_get_many)) return api_->meta_get_many(stream_, keys, count, out);
    size_t found = 0;
    for (size_t i = 0; i < count; ++i) {
      if (api_->meta_get(stream_, keys[i], &out[i])) {
        ++found;
      } else {
        out[i] = sluice_str{nullptr, 0};
      }
    }
    return found;
  }

  // Answers: call, then return LocalReply from the hook (or do not resume after Stop).
  bool local_reply(
      uint32_t status, std::string_view body,
      std::initializer_list<std::pair<std::string_view, std::string_view>> headers = {}) const {
    if (headers.size() == 0) {  // no list at all, rather than one nothing was written into
      return api_->send_local_reply(stream_, status, nullptr, 0, detail::str(body));
    }
    // On the stack: a reply has a handful of headers (the host refuses more than 100).
    constexpr size_t kMax = 100;
    sluice_header list[kMax];
    size_t count = 0;
    for (const auto& [name, value] : headers) {
      if (count == kMax) return false;
      list[count++] = sluice_header{detail::str(name), detail::str(value)};
    }
    return api_->send_local_reply(stream_, status, list, count, detail::str(body));
  }
  bool error(uint32_t status, std::string_view message, std::string_view code = {}) const {
    return api_->send_error(stream_, status, detail::str(message), detail::str(code));
  }
  bool resume() const { return api_->resume(stream_); }

  // Async.
  uint64_t start_timer(uint32_t delay_ms, uint64_t token = 0) const {
    return api_->timer_start(stream_, delay_ms, token);
  }
  bool cancel(uint64_t op_id) const { return api_->op_cancel(stream_, op_id); }
  // An HTTP call to a URL that came from a client, within `limits` (filter.h,
  // http_call_guarded): the op id, or 0 when refused, and always 0 on a host older than 1.5,
  // which cannot guard a call (falling back to http_call would drop the guard).
  uint64_t http_call_guarded(
      std::string_view method, std::string_view url, std::string_view body,
      const HttpLimits& limits, uint64_t token,
      std::initializer_list<std::pair<std::string_view, std::string_view>> headers = {}) const {
    if (!SLUICE_HOST_HAS(api_, http_call_guarded)) return 0;
    std::vector<sluice_header> list;
    list.reserve(headers.size());
    for (const auto& [name, value] : headers) {
      list.push_back(sluice_header{detail::str(name), detail::str(value)});
    }
    sluice_http_limits c_limits{};
    c_limits.struct_size = sizeof(c_limits);
    c_limits.timeout_ms = limits.timeout_ms;
    c_limits.max_body_bytes = limits.max_body_bytes;
    c_limits.public_addresses_only = limits.public_addresses_only ? 1 : 0;
    return api_->http_call_guarded(stream_, detail::str(method), detail::str(url), list.data(),
                                   list.size(), detail::str(body), &c_limits, token);
  }

  void log(LogLevel level, std::string_view message) const {
    api_->log(config_, stream_, static_cast<sluice_log_level>(level), detail::str(message));
  }

 private:
  const sluice_host_api* api_;
  sluice_config* config_;
  sluice_stream* stream_;
};

// Base of every per-request filter object. Override the hooks you need.
class Filter {
 public:
  explicit Filter(Stream stream) : stream_(stream) {}
  virtual ~Filter() = default;
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  virtual Status on_request_headers(bool /*end_of_stream*/) { return Continue; }
  virtual Status on_request_body() { return Continue; }
  virtual Status on_response_headers(bool /*end_of_stream*/) { return Continue; }
  virtual Status on_response_body(bool /*end_of_stream*/) { return Continue; }
  virtual void on_op_done(const sluice_op_done& /*done*/) {}
  virtual void on_complete(bool /*aborted*/) {}

 protected:
  const Stream& stream() const { return stream_; }

 private:
  Stream stream_;
};

// Base of a route filter: the one that plans upstream attempts (route_set_plan) and judges each
// one. The host treats a filter type as a router exactly when its descriptor has on_attempt_done,
// and the SDK fills that hook only for classes derived from RouteFilter, so a plain Filter never
// turns the filters after it into per-attempt filters.
class RouteFilter : public Filter {
 public:
  using Filter::Filter;
  virtual sluice_verdict on_attempt_done(const sluice_attempt& /*attempt*/) {
    return SLUICE_USE_POLICY;
  }
};

namespace detail {

// Whether a member pointer names one of Filter's own members (not an override of it).
template <class MemberPointer>
inline constexpr bool is_filters_own = false;
template <class R, class... Args>
inline constexpr bool is_filters_own<R (Filter::*)(Args...)> = true;

// Which hooks a filter class overrides: &FilterT::hook names Filter's own declaration unless
// FilterT (or a class between them) overrides it. A hook left as Filter's is handed to the host
// as NULL, which skips it rather than calling a Continue. Whatever this cannot tell (a name
// overloaded or hidden by another signature, a member it may not name) counts as overridden, so
// the hook is called as before.
template <class FilterT>
struct OverriddenHooks {
  static constexpr bool request_headers = !requires {
    requires is_filters_own<decltype(&FilterT::on_request_headers)>;
  };
  static constexpr bool request_body = !requires {
    requires is_filters_own<decltype(&FilterT::on_request_body)>;
  };
  static constexpr bool response_headers = !requires {
    requires is_filters_own<decltype(&FilterT::on_response_headers)>;
  };
  static constexpr bool response_body = !requires {
    requires is_filters_own<decltype(&FilterT::on_response_body)>;
  };
  static constexpr bool op_done = !requires {
    requires is_filters_own<decltype(&FilterT::on_op_done)>;
  };
  static constexpr bool complete = !requires {
    requires is_filters_own<decltype(&FilterT::on_complete)>;
  };
};

// Owns one configured instance for the host.
template <class ConfigT>
struct ConfigHolder {
  const sluice_host_api* api;
  sluice_config* handle;
  std::unique_ptr<ConfigT> config;
};

inline void copy_error(char* err, size_t cap, std::string_view message) {
  if (!err || cap == 0) return;
  size_t n = message.size() < cap - 1 ? message.size() : cap - 1;
  for (size_t i = 0; i < n; ++i) err[i] = message[i];
  err[n] = '\0';
}

// Runs a hook body; an escaping exception becomes SLUICE_FAIL (or the fallback value).
template <class Fn, class R>
R guarded(Fn&& fn, R on_exception) noexcept {
  try {
    return fn();
  } catch (...) {
    return on_exception;
  }
}

template <class ConfigT, class FilterT>
struct Trampolines {
  using Holder = ConfigHolder<ConfigT>;
  static FilterT& self(void* p) { return *static_cast<FilterT*>(p); }

  static void* config_new(const sluice_host_api* api, sluice_config* c, sluice_str json, char* err,
                          size_t cap) noexcept {
    try {
      ConfigContext ctx(api, c);
      std::string error;
      std::unique_ptr<ConfigT> config = ConfigT::create(ctx, view(json), error);
      if (!config) {
        copy_error(err, cap, error.empty() ? std::string_view("invalid config") : error);
        return nullptr;
      }
      return std::make_unique<Holder>(Holder{api, c, std::move(config)}).release();
    } catch (const std::exception& e) {
      copy_error(err, cap, e.what());
    } catch (...) {
      copy_error(err, cap, "config_new threw");
    }
    return nullptr;
  }
  static void config_destroy(void* config) noexcept {
    std::unique_ptr<Holder> owned(static_cast<Holder*>(config));
  }
  static void* stream_new(void* config, sluice_stream* s) noexcept {
    auto* holder = static_cast<Holder*>(config);
    try {
      return std::make_unique<FilterT>(*holder->config, Stream(holder->api, holder->handle, s))
          .release();
    } catch (...) {
      return nullptr;
    }
  }
  static void stream_destroy(void* p) noexcept { std::unique_ptr<FilterT> owned(&self(p)); }
  static sluice_status on_request_headers(sluice_stream*, void* p, int eos) noexcept {
    return guarded([&] { return self(p).on_request_headers(eos != 0); }, SLUICE_FAIL);
  }
  static sluice_status on_request_body(sluice_stream*, void* p) noexcept {
    return guarded([&] { return self(p).on_request_body(); }, SLUICE_FAIL);
  }
  static sluice_status on_response_headers(sluice_stream*, void* p, int eos) noexcept {
    return guarded([&] { return self(p).on_response_headers(eos != 0); }, SLUICE_FAIL);
  }
  static sluice_status on_response_body(sluice_stream*, void* p, int eos) noexcept {
    return guarded([&] { return self(p).on_response_body(eos != 0); }, SLUICE_FAIL);
  }
  static void on_op_done(sluice_stream*, void* p, const sluice_op_done* done) noexcept {
    guarded([&] { return self(p).on_op_done(*done), 0; }, 0);
  }
  static void on_complete(sluice_stream*, void* p, int aborted) noexcept {
    guarded([&] { return self(p).on_complete(aborted != 0), 0; }, 0);
  }
  static sluice_verdict on_attempt_done(sluice_stream*, void* p,
                                        const sluice_attempt* attempt) noexcept {
    return guarded([&] { return self(p).on_attempt_done(*attempt); }, SLUICE_USE_POLICY);
  }
  // NULL unless FilterT is a RouteFilter: a non-NULL on_attempt_done makes the host route.
  using AttemptDoneHook = sluice_verdict (*)(sluice_stream*, void*, const sluice_attempt*);
  static constexpr AttemptDoneHook attempt_done_hook() {
    if constexpr (std::is_base_of_v<RouteFilter, FilterT>) {
      return &on_attempt_done;
    } else {
      return nullptr;
    }
  }
};

}  // namespace detail

// The descriptor of one filter type; `type_name` must have static storage (a string literal).
template <class ConfigT, class FilterT>
const sluice_filter* filter_descriptor(const char* type_name) {
  using T = detail::Trampolines<ConfigT, FilterT>;
  using Own = detail::OverriddenHooks<FilterT>;
  static const sluice_filter descriptor = {
      sizeof(sluice_filter),
      type_name,
      T::config_new,
      T::config_destroy,
      T::stream_new,
      T::stream_destroy,
      Own::request_headers ? T::on_request_headers : nullptr,
      Own::request_body ? T::on_request_body : nullptr,
      Own::response_headers ? T::on_response_headers : nullptr,
      Own::response_body ? T::on_response_body : nullptr,
      Own::op_done ? T::on_op_done : nullptr,
      Own::complete ? T::on_complete : nullptr,
      T::attempt_done_hook(),
  };
  return &descriptor;
}

}  // namespace sluice

#define SLUICE_FILTER_TYPE(TYPE_NAME, CONFIG, FILTER) \
  (::sluice::filter_descriptor<CONFIG, FILTER>(TYPE_NAME))

// Defines sluice_plugin_entry() for the filter types listed.
#define SLUICE_PLUGIN(NAME, VERSION, ...)                                       \
  extern "C" SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {     \
    static const sluice_filter* const filters[] = {__VA_ARGS__};                \
    static const sluice_plugin plugin = {SLUICE_ABI_MAJOR,                      \
                                         SLUICE_ABI_MINOR,                      \
                                         sizeof(sluice_plugin),                 \
                                         NAME,                                  \
                                         VERSION,                               \
                                         nullptr,                               \
                                         filters,                               \
                                         sizeof(filters) / sizeof(filters[0])}; \
    return &plugin;                                                             \
  }
