// The process as a whole: admin endpoints and logs, SIGHUP reload under load (valid and invalid
// configs, in-flight requests), SIGTERM/SIGINT drain, start-up on a busy port, the connection
// cap, and TLS listeners.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test/integration/harness.h"
#include "test/integration/http_client.h"

namespace sluice::it {
namespace {

using Clock = std::chrono::steady_clock;

std::string direct_chain(const std::string& name, const std::string& prefix, int status,
                         const std::string& body) {
  return "  - name: " + name + "\n" +                    //
         "    match: {path_prefix: " + prefix + "}\n" +  //
         "    filters:\n" +                              //
         "      - type: direct_response\n" +             //
         "        config: {status: " + std::to_string(status) + ", body: " + yaml_quote(body) +
         ", headers: {content-type: text/plain}}\n";
}

std::string slow_chain(const std::string& name, const std::string& prefix, int wait_ms,
                       const std::string& body) {
  return "  - name: " + name + "\n" +                                                     //
         "    match: {path_prefix: " + prefix + "}\n" +                                   //
         "    filters:\n" +                                                               //
         "      - type: test.script\n" +                                                  //
         "        library: " + bin_dir() + "/libsluice_test_filters.so\n" +               //
         "        config: {name: " + name + ", on_request_headers: 'stop_then_resume:" +  //
         std::to_string(wait_ms) + "'}\n" +                                               //
         "      - type: direct_response\n" +                                              //
         "        config: {body: " + yaml_quote(body) + ", headers: {content-type: text/plain}}\n";
}

// Every line of the process log is one JSON object with ts, level and msg. Empty when so; else
// the first offending line.
std::string non_json_log_line(const std::string& log) {
  size_t pos = 0;
  while (pos < log.size()) {
    size_t end = log.find('\n', pos);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    rapidjson::Document doc;
    doc.Parse(line.c_str(), line.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("ts") || !doc.HasMember("level") ||
        !doc.HasMember("msg")) {
      return line;
    }
  }
  return "";
}

std::string metrics_text(const TestServer& server) {
  auto response = admin_get(server.admin_port, "/metrics");
  return response && response->status == 200 ? response->body : "";
}

double metric(const TestServer& server, std::string_view name,
              const std::map<std::string, std::string>& labels) {
  return metric_sum(metrics_text(server), name, labels).value_or(0);
}

// ---- admin -------------------------------------------------------------------------------------

class AdminTest : public ::testing::Test {
 protected:
  static constexpr const char* kSecret = "sk-it-admin-secret-0123456789";
  static constexpr const char* kFilterSecret = "sk-it-filter-secret-9876543210";

  void SetUp() override {
    ServerConfig config;
    config.chains = direct_chain("hello", "/hello", 200, "hi") +
                    "  - name: keyed\n"
                    "    match: {path_prefix: /keyed}\n"
                    "    filters:\n"
                    "      - type: direct_response\n"
                    "        config: {body: k, headers: {x-api-key: " +
                    std::string(kFilterSecret) + "}}\n" + direct_chain("rest", "/", 200, "rest");
    config.extra =
        "providers:\n"
        "  - name: openai\n"
        "    type: openai\n"
        "    api_key: " +
        std::string(kSecret) + "\n";
    ASSERT_TRUE(server_.start(config));
  }
  TestServer server_;
};

TEST_F(AdminTest, LivelinessAndReadiness) {
  for (const char* path : {"/health/liveliness", "/health/liveness", "/health/readiness"}) {
    auto response = admin_get(server_.admin_port, path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 200) << path << ": " << response->body;
  }
}

TEST_F(AdminTest, MetricsCountRequestsByChain) {
  const std::string before = metrics_text(server_);
  ASSERT_NE(before, "");
  EXPECT_NE(before.find("# TYPE sluice_requests_total counter"), std::string::npos) << before;
  const double hello_before =
      metric_sum(before, "sluice_requests_total", {{"chain", "hello"}, {"status", "200"}})
          .value_or(0);
  auto response = roundtrip(server_.port, get_request("/hello"));
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  const std::string after = metrics_text(server_);
  EXPECT_EQ(metric_sum(after, "sluice_requests_total", {{"chain", "hello"}, {"status", "200"}})
                .value_or(0),
            hello_before + 1)
      << after;
  EXPECT_EQ(metric_sum(after, "sluice_requests_total", {{"chain", "rest"}}).value_or(0), 0)
      << after;
}

TEST_F(AdminTest, ConfigDumpMasksSecrets) {
  auto response = admin_get(server_.admin_port, "/config_dump");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.find(kSecret), std::string::npos) << response->body;
  EXPECT_EQ(response->body.find(kFilterSecret), std::string::npos)
      << "a credential inside a filter config is shown: " << response->body;
  EXPECT_NE(response->body.find("<redacted>"), std::string::npos) << response->body;
  EXPECT_NE(response->body.find("hello"), std::string::npos) << response->body;
  // And the secret is nowhere in the logs either.
  EXPECT_EQ(server_.process.stderr_text().find(kSecret), std::string::npos);
}

TEST_F(AdminTest, LogLinesAreJson) {
  ASSERT_TRUE(roundtrip(server_.port, get_request("/hello")));
  server_.process.signal(SIGTERM);
  ASSERT_TRUE(server_.process.wait_exit(5s));
  const std::string log = server_.process.stderr_text();
  EXPECT_NE(log, "");
  EXPECT_EQ(non_json_log_line(log), "") << log;
}

TEST_F(AdminTest, UnknownEndpointAndWrongMethod) {
  auto missing = admin_get(server_.admin_port, "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(openai_error_problem(missing->body), "");
  auto post = roundtrip(server_.admin_port, body_request("POST", "/metrics", "x"));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

// ---- reload ------------------------------------------------------------------------------------

// Keeps requests flowing until stopped: keep-alive sessions of several requests alternate with
// one-request connections. Records every failure and which bodies it saw.
class LoadClient {
 public:
  explicit LoadClient(uint16_t port) : port_(port) {
    thread_ = std::thread([this] { loop(); });
  }
  ~LoadClient() { stop(); }

  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  int last_body() const { return last_.load(); }  // 0 none, 1 A, 2 B
  int successes() const { return successes_.load(); }
  bool seen(int body) const { return body == 1 ? seen_a_.load() : seen_b_.load(); }
  std::vector<std::string> failures() {
    std::lock_guard<std::mutex> lock(mutex_);
    return failures_;
  }

 private:
  void fail(std::string what) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failures_.size() < 20) failures_.push_back(std::move(what));
  }

  bool check(const std::optional<Response>& response, const Client& client) {
    if (!response) {
      fail("no response: " + client.error());
      return false;
    }
    if (response->status != 200) {
      fail("status " + std::to_string(response->status) + ": " + response->body);
      return false;
    }
    if (response->body == "body-A") {
      seen_a_.store(true);
      last_.store(1);
    } else if (response->body == "body-B") {
      seen_b_.store(true);
      last_.store(2);
    } else {
      fail("unexpected body: " + response->body);
      return false;
    }
    successes_.fetch_add(1);
    return true;
  }

  void loop() {
    for (int round = 0; !stop_.load(); ++round) {
      Client client = Client::connect(port_, 2s);
      if (!client.ok()) {
        fail(client.error());
        continue;
      }
      const int requests = round % 2 == 0 ? 5 : 1;
      for (int i = 0; i < requests && !stop_.load(); ++i) {
        const bool last = i == requests - 1;
        if (!client.send(get_request("/", last ? std::vector<std::string>{"Connection: close"}
                                               : std::vector<std::string>{}))) {
          fail("send: " + client.error());
          break;
        }
        if (!check(client.read_response(3s), client)) break;
      }
    }
  }

  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> last_{0};
  std::atomic<int> successes_{0};
  std::atomic<bool> seen_a_{false}, seen_b_{false};
  std::mutex mutex_;
  std::vector<std::string> failures_;
  std::thread thread_;
};

// Whether the test filter `name` had its first instance made within 3 s (its request arrived).
bool filter_instance_started(TestServer& server, std::string_view name) {
  return eventually(
      [&] {
        return metric(server, "sluice_plugin_test_instances_total", {{"filter", std::string(name)}}) ==
               1;
      },
      3s);
}

TEST(ReloadTest, SighupUnderLoadLosesNoRequestAndRefusesAnInvalidConfig) {
  TestServer server;
  ServerConfig a;
  a.workers = 2;
  a.chains = direct_chain("main", "/", 200, "body-A");
  ServerConfig b = a;
  b.chains = direct_chain("main", "/", 200, "body-B");
  ASSERT_TRUE(server.start(a));

  LoadClient load(server.port);
  ASSERT_TRUE(eventually([&] { return load.last_body() == 1; }, 3s)) << "no traffic before reload";

  for (int i = 0; i < 10; ++i) {
    const bool to_b = i % 2 == 0;
    server.write_config(to_b ? b : a);
    server.process.signal(SIGHUP);
    const int want = to_b ? 2 : 1;
    // The next reload only after this one is visible, so no two SIGHUPs merge.
    ASSERT_TRUE(eventually([&] { return load.last_body() == want; }, 5s))
        << "reload " << i << " did not take effect; stderr:\n"
        << server.process.stderr_text();
  }
  std::this_thread::sleep_for(100ms);
  load.stop();
  const auto failures = load.failures();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed request(s), first: "
                                << (failures.empty() ? "" : failures.front());
  EXPECT_TRUE(load.seen(1));
  EXPECT_TRUE(load.seen(2));
  EXPECT_GT(load.successes(), 20);
  EXPECT_EQ(metric(server, "sluice_config_reloads_total", {{"result", "success"}}), 10);

  // Now an invalid config: refused, logged, counted, and the last good one keeps serving.
  const double failures_before =
      metric(server, "sluice_config_reloads_total", {{"result", "failure"}});
  server.write_config_text(server.render(b) + "no_such_field: 1\n");
  server.process.signal(SIGHUP);
  EXPECT_TRUE(server.process.wait_for_stderr("reload refused", 3s)) << server.process.stderr_text();
  EXPECT_TRUE(eventually(
      [&] {
        return metric(server, "sluice_config_reloads_total", {{"result", "failure"}}) ==
               failures_before + 1;
      },
      3s));
  EXPECT_EQ(metric(server, "sluice_config_reloads_total", {{"result", "success"}}), 10);
  for (int i = 0; i < 3; ++i) {
    auto response = roundtrip(server.port, get_request("/"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "body-A") << "the last good config (A) stopped serving";
  }
  EXPECT_TRUE(server.process.running());
}

TEST(ReloadTest, InFlightRequestsFinishOnTheOldConfig) {
  TestServer server;
  ServerConfig old_config;
  old_config.chains =
      slow_chain("slow", "/slow", 600, "old-slow") + direct_chain("fast", "/", 200, "old-fast");
  ServerConfig new_config;
  new_config.chains =
      slow_chain("slow", "/slow", 10, "new-slow") + direct_chain("fast", "/", 200, "new-fast");
  ASSERT_TRUE(server.start(old_config));
  Client slow = Client::connect(server.port);
  ASSERT_TRUE(slow.ok() && slow.send(get_request("/slow")));
  ASSERT_TRUE(filter_instance_started(server, "slow"));
  server.write_config(new_config);
  server.process.signal(SIGHUP);
  ASSERT_TRUE(eventually(
      [&] {
        auto fast = roundtrip(server.port, get_request("/"));
        return fast && fast->body == "new-fast";
      },
      3s));
  auto response = slow.read_response(5s);
  ASSERT_TRUE(response) << slow.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "old-slow") << "the in-flight request switched configs";
  auto again = roundtrip(server.port, get_request("/slow"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "new-slow");
}

TEST(ReloadTest, ConfigRefusedByAFilterKeepsTheOldOne) {
  TestServer server;
  ServerConfig a;
  a.chains = direct_chain("main", "/", 200, "body-A");
  ASSERT_TRUE(server.start(a));
  ServerConfig bad = a;
  bad.chains =
      "  - name: main\n    filters:\n      - type: direct_response\n        config: {status: 99}\n";
  server.write_config(bad);
  server.process.signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] {
        return metric(server, "sluice_config_reloads_total", {{"result", "failure"}}) == 1;
      },
      3s))
      << server.process.stderr_text();
  auto response = roundtrip(server.port, get_request("/"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "body-A");
}

// ---- drain -------------------------------------------------------------------------------------

TEST(DrainTest, SigtermFinishesInFlightRequestsRefusesNewOnesAndExitsZero) {
  TestServer server;
  ServerConfig config;
  config.chains =
      slow_chain("slow", "/slow", 1000, "slow-done") + direct_chain("fast", "/", 200, "fast");
  config.extra = "drain_timeout_ms: 10000\n";
  ASSERT_TRUE(server.start(config));

  // An idle kept-alive connection, and a request held by a filter for 1 s.
  Client idle = Client::connect(server.port);
  ASSERT_TRUE(idle.ok() && idle.send(get_request("/")));
  auto idle_first = idle.read_response(3s);
  ASSERT_TRUE(idle_first) << idle.error();
  Client slow = Client::connect(server.port);
  ASSERT_TRUE(slow.ok());
  const auto sent = Clock::now();
  ASSERT_TRUE(slow.send(get_request("/slow")));
  ASSERT_TRUE(filter_instance_started(server, "slow"));
  ASSERT_LT(Clock::now() - sent, 800ms) << "the machine is too slow for this test's timing";

  server.process.signal(SIGTERM);
  EXPECT_TRUE(eventually(
      [&] {
        auto readiness = admin_get(server.admin_port, "/health/readiness");
        return readiness && readiness->status == 503;
      },
      1s))
      << "readiness did not turn 503 during the drain";
  EXPECT_TRUE(
      eventually([&] { return Client::connect_errno(server.port, 200ms) == ECONNREFUSED; }, 1s))
      << "new connections are still accepted after SIGTERM";
  EXPECT_TRUE(idle.wait_closed(2s)) << "the idle connection was not closed by the drain";

  auto response = slow.read_response(5s);
  ASSERT_TRUE(response) << "the in-flight request was cut: " << slow.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow-done");
  EXPECT_TRUE(response->closes()) << "a response during drain should say connection: close";
  EXPECT_GE(Clock::now() - sent, 950ms);

  const auto code = server.process.wait_exit(5s);
  ASSERT_TRUE(code) << "still running 5 s after the drain began";
  EXPECT_EQ(*code, 0) << server.process.stderr_text();
  EXPECT_NE(server.process.stderr_text().find("draining"), std::string::npos);
}

TEST(DrainTest, IdleServerExitsPromptlyOnSigterm) {
  TestServer server;
  ServerConfig config;
  config.workers = 2;
  config.chains = direct_chain("fast", "/", 200, "fast");
  ASSERT_TRUE(server.start(config));
  const auto started = Clock::now();
  server.process.signal(SIGTERM);
  const auto code = server.process.wait_exit(3s);
  ASSERT_TRUE(code) << "still running 3 s after SIGTERM";
  EXPECT_EQ(*code, 0) << server.process.stderr_text();
  EXPECT_LT(Clock::now() - started, 2s);
}

TEST(DrainTest, SigintDrainsLikeSigterm) {
  TestServer server;
  ServerConfig config;
  config.chains = direct_chain("fast", "/", 200, "fast");
  ASSERT_TRUE(server.start(config));
  server.process.signal(SIGINT);
  const auto code = server.process.wait_exit(3s);
  ASSERT_TRUE(code) << "still running 3 s after SIGINT";
  EXPECT_EQ(*code, 0) << server.process.stderr_text();
}

TEST(DrainTest, DrainTimeoutCutsWhatIsLeftAndStillExitsZero) {
  TestServer server;
  ServerConfig config;
  config.chains = slow_chain("stuck", "/", 30000, "never");
  config.extra = "drain_timeout_ms: 300\n";
  ASSERT_TRUE(server.start(config));
  Client stuck = Client::connect(server.port);
  ASSERT_TRUE(stuck.ok() && stuck.send(get_request("/")));
  ASSERT_TRUE(filter_instance_started(server, "stuck"));
  server.process.signal(SIGTERM);
  const auto code = server.process.wait_exit(3s);
  ASSERT_TRUE(code) << "the drain timeout did not end the process";
  EXPECT_EQ(*code, 0);
  std::string extra;
  EXPECT_TRUE(stuck.wait_closed(1s, &extra));
  EXPECT_EQ(extra.find("HTTP/1.1 200"), std::string::npos);
}

// ---- busy poll ---------------------------------------------------------------------------------

// With busy_poll_us set, workers keep polling for a while after I/O; everything else must behave
// as without it. The largest window (10 ms) makes a stop or a command likely to arrive while a
// worker is polling rather than blocked.

TEST(BusyPollTest, ServesNewAndKeptAliveConnections) {
  TestServer server;
  ServerConfig config;
  config.workers = 2;
  config.chains = direct_chain("fast", "/", 200, "fast");
  config.extra = "busy_poll_us: 10000\n";
  ASSERT_TRUE(server.start(config));
  EXPECT_TRUE(server.process.wait_for_stderr("\"busy_poll_us\":10000", 2s))
      << server.process.stderr_text();
  Client kept = Client::connect(server.port);
  ASSERT_TRUE(kept.ok()) << kept.error();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(kept.send(get_request("/kept"))) << kept.error();
    auto response = kept.read_response(3s);
    ASSERT_TRUE(response) << "request " << i << " on the kept-alive connection: " << kept.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "fast");
    EXPECT_FALSE(response->closes());
  }
  for (int i = 0; i < 10; ++i) {
    auto response = roundtrip(server.port, get_request("/new"));
    ASSERT_TRUE(response) << "request " << i << " on a new connection";
    EXPECT_EQ(response->body, "fast");
  }
}

TEST(BusyPollTest, DrainUnderLoadFinishesInFlightRequestsAndExitsZero) {
  TestServer server;
  ServerConfig config;
  config.workers = 2;
  config.chains =
      slow_chain("slow", "/slow", 500, "slow-done") + direct_chain("main", "/", 200, "body-A");
  config.extra = "busy_poll_us: 10000\ndrain_timeout_ms: 10000\n";
  ASSERT_TRUE(server.start(config));
  LoadClient load(server.port);
  ASSERT_TRUE(eventually([&] { return load.successes() > 20; }, 3s)) << "no traffic";
  Client slow = Client::connect(server.port);
  ASSERT_TRUE(slow.ok() && slow.send(get_request("/slow")));
  ASSERT_TRUE(filter_instance_started(server, "slow"));
  server.process.signal(SIGTERM);
  auto response = slow.read_response(5s);
  ASSERT_TRUE(response) << "the in-flight request was cut: " << slow.error();
  EXPECT_EQ(response->body, "slow-done");
  const auto code = server.process.wait_exit(5s);
  load.stop();  // after the exit: the workers were busy until the drain ended them
  ASSERT_TRUE(code) << "still running 5 s after the drain began";
  EXPECT_EQ(*code, 0) << server.process.stderr_text();
}

TEST(BusyPollTest, SecondSignalClosesEverythingAndExitsPromptly) {
  TestServer server;
  ServerConfig config;
  config.chains =
      slow_chain("stuck", "/stuck", 30000, "never") + direct_chain("main", "/", 200, "x");
  config.extra = "busy_poll_us: 10000\ndrain_timeout_ms: 60000\n";
  ASSERT_TRUE(server.start(config));
  Client stuck = Client::connect(server.port);
  ASSERT_TRUE(stuck.ok() && stuck.send(get_request("/stuck")));
  ASSERT_TRUE(filter_instance_started(server, "stuck"));
  server.process.signal(SIGTERM);
  ASSERT_TRUE(server.process.wait_for_stderr("draining", 2s)) << server.process.stderr_text();
  // A read on the worker right before the second signal, so that it comes while the worker polls.
  ASSERT_TRUE(stuck.send("GET /more HTTP/1.1\r\n"));
  server.process.signal(SIGTERM);  // force_stop: the 60 s drain timeout is not waited for
  const auto code = server.process.wait_exit(3s);
  ASSERT_TRUE(code) << "still running 3 s after the second signal";
  EXPECT_EQ(*code, 0) << server.process.stderr_text();
  EXPECT_TRUE(stuck.wait_closed(1s));
}

TEST(BusyPollTest, ReloadAppliesAndSaysBusyPollWaitsForARestart) {
  TestServer server;
  ServerConfig a;
  a.chains = direct_chain("main", "/", 200, "body-A");
  a.extra = "busy_poll_us: 500\n";
  ServerConfig b = a;
  b.chains = direct_chain("main", "/", 200, "body-B");
  b.extra = "busy_poll_us: 1000\n";
  ASSERT_TRUE(server.start(a));
  ASSERT_TRUE(roundtrip(server.port, get_request("/")));
  server.write_config(b);
  server.process.signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] {
        auto response = roundtrip(server.port, get_request("/"));
        return response && response->body == "body-B";
      },
      3s));
  EXPECT_TRUE(server.process.wait_for_stderr("busy_poll_us, limits, admin and plugin_dir", 2s))
      << server.process.stderr_text();
}

// ---- start-up and connection cap ---------------------------------------------------------------

TEST(StartupTest, BusyPortIsReportedAndExitsNonZero) {
  const int holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(holder, 4), 0);
  ASSERT_EQ(getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  TestServer server;
  server.port = ntohs(addr.sin_port);
  ServerConfig config;
  config.chains = direct_chain("fast", "/", 200, "fast");
  server.write_config(config);
  CommandResult r = run_sluice({"run", "-c", server.config_path}, 5s);
  ::close(holder);
  EXPECT_FALSE(r.timed_out) << "sluice served although its port was taken";
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("listen"), std::string::npos) << r.err;
}

TEST(StartupTest, PortAndHostOverridesFromTheCommandLine) {
  TestServer server;
  ServerConfig config;
  config.chains = direct_chain("fast", "/", 200, "fast");
  server.write_config(config);  // listens on server.port per the file
  const uint16_t override_port = free_port();
  ASSERT_TRUE(
      server.process.start(server.config_path, server.dir.path(), override_port, server.admin_port,
                           5s, {"--host", "127.0.0.1", "--port", std::to_string(override_port)}));
  auto response = roundtrip(override_port, get_request("/"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "fast");
  EXPECT_EQ(Client::connect_errno(server.port, 500ms), ECONNREFUSED)
      << "the port from the file is served although --port overrode it";
}

TEST(ConnectionCapTest, AcceptingPausesAtTheCapAndResumes) {
  TestServer server;
  ServerConfig config;
  config.limits = {"max_connections_per_worker: 2"};
  config.chains = direct_chain("fast", "/", 200, "fast");
  ASSERT_TRUE(server.start(config));
  // start() probed the port with short-lived connections; let the server see them go.
  std::this_thread::sleep_for(100ms);
  Client first = Client::connect(server.port);
  Client second = Client::connect(server.port);
  for (Client* c : {&first, &second}) {
    ASSERT_TRUE(c->ok() && c->send(get_request("/")));
    auto response = c->read_response(3s);
    ASSERT_TRUE(response) << c->error();
  }
  Client third = Client::connect(server.port);  // the kernel completes the handshake
  ASSERT_TRUE(third.ok() && third.send(get_request("/")));
  EXPECT_TRUE(third.stays_quiet(300ms)) << "a third connection was served over the cap of 2";
  first.close();
  auto response = third.read_response(3s);
  ASSERT_TRUE(response) << "accepting did not resume after a connection closed: " << third.error();
  EXPECT_EQ(response->body, "fast");
}

// ---- TLS
// -----------------------------------------------------------------------------------------

TEST(TlsTest, RequestOverTls) {
  TestServer server;
  const std::string cert = server.dir.path() + "/cert.pem";
  const std::string key = server.dir.path() + "/key.pem";
  std::string error;
  ASSERT_TRUE(make_self_signed(cert, key, "sluice-it", &error)) << error;
  ServerConfig config;
  config.tls = {"cert_file: " + cert, "key_file: " + key};
  config.chains = direct_chain("tls", "/", 200, "secure-hello");
  ASSERT_TRUE(server.start(config));

  TlsClient client;
  ASSERT_TRUE(client.connect(server.port)) << client.error();
  EXPECT_EQ(client.peer_common_name(), "sluice-it");
  EXPECT_TRUE(client.protocol() == "TLSv1.2" || client.protocol() == "TLSv1.3")
      << client.protocol();
  ASSERT_TRUE(client.send(get_request("/x")));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "secure-hello");
  // Keep-alive works over TLS too.
  ASSERT_TRUE(client.send(get_request("/y", {"Connection: close"})));
  auto second = client.read_response();
  ASSERT_TRUE(second) << client.error();
  EXPECT_EQ(second->body, "secure-hello");
}

TEST(TlsTest, MinVersionIsEnforced) {
  TestServer server;
  const std::string cert = server.dir.path() + "/cert.pem";
  const std::string key = server.dir.path() + "/key.pem";
  std::string error;
  ASSERT_TRUE(make_self_signed(cert, key, "sluice-it", &error)) << error;
  ServerConfig config;
  config.tls = {"cert_file: " + cert, "key_file: " + key, "min_version: '1.3'"};
  config.chains = direct_chain("tls", "/", 200, "secure-hello");
  ASSERT_TRUE(server.start(config));
  TlsClient old_client;
  EXPECT_FALSE(old_client.connect(server.port, 3s, TLS1_2_VERSION))
      << "a TLS 1.2-only client got through a min_version 1.3 listener";
  TlsClient client;
  ASSERT_TRUE(client.connect(server.port)) << client.error();
  EXPECT_EQ(client.protocol(), "TLSv1.3");
  ASSERT_TRUE(client.send(get_request("/x")));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.error();
  EXPECT_EQ(response->body, "secure-hello");
}

TEST(TlsTest, PlainHttpOnATlsListenerIsNotServed) {
  TestServer server;
  const std::string cert = server.dir.path() + "/cert.pem";
  const std::string key = server.dir.path() + "/key.pem";
  std::string error;
  ASSERT_TRUE(make_self_signed(cert, key, "sluice-it", &error)) << error;
  ServerConfig config;
  config.tls = {"cert_file: " + cert, "key_file: " + key};
  config.chains = direct_chain("tls", "/", 200, "secure-hello");
  ASSERT_TRUE(server.start(config));
  Client plain = Client::connect(server.port);
  ASSERT_TRUE(plain.ok() && plain.send(get_request("/x")));
  auto response = plain.read_response(2s);
  EXPECT_FALSE(response && response->body == "secure-hello")
      << "plain HTTP was answered on the TLS listener";
  EXPECT_TRUE(server.process.running());
}

}  // namespace
}  // namespace sluice::it
