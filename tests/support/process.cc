#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "tests/support/test_util.h"

extern char** environ;

namespace brandmon::testing {

std::string BinaryPath(const std::string& name) {
  if (const char* dir = std::getenv("BRANDMON_BIN_DIR")) return std::string(dir) + "/" + name;
#ifdef BRANDMON_TEST_BINARY_DIR
  return std::string(BRANDMON_TEST_BINARY_DIR) + "/bin/" + name;
#else
  return "build/bin/" + name;
#endif
}

namespace {

std::string TempFile(const char* tag) {
  std::string templ = (std::filesystem::temp_directory_path() / (std::string("brandmon-") + tag + "-XXXXXX")).string();
  int fd = mkstemp(templ.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  return templ;
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
    : out_path_(TempFile("out")), err_path_(TempFile("err")) {
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    if (env.count(key) == 0) envs.push_back(kv);
  }
  for (const auto& [k, v] : env) {
    if (v != "\x01") envs.push_back(k + "=" + v);
  }
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out = open(out_path_.c_str(), O_WRONLY | O_TRUNC);
    int err = open(err_path_.c_str(), O_WRONLY | O_TRUNC);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    setpgid(0, 0);
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
}

Process::~Process() {
  if (running()) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
  unlink(out_path_.c_str());
  unlink(err_path_.c_str());
}

void Process::Signal(int signo) { kill(pid_, signo); }

bool Process::running() {
  if (status_ != -1 || pid_ <= 0) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

int Process::Wait(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

std::string Process::Stdout() const { return ReadFile(out_path_); }
std::string Process::Stderr() const { return ReadFile(err_path_); }

int RunCommand(const std::vector<std::string>& argv, std::string* out, std::string* err,
               const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout,
               const std::string& stdin_text) {
  std::vector<std::string> args = argv;
  std::string input_path;
  std::map<std::string, std::string> full_env = env;
  if (!stdin_text.empty()) {
    // Feed stdin through a file: simple and never blocks on pipe buffers.
    input_path = TempFile("in");
    FILE* f = fopen(input_path.c_str(), "wb");
    fwrite(stdin_text.data(), 1, stdin_text.size(), f);
    fclose(f);
    args = {"/bin/sh", "-c", "exec \"$0\" \"$@\" < \"$BRANDMON_TEST_STDIN\""};
    args.insert(args.end(), argv.begin(), argv.end());
    full_env["BRANDMON_TEST_STDIN"] = input_path;
  }
  Process p(args, full_env);
  int rc = p.Wait(timeout);
  if (out) *out = p.Stdout();
  if (err) *err = p.Stderr();
  if (!input_path.empty()) unlink(input_path.c_str());
  return rc;
}

}  // namespace brandmon::testing
