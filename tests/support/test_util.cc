#include "tests/support/test_util.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace brandmon::testing {

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "brandmon-test-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::filesystem::path p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
  return p.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string FixturePath(const std::string& relative) {
#ifdef BRANDMON_TEST_SOURCE_DIR
  return std::string(BRANDMON_TEST_SOURCE_DIR) + "/tests/" + relative;
#else
  return "tests/" + relative;
#endif
}

}  // namespace brandmon::testing
