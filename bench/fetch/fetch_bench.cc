// One poll cycle of N feed sources against a local HTTP server, then a second
// cycle that the server answers with 304s: wall time, CPU time and peak RSS of
// brandmon alone (the server runs in a forked child process).
//
//   fetch_bench [--sources 5000] [--items 20] [--per-host 2]

#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "daemon/base/thread_set.h"
#include "daemon/scheduler/scheduler.h"
#include "plugins/feed/feed_plugin.h"

namespace {

using namespace brandmon;

std::string MakeFeed(int feed, int items) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Feed " +
                    std::to_string(feed) + "</title><link>https://feed" + std::to_string(feed) + ".example/</link>\n";
  for (int i = 0; i < items; ++i) {
    std::string id = std::to_string(feed) + "-" + std::to_string(i);
    out += "<item><title>Post " + id + " about the Acme widget</title><link>https://feed" + std::to_string(feed) +
           ".example/p/" + id + "</link><guid>" + id +
           "</guid><pubDate>Mon, 06 Jan 2025 10:" + std::to_string(10 + i % 50) +
           ":00 GMT</pubDate><description>&lt;p&gt;Some &lt;b&gt;HTML&lt;/b&gt; text of the post, long enough to "
           "look like a real summary of an article that mentions a brand or two &amp;amp; more.&lt;/p&gt;"
           "</description></item>\n";
  }
  return out + "</channel></rss>\n";
}

// The server process: serves /feed/<n> with an ETag and answers 304 to it.
[[noreturn]] void Serve(int port_pipe, int items) {
  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  server.Get(R"(/feed/(\d+))", [items](const httplib::Request& req, httplib::Response& res) {
    std::string n = req.matches[1];
    std::string etag = "\"v" + n + "\"";
    res.set_header("ETag", etag);
    if (req.get_header_value("If-None-Match") == etag) {
      res.status = 304;
      return;
    }
    res.set_content(MakeFeed(std::stoi(n), items), "application/rss+xml; charset=utf-8");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  (void)!write(port_pipe, &port, sizeof port);
  server.listen_after_bind();
  _exit(0);
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long PeakRssKib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  int sources = 5000, items = 20, per_host = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--sources")) sources = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--items")) items = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--per-host")) per_host = std::atoi(argv[i + 1]);
  }
  int fds[2];
  if (pipe(fds) != 0) return 1;
  pid_t server = fork();
  if (server == 0) Serve(fds[1], items);
  int port = 0;
  if (read(fds[0], &port, sizeof port) != sizeof port) return 1;
  std::string base = "http://127.0.0.1:" + std::to_string(port) + "/feed/";

  std::vector<settings::SourceSettings> settings;
  for (int i = 0; i < sources; ++i) {
    settings::SourceSettings s;
    s.name = "feed" + std::to_string(i);
    s.type = "feed";
    s.interval = std::chrono::minutes(5);
    s.fingerprint = s.name;
    std::string url = base + std::to_string(i);
    s.plugin.make = [url] {
      plugin::FeedOptions o;
      o.url = url;
      o.format = "auto";
      o.max_items = 200;
      return std::make_unique<plugin::FeedPlugin>(o);
    };
    settings.push_back(std::move(s));
  }
  size_t mentions = 0, failures = 0;
  fetch::FetchOptions options;
  options.max_per_host = per_host;
  ThreadSet threads;
  scheduler::Scheduler engine(
      SystemClock::Instance(), threads,
      [&](const settings::SourceSettings&, scheduler::PollResult r) {
        mentions += r.mentions.size();
        if (!r.status.ok()) {
          if (failures++ == 0) std::fprintf(stderr, "first failure: %s\n", r.status.message().c_str());
        }
      },
      {}, options);
  engine.Apply(settings);

  struct Cycle {
    double wall, cpu;
    size_t mentions, failures;
  };
  auto run = [&] {
    mentions = failures = 0;
    double cpu0 = CpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    engine.RunOnce();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return Cycle{wall, CpuSeconds() - cpu0, mentions, failures};
  };
  Cycle full = run();
  long rss_full = PeakRssKib();
  Cycle cached = run();
  kill(server, SIGKILL);
  waitpid(server, nullptr, 0);

  std::printf("fetch_bench: %d sources x %d items, max_per_host %d, one local server\n", sources, items, per_host);
  std::printf("  cycle 1 (200):  wall %.2f s  cpu %.2f s  mentions %zu  failures %zu  peak RSS %.1f MB\n", full.wall,
              full.cpu, full.mentions, full.failures, rss_full / 1024.0);
  std::printf("  cycle 2 (304):  wall %.2f s  cpu %.2f s  mentions %zu  failures %zu  peak RSS %.1f MB\n", cached.wall,
              cached.cpu, cached.mentions, cached.failures, PeakRssKib() / 1024.0);
  std::printf("  304 cycle is %.1fx cheaper in CPU, %.1fx in wall time\n", full.cpu / std::max(cached.cpu, 1e-6),
              full.wall / std::max(cached.wall, 1e-6));
  return full.failures + cached.failures == 0 ? 0 : 1;
}
