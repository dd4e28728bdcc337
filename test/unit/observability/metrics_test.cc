// Tests for core/observability/metrics: exact Prometheus text output, family reuse and
// mismatch, name validation, histogram bucketing, and exact sums under concurrency.

#include "core/observability/metrics.h"

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sluice::metrics {
namespace {

TEST(Metrics, EmptyRegistryRendersNothing) {
  Registry registry;
  EXPECT_EQ(registry.render(), "");
}

TEST(Metrics, CounterWithLabelsRendersExactly) {
  Registry registry;
  Family* requests = registry.family(Kind::counter, "sluice_requests_total", "Requests served.",
                                     {"chain", "code"});
  ASSERT_NE(requests, nullptr);
  requests->counter({"chat", "200"})->inc();
  requests->counter({"chat", "200"})->inc(2);
  requests->counter({"embed", "503"})->inc(5);
  requests->counter({"chat", "429"});  // created, never incremented
  EXPECT_EQ(registry.render(),
            "# HELP sluice_requests_total Requests served.\n"
            "# TYPE sluice_requests_total counter\n"
            "sluice_requests_total{chain=\"chat\",code=\"200\"} 3\n"
            "sluice_requests_total{chain=\"embed\",code=\"503\"} 5\n"
            "sluice_requests_total{chain=\"chat\",code=\"429\"} 0\n");
}

TEST(Metrics, GaugeWithoutLabelsRendersFromTheStart) {
  Registry registry;
  Family* open = registry.family(Kind::gauge, "sluice_open_connections", "Open connections.", {});
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(registry.render(),
            "# HELP sluice_open_connections Open connections.\n"
            "# TYPE sluice_open_connections gauge\n"
            "sluice_open_connections 0\n");
  Gauge* g = open->gauge({});
  ASSERT_NE(g, nullptr);
  g->set(10);
  g->add(-13);
  EXPECT_EQ(g->value(), -3);
  EXPECT_EQ(registry.render(),
            "# HELP sluice_open_connections Open connections.\n"
            "# TYPE sluice_open_connections gauge\n"
            "sluice_open_connections -3\n");
}

TEST(Metrics, HelpAndLabelValuesAreEscaped) {
  Registry registry;
  Family* f =
      registry.family(Kind::counter, "escapes_total", "Back\\slash and\nnewline \"kept\"", {"v"});
  ASSERT_NE(f, nullptr);
  f->counter({"a\\b\"c\nd"})->inc();
  f->counter({"caf\xC3\xA9 \xFF"})->inc(2);  // invalid UTF-8 is replaced, valid kept
  EXPECT_EQ(registry.render(),
            "# HELP escapes_total Back\\\\slash and\\nnewline \"kept\"\n"
            "# TYPE escapes_total counter\n"
            "escapes_total{v=\"a\\\\b\\\"c\\nd\"} 1\n"
            "escapes_total{v=\"caf\xC3\xA9 \xEF\xBF\xBD\"} 2\n");
}

TEST(Metrics, HistogramRendersCumulativeBucketsSumAndCount) {
  Registry registry;
  Family* f = registry.family(Kind::histogram, "upstream_seconds", "Upstream latency.",
                              {"provider"}, {0.1, 0.5, 2.5});
  ASSERT_NE(f, nullptr);
  Histogram* openai = f->histogram({"openai"});
  ASSERT_NE(openai, nullptr);
  openai->observe(0.05);  // <= 0.1
  openai->observe(0.1);   // le is inclusive: still the 0.1 bucket
  openai->observe(0.3);   // <= 0.5
  openai->observe(3);     // +Inf only
  f->histogram({"local"})->observe(2.5);
  EXPECT_EQ(registry.render(),
            "# HELP upstream_seconds Upstream latency.\n"
            "# TYPE upstream_seconds histogram\n"
            "upstream_seconds_bucket{provider=\"openai\",le=\"0.1\"} 2\n"
            "upstream_seconds_bucket{provider=\"openai\",le=\"0.5\"} 3\n"
            "upstream_seconds_bucket{provider=\"openai\",le=\"2.5\"} 3\n"
            "upstream_seconds_bucket{provider=\"openai\",le=\"+Inf\"} 4\n"
            "upstream_seconds_sum{provider=\"openai\"} 3.45\n"
            "upstream_seconds_count{provider=\"openai\"} 4\n"
            "upstream_seconds_bucket{provider=\"local\",le=\"0.1\"} 0\n"
            "upstream_seconds_bucket{provider=\"local\",le=\"0.5\"} 0\n"
            "upstream_seconds_bucket{provider=\"local\",le=\"2.5\"} 1\n"
            "upstream_seconds_bucket{provider=\"local\",le=\"+Inf\"} 1\n"
            "upstream_seconds_sum{provider=\"local\"} 2.5\n"
            "upstream_seconds_count{provider=\"local\"} 1\n");
}

TEST(Metrics, HistogramWithoutLabelsAndDefaultBuckets) {
  Registry registry;
  Family* f = registry.family(Kind::histogram, "request_seconds", "", {});
  ASSERT_NE(f, nullptr);
  f->histogram({})->observe(0.0002);
  const std::string text = registry.render();
  // No HELP line for an empty help text.
  EXPECT_EQ(text.rfind("# TYPE request_seconds histogram\n", 0), 0u) << text;
  EXPECT_NE(text.find("request_seconds_bucket{le=\"5e-05\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("request_seconds_bucket{le=\"0.0001\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("request_seconds_bucket{le=\"0.00025\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("request_seconds_bucket{le=\"60\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("request_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("request_seconds_sum 0.0002\n"), std::string::npos) << text;
  EXPECT_NE(text.find("request_seconds_count 1\n"), std::string::npos) << text;
  // 19 bounds + the +Inf bucket.
  size_t buckets = 0;
  for (size_t at = 0; (at = text.find("_bucket{", at)) != std::string::npos; ++at) ++buckets;
  EXPECT_EQ(buckets, 20u);
}

TEST(Metrics, LatencyBucketsAreTheDocumentedOnes) {
  EXPECT_EQ(latency_buckets_seconds(),
            (std::vector<double>{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}));
}

TEST(Metrics, HistogramBucketsByBinarySearchAtEveryBoundary) {
  Histogram h({1, 2, 4, 8});
  for (double v : {0.0, 1.0, 1.5, 2.0, 3.0, 4.0, 8.0, 8.5, -1.0}) h.observe(v);
  h.observe(std::nan(""));  // ignored
  const Histogram::Snapshot snap = h.snapshot();
  EXPECT_EQ(snap.bounds, (std::vector<double>{1, 2, 4, 8}));
  // <=1: 0, 1, -1 | <=2: 1.5, 2 | <=4: 3, 4 | <=8: 8 | +Inf: 8.5
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{3, 5, 7, 8, 9}));
  EXPECT_EQ(snap.count, 9u);
  EXPECT_DOUBLE_EQ(snap.sum, 27.0);
}

TEST(Metrics, HistogramBoundsAreSortedAndDeduplicated) {
  Histogram h({5, 1, 5, std::numeric_limits<double>::infinity(), 2});
  EXPECT_EQ(h.bounds(), (std::vector<double>{1, 2, 5}));
}

TEST(Metrics, FamiliesAreSortedByNameSeriesInCreationOrder) {
  Registry registry;
  registry.family(Kind::counter, "zeta_total", "z", {})->counter({})->inc();
  Family* b = registry.family(Kind::gauge, "beta", "b", {"k"});
  b->gauge({"second"})->set(2);
  b->gauge({"first"})->set(1);
  b->gauge({"second"})->set(3);
  registry.family(Kind::counter, "alpha_total", "a", {})->counter({})->inc(7);
  EXPECT_EQ(registry.render(),
            "# HELP alpha_total a\n# TYPE alpha_total counter\nalpha_total 7\n"
            "# HELP beta b\n# TYPE beta gauge\nbeta{k=\"second\"} 3\nbeta{k=\"first\"} 1\n"
            "# HELP zeta_total z\n# TYPE zeta_total counter\nzeta_total 1\n");
}

TEST(Metrics, SameFamilyIsReturnedAndMismatchIsNull) {
  Registry registry;
  Family* f = registry.family(Kind::counter, "hits_total", "Hits.", {"route"});
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(registry.family(Kind::counter, "hits_total", "Other help is ignored.", {"route"}), f);
  EXPECT_EQ(registry.family(Kind::gauge, "hits_total", "Hits.", {"route"}), nullptr);
  EXPECT_EQ(registry.family(Kind::counter, "hits_total", "Hits.", {"path"}), nullptr);
  EXPECT_EQ(registry.family(Kind::counter, "hits_total", "Hits.", {}), nullptr);
  EXPECT_EQ(registry.family(Kind::counter, "hits_total", "Hits.", {"route", "code"}), nullptr);

  Family* h = registry.family(Kind::histogram, "lat_seconds", "L.", {}, {1, 2});
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(registry.family(Kind::histogram, "lat_seconds", "L.", {}, {2, 1}), h);
  EXPECT_EQ(registry.family(Kind::histogram, "lat_seconds", "L.", {}, {1, 3}), nullptr);
  Family* d = registry.family(Kind::histogram, "default_seconds", "D.", {});
  EXPECT_EQ(
      registry.family(Kind::histogram, "default_seconds", "D.", {}, latency_buckets_seconds()), d);

  // The same series object for the same label values.
  Counter* c = f->counter({"/v1/chat"});
  EXPECT_EQ(f->counter({"/v1/chat"}), c);
  EXPECT_NE(f->counter({"/v1/embed"}), c);
}

TEST(Metrics, SeriesAccessorsRejectWrongKindOrLabelCount) {
  Registry registry;
  Family* f = registry.family(Kind::counter, "c_total", "c", {"a", "b"});
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind(), Kind::counter);
  EXPECT_EQ(f->label_count(), 2u);
  EXPECT_NE(f->counter({"x", "y"}), nullptr);
  EXPECT_EQ(f->counter({"x"}), nullptr);
  EXPECT_EQ(f->counter({"x", "y", "z"}), nullptr);
  EXPECT_EQ(f->gauge({"x", "y"}), nullptr);
  EXPECT_EQ(f->histogram({"x", "y"}), nullptr);

  Family* h = registry.family(Kind::histogram, "h_seconds", "h", {});
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->kind(), Kind::histogram);
  EXPECT_NE(h->histogram({}), nullptr);
  EXPECT_EQ(h->counter({}), nullptr);
  EXPECT_EQ(h->histogram({"extra"}), nullptr);
}

TEST(Metrics, InvalidNamesAreRejected) {
  Registry registry;
  for (const char* name : {"", "1starts_with_digit", "has-dash", "has space", "dot.ted", "é"}) {
    EXPECT_EQ(registry.family(Kind::counter, name, "h", {}), nullptr) << name;
  }
  for (const char* name : {"_ok", "ok:colon", "a1", "A_Z:z9"}) {
    EXPECT_NE(registry.family(Kind::counter, name, "h", {}), nullptr) << name;
  }
  for (const char* label : {"", "1x", "with:colon", "with-dash", "__reserved"}) {
    EXPECT_EQ(registry.family(Kind::gauge, "g", "h", {label}), nullptr) << label;
  }
  EXPECT_EQ(registry.family(Kind::gauge, "g", "h", {"dup", "dup"}), nullptr);
  EXPECT_EQ(registry.family(Kind::histogram, "h", "h", {"le"}), nullptr);
  // Nothing invalid was registered, so the names are still free.
  EXPECT_EQ(registry.render().find("# TYPE g "), std::string::npos);
  EXPECT_EQ(registry.render().find("# TYPE h "), std::string::npos);
  EXPECT_NE(registry.family(Kind::gauge, "g", "h", {"_x", "le", "A9"}), nullptr);
  EXPECT_NE(registry.family(Kind::histogram, "h", "h", {"x"}), nullptr);
}

TEST(Metrics, ConcurrentUpdatesFromFourThreadsSumExactly) {
  Registry registry;
  Family* counters = registry.family(Kind::counter, "ops_total", "Ops.", {"kind"});
  Family* gauges = registry.family(Kind::gauge, "level", "Level.", {});
  Family* histograms = registry.family(Kind::histogram, "op_seconds", "Op.", {}, {0.001, 1});
  ASSERT_NE(counters, nullptr);
  ASSERT_NE(gauges, nullptr);
  ASSERT_NE(histograms, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      // Half the lookups race to create the same series; the other half hit a per-thread one.
      Counter* shared = counters->counter({"shared"});
      Counter* own = counters->counter({t % 2 == 0 ? "even" : "odd"});
      Gauge* gauge = gauges->gauge({});
      Histogram* hist = histograms->histogram({});
      for (int i = 0; i < kPerThread; ++i) {
        shared->inc();
        own->inc(2);
        gauge->add(t % 2 == 0 ? 3 : -1);
        hist->observe(i % 2 == 0 ? 0.0005 : 0.5);
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(counters->counter({"shared"})->value(), kThreads * kPerThread);
  EXPECT_EQ(counters->counter({"even"})->value(), 2 * 2 * kPerThread);
  EXPECT_EQ(counters->counter({"odd"})->value(), 2 * 2 * kPerThread);
  EXPECT_EQ(gauges->gauge({})->value(), 2 * kPerThread * 3 - 2 * kPerThread);
  const Histogram::Snapshot snap = histograms->histogram({})->snapshot();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{200000, 400000, 400000}));
  EXPECT_EQ(snap.count, 400000u);
  EXPECT_DOUBLE_EQ(snap.sum, 200000 * 0.0005 + 200000 * 0.5);
}

TEST(Metrics, ConcurrentSeriesCreationYieldsOneSeriesPerLabelValue) {
  Registry registry;
  Family* f = registry.family(Kind::counter, "created_total", "c", {"i"});
  ASSERT_NE(f, nullptr);
  constexpr int kThreads = 4;
  constexpr int kSeries = 3000;
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([f, t] {
      // Each thread walks the same label values from a different starting point, so creations
      // and lookups of the same series race.
      for (int k = 0; k < kSeries; ++k) {
        const std::string value = std::to_string((k + t * kSeries / kThreads) % kSeries);
        f->counter({value})->inc();
      }
    });
  }
  for (auto& w : workers) w.join();
  for (int i = 0; i < kSeries; ++i) {
    ASSERT_EQ(f->counter({std::to_string(i)})->value(), kThreads) << i;
  }
  const std::string text = registry.render();
  size_t series = 0;
  for (size_t at = 0; (at = text.find("created_total{", at)) != std::string::npos; ++at) ++series;
  EXPECT_EQ(series, static_cast<size_t>(kSeries));
}

TEST(Metrics, SeriesPointersStayValidWhileOthersAreCreated) {
  Registry registry;
  Family* f = registry.family(Kind::counter, "many_total", "m", {"i"});
  Counter* first = f->counter({"0"});
  first->inc();
  for (int i = 1; i < 5000; ++i) f->counter({std::to_string(i)})->inc(i);
  first->inc();
  EXPECT_EQ(f->counter({"0"}), first);
  EXPECT_EQ(first->value(), 2);
  EXPECT_EQ(f->counter({"4999"})->value(), 4999);
}

TEST(Metrics, LabelValuesThatOnlyDifferInSplittingAreDistinctSeries) {
  Registry registry;
  Family* f = registry.family(Kind::counter, "pairs_total", "p", {"a", "b"});
  Counter* one = f->counter({"x:", "y"});
  Counter* two = f->counter({"x", ":y"});
  Counter* three = f->counter({"", "x:y"});
  EXPECT_NE(one, two);
  EXPECT_NE(one, three);
  EXPECT_NE(two, three);
}

TEST(Metrics, GlobalRegistryIsOneInstance) {
  EXPECT_EQ(&global(), &global());
  Family* f = global().family(Kind::counter, "observability_test_global_total", "t", {});
  ASSERT_NE(f, nullptr);
  f->counter({})->inc();
  EXPECT_NE(global().render().find("observability_test_global_total 1\n"), std::string::npos);
}

}  // namespace
}  // namespace sluice::metrics
