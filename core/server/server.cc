// Server: start-up, the control loop (signals, reload, drain) and shutdown.

#include "core/server/server.h"

#include <event2/event.h>
#include <event2/thread.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <vector>

#include <google/protobuf/util/message_differencer.h>

#include "core/http/listener.h"
#include "core/http/tls_context.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"
#include "core/runtime/chain.h"
#include "core/runtime/dispatcher.h"
#include "core/runtime/host_api.h"
#include "core/runtime/plugin_loader.h"
#include "core/server/admin.h"
#include "core/server/worker.h"

namespace sluice::server {
namespace {

using Clock = std::chrono::steady_clock;

http::ServerLimits limits_from(const config::v1::Limits& proto) {
  http::ServerLimits limits;
  limits.max_header_bytes = proto.max_header_bytes();
  limits.max_header_count = proto.max_header_count();
  limits.max_url_bytes = proto.max_url_bytes();
  limits.max_body_bytes = proto.max_body_bytes();
  limits.header_timeout_ms = proto.header_timeout_ms();
  limits.body_idle_timeout_ms = proto.body_idle_timeout_ms();
  limits.keepalive_idle_timeout_ms = proto.keepalive_idle_timeout_ms();
  limits.max_connections_per_worker = proto.max_connections_per_worker();
  limits.max_json_depth = proto.max_json_depth();
  limits.max_response_buffer_bytes = proto.max_response_buffer_bytes();
  return limits;
}

metrics::Family* reloads_family() {
  static metrics::Family* family = metrics::global().family(
      metrics::Kind::counter, "sluice_config_reloads_total",
      "Configuration reloads by result (success, or failure when the new config was refused "
      "and the old one kept serving).",
      {"result"});
  return family;
}

void log_diagnostics(std::string_view message, const std::vector<config::Diagnostic>& errors) {
  for (const auto& error : errors) {
    log::error(message, {{"error", error.format()}});
  }
}

// Everything a running process holds; lives on run_server's stack.
class Process {
 public:
  Process(std::shared_ptr<const config::LoadedConfig> config, const ServerOptions& options)
      : options_(options),
        config_(std::move(config)),
        catalog_(config_->bootstrap.plugin_dir()),
        started_(Clock::now()) {}

  ~Process() {
    for (auto* ev : signal_events_) event_free(ev);
    if (drain_timer_) event_free(drain_timer_);
    admin_listener_.reset();
    workers_.clear();
    if (control_) event_base_free(control_);
  }

  int run() {
    std::vector<config::Diagnostic> errors;
    auto runtime = runtime::RuntimeConfig::build(config_, catalog_, &errors);
    if (!runtime) {
      log_diagnostics("invalid configuration", errors);
      return 1;
    }
    source_.publish(runtime);
    control_ = event_base_new();
    if (!start_workers() || !start_admin()) return 1;
    watch_signals();
    const std::chrono::microseconds busy_poll(config_->bootstrap.busy_poll_us());
    for (auto& worker : workers_) worker->start(busy_poll);
    ready_.store(true);
    double startup_ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    const auto& bootstrap = config_->bootstrap;
    for (int i = 0; i < bootstrap.listeners_size(); ++i) {
      const auto& listener = bootstrap.listeners(i);
      log::info("listening", {{"listener", listener.name()},
                              {"address", listener.address()},
                              {"port", static_cast<int64_t>(workers_[0]->port(i))},
                              {"tls", listener.has_tls()},
                              {"workers", static_cast<int64_t>(workers_.size())}});
    }
    log::info("started", {{"config", options_.config_path},
                          {"startup_ms", startup_ms},
                          {"busy_poll_us", static_cast<int64_t>(bootstrap.busy_poll_us())}});
    event_base_dispatch(control_);
    for (auto& worker : workers_) worker->join();
    log::info("stopped", {});
    return 0;
  }

 private:
  bool start_workers() {
    const auto& bootstrap = config_->bootstrap;
    std::vector<http::ListenerOptions> listeners;
    http::ServerLimits limits = limits_from(bootstrap.limits());
    for (const auto& spec : bootstrap.listeners()) {
      http::ListenerOptions options;
      options.address = spec.address();
      options.port = static_cast<uint16_t>(spec.port());
      options.limits = limits;
      if (spec.has_tls()) {
        std::string error;
        http::TlsOptions tls{spec.tls().cert_file(), spec.tls().key_file(),
                             spec.tls().min_version()};
        auto context = http::TlsContext::create(tls, &error);
        if (!context) {
          log::error("cannot set up TLS", {{"listener", spec.name()}, {"error", error}});
          return false;
        }
        options.tls = context->native();
        tls_contexts_.push_back(std::move(context));
      }
      listeners.push_back(options);
    }
    size_t count = bootstrap.workers() ? bootstrap.workers() : 1;
    for (size_t i = 0; i < count; ++i) {
      std::string error;
      auto worker = Worker::create(i, source_, &error);
      if (!worker) {
        log::error("cannot start worker", {{"error", error}});
        return false;
      }
      if (!worker->listen(listeners, &error)) {
        log::error("cannot listen", {{"error", error}});
        return false;
      }
      // A listener asked for port 0 gets a free port from the first worker; the others share it.
      for (size_t l = 0; i == 0 && l < listeners.size(); ++l) listeners[l].port = worker->port(l);
      workers_.push_back(std::move(worker));
    }
    return true;
  }

  bool start_admin() {
    const auto& admin = config_->bootstrap.admin();
    if (admin.disabled()) return true;
    admin_handler_ = std::make_unique<AdminHandler>(source_, ready_);
    http::ListenerOptions options;
    options.address = admin.address();
    options.port = static_cast<uint16_t>(admin.port());
    options.limits.max_connections_per_worker = 64;
    std::string error;
    admin_listener_ = http::Listener::create(
        control_, options, [this]() -> http::RequestHandler& { return *admin_handler_; }, &error);
    if (!admin_listener_) {
      log::error("cannot listen for admin", {{"error", error}});
      return false;
    }
    log::info("admin listening", {{"address", admin.address()},
                                  {"port", static_cast<int64_t>(admin_listener_->port())}});
    return true;
  }

  void watch_signals() {
    for (int signal : {SIGHUP, SIGTERM, SIGINT, SIGUSR1}) {
      event* ev = evsignal_new(control_, signal, &Process::on_signal, this);
      event_add(ev, nullptr);
      signal_events_.push_back(ev);
    }
  }

  static void on_signal(evutil_socket_t signal, short, void* self) {
    auto* process = static_cast<Process*>(self);
    if (signal == SIGHUP) {
      process->reload();
    } else if (signal == SIGUSR1) {
      runtime::bump_reopen_generation();  // log filters reopen their files
      log::info("reopening log files", {});
    } else {
      process->begin_drain(static_cast<int>(signal));
    }
  }

  void reload() {
    auto result = config::load_file(options_.config_path, options_.load);
    if (!result.config) {
      reloads_family()->counter({"failure"})->inc();
      log_diagnostics("reload refused: invalid configuration; the old one keeps serving",
                      result.errors);
      return;
    }
    std::shared_ptr<const config::LoadedConfig> next = std::move(result.config);
    warn_about_restart_only_changes(next->bootstrap);
    std::vector<config::Diagnostic> errors;
    auto runtime = runtime::RuntimeConfig::build(next, catalog_, &errors);
    if (!runtime) {
      reloads_family()->counter({"failure"})->inc();
      log_diagnostics("reload refused: invalid configuration; the old one keeps serving", errors);
      return;
    }
    source_.publish(std::move(runtime));
    reloads_family()->counter({"success"})->inc();
    log::info("configuration reloaded", {{"config", options_.config_path}});
  }

  // Sockets, threads and limits are fixed at start-up; say so instead of pretending.
  void warn_about_restart_only_changes(const config::v1::Bootstrap& next) {
    using google::protobuf::util::MessageDifferencer;
    const auto& now = config_->bootstrap;
    bool listeners_same = now.listeners_size() == next.listeners_size();
    for (int i = 0; listeners_same && i < now.listeners_size(); ++i) {
      listeners_same = MessageDifferencer::Equals(now.listeners(i), next.listeners(i));
    }
    if (!listeners_same || now.workers() != next.workers() ||
        now.busy_poll_us() != next.busy_poll_us() ||
        !MessageDifferencer::Equals(now.limits(), next.limits()) ||
        !MessageDifferencer::Equals(now.admin(), next.admin()) ||
        now.plugin_dir() != next.plugin_dir()) {
      log::warn(
          "listeners, workers, busy_poll_us, limits, admin and plugin_dir changes apply only "
          "after a restart; the rest of the new configuration applies now",
          {});
    }
  }

  void begin_drain(int signal) {
    if (draining_) {
      log::warn("second stop signal: closing every connection now", {{"signal", signal}});
      for (auto& worker : workers_) worker->force_stop();
      return;
    }
    draining_ = true;
    ready_.store(false);
    uint32_t timeout_ms = config_->bootstrap.drain_timeout_ms();
    log::info("draining", {{"signal", signal}, {"drain_timeout_ms", timeout_ms}});
    drain_deadline_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (auto& worker : workers_) worker->drain();
    drain_timer_ = event_new(control_, -1, EV_PERSIST, &Process::on_drain_tick, this);
    timeval every = {0, 20 * 1000};
    event_add(drain_timer_, &every);
  }

  static void on_drain_tick(evutil_socket_t, short, void* self) {
    auto* process = static_cast<Process*>(self);
    bool all_finished = true;
    for (auto& worker : process->workers_) all_finished = all_finished && worker->finished();
    if (all_finished) {
      event_base_loopexit(process->control_, nullptr);
      return;
    }
    if (!process->forced_ && Clock::now() >= process->drain_deadline_) {
      process->forced_ = true;
      size_t open = 0;
      for (auto& worker : process->workers_) open += worker->open_connections();
      log::warn("drain timeout: closing the remaining connections",
                {{"open_connections", static_cast<int64_t>(open)}});
      for (auto& worker : process->workers_) worker->force_stop();
    }
  }

  const ServerOptions& options_;
  std::shared_ptr<const config::LoadedConfig> config_;
  runtime::PluginCatalog catalog_;
  runtime::ConfigSource source_;
  Clock::time_point started_;
  event_base* control_ = nullptr;
  std::vector<std::unique_ptr<http::TlsContext>> tls_contexts_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<AdminHandler> admin_handler_;
  std::unique_ptr<http::Listener> admin_listener_;
  std::vector<event*> signal_events_;
  event* drain_timer_ = nullptr;
  bool draining_ = false;
  bool forced_ = false;
  Clock::time_point drain_deadline_;
};

}  // namespace

int run_server(std::unique_ptr<config::LoadedConfig> config, const ServerOptions& options) {
  evthread_use_pthreads();
  log::Level level = log::Level::info;
  if (log::parse_level(config->bootstrap.logging().level(), &level)) log::set_level(level);
  Process process(std::move(config), options);
  return process.run();
}

}  // namespace sluice::server
