// Defaults for every Bootstrap field that has one, and the Limits table.

#include "core/config/defaults.h"

#include <algorithm>
#include <array>
#include <string>
#include <thread>

namespace sluice::config::detail {

namespace v1 = sluice::config::v1;

namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;
constexpr uint64_t kDayMs = 24ull * 60 * 60 * 1000;

constexpr std::array<LimitRule, 10> kLimitRules{{
    {"max_header_bytes", 65536, kKiB, kMiB, "1 KiB..1 MiB"},
    {"max_header_count", 100, 1, 10000, "1..10000"},
    {"max_url_bytes", 8192, 64, kMiB, "64 bytes..1 MiB"},
    {"max_body_bytes", 32 * kMiB, 1, kGiB, "1 byte..1 GiB"},
    {"header_timeout_ms", 10000, 1, kDayMs, "1 ms..24 h"},
    {"body_idle_timeout_ms", 30000, 1, kDayMs, "1 ms..24 h"},
    {"keepalive_idle_timeout_ms", 60000, 1, kDayMs, "1 ms..24 h"},
    {"max_connections_per_worker", 10000, 1, 1000000, "1..1000000"},
    {"max_json_depth", 64, 1, 1000, "1..1000"},
    {"max_response_buffer_bytes", kMiB, 4 * kKiB, kGiB, "4 KiB..1 GiB"},
}};

// Names come from kLimitRules, which a test checks against the proto; nullptr if one is wrong.
const google::protobuf::FieldDescriptor* limit_field(std::string_view name) {
  return v1::Limits::descriptor()->FindFieldByName(std::string(name));
}

std::string index_path(std::string_view base, int index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

}  // namespace

std::span<const LimitRule> limit_rules() {
  return kLimitRules;
}

uint64_t get_limit(const v1::Limits& limits, std::string_view name) {
  const auto* field = limit_field(name);
  if (field == nullptr) return 0;
  const auto* reflection = limits.GetReflection();
  if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT64) {
    return reflection->GetUInt64(limits, field);
  }
  return reflection->GetUInt32(limits, field);
}

void set_limit(v1::Limits* limits, std::string_view name, uint64_t value) {
  const auto* field = limit_field(name);
  if (field == nullptr) return;
  const auto* reflection = limits->GetReflection();
  if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT64) {
    reflection->SetUInt64(limits, field, value);
  } else {
    reflection->SetUInt32(limits, field, static_cast<uint32_t>(value));
  }
}

void apply_defaults(v1::Bootstrap* b, const PresentFn& present) {
  for (int i = 0; i < b->listeners_size(); ++i) {
    v1::Listener* listener = b->mutable_listeners(i);
    if (listener->name().empty()) listener->set_name("listener" + std::to_string(i));
    if (listener->address().empty()) listener->set_address(std::string(kDefaultAddress));
    if (listener->has_tls() && listener->tls().min_version().empty()) {
      listener->mutable_tls()->set_min_version(std::string(kDefaultTlsMinVersion));
    }
  }
  if (b->workers() == 0) {
    b->set_workers(std::max(1u, std::thread::hardware_concurrency()));
  }
  v1::Limits* limits = b->mutable_limits();
  for (const LimitRule& rule : kLimitRules) {
    if (!present("limits." + std::string(rule.field))) {
      set_limit(limits, rule.field, rule.default_value);
    }
  }
  v1::Admin* admin = b->mutable_admin();
  if (admin->address().empty()) admin->set_address(std::string(kDefaultAddress));
  if (!present("admin.port")) admin->set_port(kDefaultAdminPort);
  if (!present("drain_timeout_ms")) b->set_drain_timeout_ms(kDefaultDrainTimeoutMs);
  if (b->logging().level().empty()) {
    b->mutable_logging()->set_level(std::string(kDefaultLogLevel));
  }
  v1::SqlStore* sql = b->mutable_stores()->mutable_sql();
  if (sql->backend_case() == v1::SqlStore::BACKEND_NOT_SET) sql->mutable_sqlite();
  if (sql->has_sqlite() && sql->sqlite().path().empty()) {
    sql->mutable_sqlite()->set_path(std::string(kDefaultSqlitePath));
  }
  v1::KvStore* kv = b->mutable_stores()->mutable_kv();
  if (kv->backend_case() == v1::KvStore::BACKEND_NOT_SET) kv->mutable_memory();
  for (int m = 0; m < b->models_size(); ++m) {
    v1::Model* model = b->mutable_models(m);
    const std::string model_path = index_path("models", m);
    for (int d = 0; d < model->deployments_size(); ++d) {
      const std::string weight_path = index_path(model_path + ".deployments", d) + ".weight";
      if (!present(weight_path)) model->mutable_deployments(d)->set_weight(kDefaultWeight);
    }
  }
  for (int c = 0; c < b->chains_size(); ++c) {
    v1::Chain* chain = b->mutable_chains(c);
    if (chain->match().path_prefix().empty()) {
      chain->mutable_match()->set_path_prefix(std::string(kDefaultPathPrefix));
    }
    for (v1::FilterSpec& filter : *chain->mutable_filters()) {
      if (filter.name().empty()) filter.set_name(filter.type());
    }
  }
}

}  // namespace sluice::config::detail
