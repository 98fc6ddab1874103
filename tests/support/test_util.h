#pragma once

#include <filesystem>
#include <string>

namespace brandmon::testing {

// A fresh directory under the system temp dir, removed with its contents when
// the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name (creating folders) and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::string& path);

// Where the test fixtures of the repository live: <source>/tests/<relative>.
std::string FixturePath(const std::string& relative);

}  // namespace brandmon::testing
