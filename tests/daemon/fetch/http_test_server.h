#pragma once

// An in-process HTTP server for tests: cpp-httplib on 127.0.0.1 with an
// ephemeral port, serving on its own thread for the life of the object.

#include <httplib.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>

namespace brandmon::testing {

class HttpTestServer {
 public:
  HttpTestServer() {
    server_.set_keep_alive_max_count(100000);
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_timeout(2);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~HttpTestServer() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  httplib::Server& server() { return server_; }
  int port() const { return port_; }
  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  // Set when the server shuts down: endless handlers return on it.
  const std::atomic<bool>& stopping() const { return stopping_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// `data` as a gzip member (RFC 1952).
inline std::string Gzip(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace brandmon::testing
