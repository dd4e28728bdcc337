#pragma once
// Process-wide metrics in the Prometheus text exposition format (version 0.0.4).
// Thread-safety: families and series may be created and updated from any thread. Updating a
// series is a relaxed atomic operation; `with()` takes a lock, so hot paths keep the returned
// reference (it stays valid for the life of the registry).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::metrics {

class Counter {
 public:
  void inc(int64_t delta = 1) { value_.fetch_add(delta, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  // Bounds are sorted and de-duplicated; non-finite ones are dropped (+Inf is always implied).
  explicit Histogram(std::vector<double> upper_bounds);
  // Lock-free. A NaN observation is ignored.
  void observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Snapshot for rendering: cumulative counts per bound (+Inf last), sum and count.
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (the +Inf bucket)
  // No separate count: it is the sum of the buckets, so a rendered _count always equals the
  // +Inf bucket even while observations race with the render.
  std::atomic<uint64_t> sum_micros_{0};  // sum kept in millionths so it can be an atomic integer
                                         // (two's complement, so negative values add correctly)
};

enum class Kind { counter, gauge, histogram };

// A named metric with fixed label names; each distinct label-value tuple is one series.
class Family;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Returns the family, creating it on first use. Asking again for the same name with the same
  // kind and label names returns the same family; a different kind or labels returns nullptr.
  // Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*; else nullptr.
  // Label names must also be distinct, not start with "__" (reserved by Prometheus) and, for a
  // histogram, not be "le". A histogram with no bounds gets latency_buckets_seconds(); asking
  // again for a histogram with different bounds is a mismatch too (nullptr). A family without
  // labels has its one series from the start, so it renders even before it is first touched.
  Family* family(Kind kind, std::string_view name, std::string_view help,
                 std::vector<std::string> label_names, std::vector<double> histogram_bounds = {});

  // Text exposition of every family, sorted by name, series in creation order.
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Family {
 public:
  // The series for these label values (must match the label names in count; else nullptr).
  Counter* counter(const std::vector<std::string_view>& label_values);
  Gauge* gauge(const std::vector<std::string_view>& label_values);
  Histogram* histogram(const std::vector<std::string_view>& label_values);
  Kind kind() const;
  size_t label_count() const;

 private:
  friend class Registry;
  struct Impl;
  explicit Family(std::unique_ptr<Impl> impl);
  void render_into(std::string& out) const;
  std::unique_ptr<Impl> impl_;

 public:
  ~Family();
};

// The registry /metrics renders.
Registry& global();

// Default latency buckets in seconds (50us .. 60s).
std::vector<double> latency_buckets_seconds();

}  // namespace sluice::metrics
