#include "daemon/fetch/fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "daemon/base/mutex.h"
#include "daemon/base/units.h"
#include "daemon/fetch/address_policy.h"
#include "daemon/fetch/http_headers.h"

namespace brandmon::fetch {

namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlEasy = std::unique_ptr<CURL, EasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, MultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends to a list owned by `list`; a failed append keeps the old list.
void Append(CurlSlist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown != nullptr) {
    (void)list.release();
    list.reset(grown);
  }
}

bool GlobalInit() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

constexpr size_t kMaxHeaderBytes = 256 * 1024;

// "https://example.com:8443" from a URL: the unit of the per-host cap.
std::string HostKey(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t end = url.find_first_of("/?#", scheme + 3);
  std::string_view authority = url.substr(scheme + 3, end == std::string_view::npos ? url.npos : end - scheme - 3);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string out(url.substr(0, scheme + 3));
  out += authority;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Transfer {
  FetchRequest request;
  TransferPolicy policy;
  bool proxied = false;           // a proxy from the environment: the connection goes to it
  std::optional<Status> refused;  // why the address policy stopped the transfer
  FetchCallback done;
  std::string host;
  CurlEasy easy;
  CurlSlist headers;
  FetchResult result;
  uint64_t max_body = 0;
  size_t header_bytes = 0;
  bool too_large = false;
  MonoTime started;
  char errbuf[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->result.response.body.size() + len > t->max_body) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->result.response.body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  // Each response of a redirect chain starts with its status line; only the
  // last response's headers matter.
  if (line.substr(0, 5) == "HTTP/") {
    t->result.response.headers.clear();
    t->header_bytes = 0;
    return len;
  }
  t->header_bytes += len;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || t->header_bytes > kMaxHeaderBytes) return len;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t->result.response.headers.emplace_back(std::move(name), std::string(value));
  return len;
}

int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN) return 0;
  auto* t = static_cast<Transfer*>(user);
  const char* prefix = type == CURLINFO_HEADER_OUT ? "> " : "< ";
  std::string_view text(data, size);
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) t->result.trace.append(prefix).append(line).append("\n");
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return 0;
}

std::string CurrentUrl(const Transfer& t) {
  char* url = nullptr;
  curl_easy_getinfo(t.easy.get(), CURLINFO_EFFECTIVE_URL, &url);
  return url != nullptr ? url : t.request.http.url;
}

// Checks the address of the connection a request is about to use. Behind a
// proxy the connection goes to the proxy, which resolves the name itself:
// only a URL whose host is an address, or localhost, can be judged then.
Status CheckConnection(const Transfer& t, const std::string& url, const char* connected_ip) {
  std::string ip = connected_ip != nullptr ? connected_ip : "";
  if (t.proxied) {
    ip = UrlHost(url);
    if (ip == "localhost" || (ip.size() > 10 && ip.compare(ip.size() - 10, 10, ".localhost") == 0)) ip = "127.0.0.1";
    if (PrivateAddressKind(ip) == "unreadable") return Status::Ok();
  }
  return CheckAddress(t.request.http.url, url, ip, t.policy);
}

// Before each connection, on every hop of a redirect chain: refusing here
// means nothing is sent to a refused address, not even a SYN.
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && !t->proxied) {
    char ip[INET6_ADDRSTRLEN] = {};
    const void* raw = nullptr;
    if (address->family == AF_INET) raw = &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr;
    if (address->family == AF_INET6) raw = &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr;
    if (raw == nullptr || inet_ntop(address->family, raw, ip, sizeof ip) == nullptr) return CURL_SOCKET_BAD;
    if (Status s = CheckConnection(*t, CurrentUrl(*t), ip); !s.ok()) {
      t->refused = std::move(s);
      return CURL_SOCKET_BAD;  // libcurl tries the host's other addresses, if any
    }
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Before each request is sent, on a new or a reused connection: the redirect
// rules, and the address again since a reused connection was opened by
// another transfer.
int OnPrereq(void* user, char* primary_ip, char* /*local_ip*/, int /*primary_port*/, int /*local_port*/) {
  auto* t = static_cast<Transfer*>(user);
  std::string url = CurrentUrl(*t);
  Status s = CheckRedirect(t->request.http.url, url, t->policy);
  if (s.ok()) s = CheckConnection(*t, url, primary_ip);
  if (s.ok()) return CURL_PREREQFUNC_OK;
  t->refused = std::move(s);
  return CURL_PREREQFUNC_ABORT;
}

bool ProxyFromEnvironment() {
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

}  // namespace

struct Fetcher::Impl {
  FetchOptions options;
  std::string user_agent;
  bool proxied = false;
  CurlMulti multi;

  mutable Mutex mu;
  std::deque<std::unique_ptr<Transfer>> submitted GUARDED_BY(mu);
  std::atomic<size_t> pending{0};
  std::atomic<bool> quit{false};

  // Loop-thread state.
  std::map<std::string, std::deque<std::unique_ptr<Transfer>>> waiting;
  std::map<std::string, int64_t> active_per_host;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
  std::vector<CurlEasy> idle;

  void Adopt();
  // Running transfers to `host` younger than slot_time.
  int64_t HoldingSlots(const std::string& host, MonoTime now) const;
  // When, after `now`, the next running transfer to a host with waiting ones
  // passes slot_time.
  std::optional<MonoTime> NextSlotFree(MonoTime now) const;
  void StartWaiting();
  Status Configure(Transfer& t);
  void Collect();
  void Finish(std::unique_ptr<Transfer> t, CURLcode code);
};

void Fetcher::Impl::Adopt() {
  std::deque<std::unique_ptr<Transfer>> batch;
  {
    MutexLock lock(mu);
    batch.swap(submitted);
  }
  for (auto& t : batch) waiting[t->host].push_back(std::move(t));
}

int64_t Fetcher::Impl::HoldingSlots(const std::string& host, MonoTime now) const {
  int64_t holding = 0;
  for (const auto& [easy, t] : running) {
    if (t->host == host && now - t->started < options.slot_time) ++holding;
  }
  return holding;
}

std::optional<MonoTime> Fetcher::Impl::NextSlotFree(MonoTime now) const {
  std::optional<MonoTime> out;
  for (const auto& [easy, t] : running) {
    MonoTime free_at = t->started + options.slot_time;
    // A slot freed already changes nothing until a transfer ends (the host
    // is at twice its cap): no reason to wake for it.
    if (free_at <= now || !waiting.count(t->host)) continue;
    if (!out || free_at < *out) out = free_at;
  }
  return out;
}

void Fetcher::Impl::StartWaiting() {
  MonoTime now = std::chrono::steady_clock::now();
  for (auto it = waiting.begin(); it != waiting.end();) {
    auto& queue = it->second;
    int64_t& active = active_per_host[it->first];
    // A transfer past slot_time no longer holds a slot: a slow path of a host
    // must not hold up its other sources. All of a host's transfers together
    // stay under twice the cap.
    int64_t holding = queue.empty() || active == 0 ? 0 : HoldingSlots(it->first, now);
    while (!queue.empty() && holding < options.max_per_host && active < 2 * options.max_per_host &&
           static_cast<int64_t>(running.size()) < options.max_connections) {
      std::unique_ptr<Transfer> t = std::move(queue.front());
      queue.pop_front();
      if (Status s = Configure(*t); !s.ok()) {
        t->result.status = s;
        Finish(std::move(t), CURLE_OK);
        continue;
      }
      CURL* easy = t->easy.get();
      if (curl_multi_add_handle(multi.get(), easy) != CURLM_OK) {
        t->result.status = Status::Internal("cannot start a transfer to " + LoggableUrl(t->request.http.url));
        Finish(std::move(t), CURLE_OK);
        continue;
      }
      ++active;
      ++holding;
      running.emplace(easy, std::move(t));
    }
    if (queue.empty()) {
      if (active == 0) active_per_host.erase(it->first);
      it = waiting.erase(it);
    } else {
      ++it;
    }
    if (static_cast<int64_t>(running.size()) >= options.max_connections) break;
  }
}

Status Fetcher::Impl::Configure(Transfer& t) {
  if (!idle.empty()) {
    t.easy = std::move(idle.back());
    idle.pop_back();
    curl_easy_reset(t.easy.get());
  } else {
    t.easy.reset(curl_easy_init());
  }
  if (!t.easy) return Status::Internal("curl_easy_init failed");
  CURL* e = t.easy.get();
  const HttpRequest& req = t.request.http;
  if (req.url.rfind("http://", 0) != 0 && req.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("url must be http or https: \"" + LoggableUrl(req.url) + "\"");
  }
  t.max_body = options.max_body;
  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  t.policy.rules = t.request.rules;
  t.policy.credentials =
      req.credentials || HasUserInfo(req.url) ||
      std::any_of(req.headers.begin(), req.headers.end(), [](const auto& h) { return IsSecretHeader(h.first); });
  t.proxied = proxied;
  t.refused.reset();
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, RedirectProtocols(req.url));
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &OnPrereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, &t);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options.low_speed_limit));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<int64_t>(1, options.low_speed_time.count() / 1000)));
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body));
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // Waiting to multiplex makes sense where HTTP/2 may come (https, through
  // ALPN); on plain http a transfer would wait for the response headers of a
  // slow one on the same host, to learn that HTTP/1.1 cannot multiplex.
  if (req.url.rfind("https://", 0) == 0) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  if (req.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req.body.c_str());
  } else if (req.method != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  t.headers.reset();
  for (const auto& [name, value] : req.headers) Append(t.headers, name + ": " + value);
  if (!t.request.etag.empty()) Append(t.headers, "If-None-Match: " + t.request.etag);
  if (!t.request.last_modified.empty()) Append(t.headers, "If-Modified-Since: " + t.request.last_modified);
  if (req.method == "POST") Append(t.headers, "Expect:");
  if (t.headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers.get());
  if (t.request.trace) {
    curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, &OnDebug);
    curl_easy_setopt(e, CURLOPT_DEBUGDATA, &t);
    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  }
  t.started = std::chrono::steady_clock::now();
  return Status::Ok();
}

void Fetcher::Impl::Collect() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode code = msg->data.result;
    curl_multi_remove_handle(multi.get(), easy);
    auto it = running.find(easy);
    if (it == running.end()) continue;
    std::unique_ptr<Transfer> t = std::move(it->second);
    running.erase(it);
    auto host = active_per_host.find(t->host);
    if (host != active_per_host.end() && --host->second <= 0 && !waiting.count(t->host)) active_per_host.erase(host);
    Finish(std::move(t), code);
  }
}

void Fetcher::Impl::Finish(std::unique_ptr<Transfer> t, CURLcode code) {
  FetchResult& r = t->result;
  std::string url = LoggableUrl(t->request.http.url);
  if (t->easy) {
    long status = 0;
    curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &status);
    char* effective = nullptr;
    curl_easy_getinfo(t->easy.get(), CURLINFO_EFFECTIVE_URL, &effective);
    r.response.status = static_cast<int>(status);
    r.response.url = effective != nullptr ? effective : t->request.http.url;
    r.elapsed = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - t->started);
  }
  if (r.status.ok() && code != CURLE_OK && t->refused) {
    r.status = *t->refused;
  } else if (r.status.ok() && code == CURLE_UNSUPPORTED_PROTOCOL) {
    // CURLOPT_REDIR_PROTOCOLS_STR stopped a redirect from https to http.
    r.status = CheckRedirect(t->request.http.url, r.response.url, t->policy);
  }
  if (!r.status.ok()) r.response.body.clear();
  if (r.status.ok() && code != CURLE_OK) {
    std::string detail = t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(code);
    if (t->too_large || code == CURLE_FILESIZE_EXCEEDED) {
      r.status = Status::Corrupt("response from " + url + " is larger than " + FormatSize(options.max_body) +
                                 ", transfer aborted");
    } else if (code == CURLE_OPERATION_TIMEDOUT && detail.find("too slow") != std::string::npos) {
      r.status =
          Status::Unavailable("transfer from " + url + " stalled: under " + std::to_string(options.low_speed_limit) +
                              " bytes/s for " + FormatDuration(options.low_speed_time) + ", aborted");
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      r.status = Status::Unavailable("timed out fetching " + url + " (" + detail + ")");
    } else if (code == CURLE_TOO_MANY_REDIRECTS) {
      r.status = Status::Unavailable("too many redirects (more than " + std::to_string(options.max_redirects) +
                                     ") fetching " + url);
    } else {
      r.status = Status::Unavailable("fetching " + url + ": " + detail + " (curl error " +
                                     std::to_string(static_cast<int>(code)) + ")");
    }
    r.response.body.clear();
  }
  if (t->easy && idle.size() < static_cast<size_t>(options.max_connections)) idle.push_back(std::move(t->easy));
  t->easy.reset();
  FetchCallback done = std::move(t->done);
  FetchResult result = std::move(t->result);
  t.reset();
  --pending;
  if (done) done(std::move(result));
}

Result<std::unique_ptr<Fetcher>> Fetcher::Create(const FetchOptions& options) {
  if (!GlobalInit()) return Status::Internal("curl_global_init failed");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->user_agent = options.user_agent.empty() ? DefaultUserAgent() : options.user_agent;
  impl->proxied = ProxyFromEnvironment();
  impl->multi.reset(curl_multi_init());
  if (!impl->multi) return Status::Internal("curl_multi_init failed");
  CURLM* m = impl->multi.get();
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options.max_connections));
  // The per-host cap is the fetcher's own (see StartWaiting); libcurl's only
  // keeps a bound on what that lets through.
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(2 * options.max_per_host));
  curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_connections));
  curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  return std::unique_ptr<Fetcher>(new Fetcher(std::move(impl)));
}

Fetcher::Fetcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Fetcher::~Fetcher() {
  for (auto& [easy, t] : impl_->running) curl_multi_remove_handle(impl_->multi.get(), easy);
  impl_->running.clear();
}

void Fetcher::Submit(FetchRequest request, FetchCallback done) {
  auto t = std::make_unique<Transfer>();
  t->host = HostKey(request.http.url);
  t->request = std::move(request);
  t->done = std::move(done);
  ++impl_->pending;
  {
    MutexLock lock(impl_->mu);
    impl_->submitted.push_back(std::move(t));
  }
  Wakeup();
}

size_t Fetcher::Perform(Duration max_wait) {
  Impl& m = *impl_;
  m.Adopt();
  m.StartWaiting();
  int running = 0;
  curl_multi_perform(m.multi.get(), &running);
  size_t before = m.pending.load();
  m.Collect();
  if (m.pending.load() == before) {
    long curl_timeout = -1;
    curl_multi_timeout(m.multi.get(), &curl_timeout);
    long wait = static_cast<long>(max_wait.count());
    if (curl_timeout >= 0) wait = std::min(wait, curl_timeout);
    MonoTime now = std::chrono::steady_clock::now();
    if (auto free_at = m.NextSlotFree(now)) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*free_at - now);
      wait = std::min(wait, static_cast<long>(until.count() + 1));
    }
    curl_multi_poll(m.multi.get(), nullptr, 0, static_cast<int>(std::max(0L, wait)), nullptr);
    curl_multi_perform(m.multi.get(), &running);
    m.Collect();
  }
  m.Adopt();
  m.StartWaiting();
  return m.pending.load();
}

void Fetcher::Run() {
  while (!impl_->quit.load()) Perform(std::chrono::seconds(1));
}

void Fetcher::Quit() {
  impl_->quit = true;
  Wakeup();
}

void Fetcher::Wakeup() { curl_multi_wakeup(impl_->multi.get()); }

size_t Fetcher::pending() const { return impl_->pending.load(); }

FetchResult FetchOnce(const FetchOptions& options, FetchRequest request) {
  auto fetcher = Fetcher::Create(options);
  if (!fetcher.ok()) return FetchResult{fetcher.status(), {}, {}, Duration(0)};
  std::optional<FetchResult> out;
  (*fetcher)->Submit(std::move(request), [&out](FetchResult r) { out = std::move(r); });
  while (!out) (*fetcher)->Perform(std::chrono::milliseconds(200));
  return std::move(*out);
}

}  // namespace brandmon::fetch
