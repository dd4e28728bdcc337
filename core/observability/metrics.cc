// Owns the metrics registry: families and their series, the lock-free histogram, name
// validation, and rendering in the Prometheus text exposition format 0.0.4.

#include "core/observability/metrics.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "core/observability/utf8.h"

namespace sluice::metrics {
namespace {

// Converts a value in seconds (or any unit) to millionths, clamped to the int64 range, as the
// two's-complement bit pattern the atomic sum accumulates.
uint64_t to_micros(double value) {
  double micros = value * 1e6;
  constexpr double kLimit = 9.2e18;  // just inside int64's range
  micros = std::clamp(micros, -kLimit, kLimit);
  return static_cast<uint64_t>(std::llround(micros));
}

bool is_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

bool is_label_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

std::vector<double> normalize_bounds(std::vector<double> bounds) {
  std::erase_if(bounds, [](double b) { return !std::isfinite(b); });
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

void append_int(std::string& out, int64_t v) {
  fmt::format_to(std::back_inserter(out), "{}", v);
}
void append_uint(std::string& out, uint64_t v) {
  fmt::format_to(std::back_inserter(out), "{}", v);
}

// Prometheus parses these with Go's ParseFloat: "+Inf", "-Inf", "NaN", and the shortest
// round-trip decimal form otherwise ("1", "0.25", "5e-05").
void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
  } else if (std::isinf(v)) {
    out.append(v > 0 ? "+Inf" : "-Inf");
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

// Appends `text` with invalid UTF-8 bytes replaced by U+FFFD (the exposition must be UTF-8),
// escaping '\\' and '\n', and '"' too when `quote` is set.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c >= 0x80) {
      const size_t len = observability_internal::utf8_sequence_length(p + i, n - i);
      if (len == 0) {
        out.append(observability_internal::kReplacementCharacter);
        ++i;
      } else {
        out.append(text.data() + i, len);
        i += len;
      }
      continue;
    }
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '"' && quote) {
      out.append("\\\"");
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::counter:
      return "counter";
    case Kind::gauge:
      return "gauge";
    case Kind::histogram:
      return "histogram";
  }
  return "untyped";
}

// Unambiguous map key for a tuple of label values: each value prefixed by its length.
std::string series_key(const std::vector<std::string_view>& values) {
  std::string key;
  for (std::string_view v : values) {
    key.append(std::to_string(v.size()));
    key.push_back(':');
    key.append(v);
  }
  return key;
}

}  // namespace

// ---- Histogram ----------------------------------------------------------------------------

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(normalize_bounds(std::move(upper_bounds))),
      buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
  if (std::isnan(value)) return;
  // First bound >= value: the bucket whose `le` covers it; past the end is +Inf.
  const size_t index = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                           bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(to_micros(value), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snap;
  snap.bounds = bounds_;
  snap.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snap.cumulative[i] = running;
  }
  snap.count = running;
  snap.sum =
      static_cast<double>(static_cast<int64_t>(sum_micros_.load(std::memory_order_relaxed))) / 1e6;
  return snap;
}

// ---- Family -------------------------------------------------------------------------------

struct Family::Impl {
  struct Series {
    std::vector<std::string> label_values;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };

  Kind kind;
  std::string name;
  std::string help;
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // histograms only, normalized

  mutable std::mutex mu;
  std::vector<std::unique_ptr<Series>> series;  // creation order
  std::unordered_map<std::string, Series*> by_key;

  // The series for `values`, created on first use; nullptr when the kind or count is wrong.
  Series* get(Kind wanted, const std::vector<std::string_view>& values) {
    if (wanted != kind || values.size() != label_names.size()) return nullptr;
    std::string key = series_key(values);
    std::lock_guard<std::mutex> lock(mu);
    auto it = by_key.find(key);
    if (it != by_key.end()) return it->second;
    auto s = std::make_unique<Series>();
    s->label_values.assign(values.begin(), values.end());
    switch (kind) {
      case Kind::counter:
        s->counter = std::make_unique<Counter>();
        break;
      case Kind::gauge:
        s->gauge = std::make_unique<Gauge>();
        break;
      case Kind::histogram:
        s->histogram = std::make_unique<Histogram>(bounds);
        break;
    }
    Series* raw = s.get();
    series.push_back(std::move(s));
    by_key.emplace(std::move(key), raw);
    return raw;
  }
};

Family::Family(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Family::~Family() = default;

Counter* Family::counter(const std::vector<std::string_view>& label_values) {
  Impl::Series* s = impl_->get(Kind::counter, label_values);
  return s != nullptr ? s->counter.get() : nullptr;
}

Gauge* Family::gauge(const std::vector<std::string_view>& label_values) {
  Impl::Series* s = impl_->get(Kind::gauge, label_values);
  return s != nullptr ? s->gauge.get() : nullptr;
}

Histogram* Family::histogram(const std::vector<std::string_view>& label_values) {
  Impl::Series* s = impl_->get(Kind::histogram, label_values);
  return s != nullptr ? s->histogram.get() : nullptr;
}

Kind Family::kind() const {
  return impl_->kind;
}
size_t Family::label_count() const {
  return impl_->label_names.size();
}

void Family::render_into(std::string& out) const {
  const Impl& f = *impl_;
  if (!f.help.empty()) {
    out.append("# HELP ").append(f.name).push_back(' ');
    append_escaped(out, f.help, /*quote=*/false);
    out.push_back('\n');
  }
  out.append("# TYPE ").append(f.name).push_back(' ');
  out.append(kind_name(f.kind)).push_back('\n');

  // Writes `{a="x",b="y"` plus an optional `le` pair and the closing brace; nothing when there
  // are no labels at all.
  auto append_labels = [&](const Impl::Series& s, std::string_view le) {
    if (f.label_names.empty() && le.empty()) return;
    out.push_back('{');
    for (size_t i = 0; i < f.label_names.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(f.label_names[i]).append("=\"");
      append_escaped(out, s.label_values[i], /*quote=*/true);
      out.push_back('"');
    }
    if (!le.empty()) {
      if (!f.label_names.empty()) out.push_back(',');
      out.append("le=\"").append(le).push_back('"');
    }
    out.push_back('}');
  };

  std::lock_guard<std::mutex> lock(f.mu);
  for (const auto& sp : f.series) {
    const Impl::Series& s = *sp;
    switch (f.kind) {
      case Kind::counter:
      case Kind::gauge:
        out.append(f.name);
        append_labels(s, {});
        out.push_back(' ');
        append_int(out, f.kind == Kind::counter ? s.counter->value() : s.gauge->value());
        out.push_back('\n');
        break;
      case Kind::histogram: {
        const Histogram::Snapshot snap = s.histogram->snapshot();
        std::string le;
        for (size_t i = 0; i <= snap.bounds.size(); ++i) {
          le.clear();
          if (i < snap.bounds.size()) {
            append_double(le, snap.bounds[i]);
          } else {
            le = "+Inf";
          }
          out.append(f.name).append("_bucket");
          append_labels(s, le);
          out.push_back(' ');
          append_uint(out, snap.cumulative[i]);
          out.push_back('\n');
        }
        out.append(f.name).append("_sum");
        append_labels(s, {});
        out.push_back(' ');
        append_double(out, snap.sum);
        out.push_back('\n');
        out.append(f.name).append("_count");
        append_labels(s, {});
        out.push_back(' ');
        append_uint(out, snap.count);
        out.push_back('\n');
        break;
      }
    }
  }
}

// ---- Registry -----------------------------------------------------------------------------

struct Registry::Impl {
  mutable std::mutex mu;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families;  // sorted by name
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Family* Registry::family(Kind kind, std::string_view name, std::string_view help,
                         std::vector<std::string> label_names,
                         std::vector<double> histogram_bounds) {
  if (!is_metric_name(name)) return nullptr;
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& label = label_names[i];
    if (!is_label_name(label) || label.starts_with("__")) return nullptr;
    if (kind == Kind::histogram && label == "le") return nullptr;
    for (size_t j = 0; j < i; ++j) {
      if (label_names[j] == label) return nullptr;
    }
  }
  std::vector<double> bounds;
  if (kind == Kind::histogram) {
    bounds = normalize_bounds(histogram_bounds.empty() ? latency_buckets_seconds()
                                                       : std::move(histogram_bounds));
  }

  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->families.find(name);
  if (it != impl_->families.end()) {
    const Family::Impl& existing = *it->second->impl_;
    if (existing.kind != kind || existing.label_names != label_names || existing.bounds != bounds) {
      return nullptr;
    }
    return it->second.get();
  }

  auto fimpl = std::make_unique<Family::Impl>();
  fimpl->kind = kind;
  fimpl->name = std::string(name);
  fimpl->help = std::string(help);
  fimpl->label_names = std::move(label_names);
  fimpl->bounds = std::move(bounds);
  std::unique_ptr<Family> family(new Family(std::move(fimpl)));
  Family* raw = family.get();
  impl_->families.emplace(std::string(name), std::move(family));
  if (raw->label_count() == 0) {
    raw->impl_->get(kind, {});  // the one series exists from the start
  }
  return raw;
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const auto& [name, family] : impl_->families) family->render_into(out);
  return out;
}

Registry& global() {
  static Registry* registry = new Registry();  // never destroyed: usable during exit
  return *registry;
}

std::vector<double> latency_buckets_seconds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,     0.25,   0.5,     1,      2.5,   5,      10,    30,   60};
}

}  // namespace sluice::metrics
