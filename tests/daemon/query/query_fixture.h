#pragma once

#include <string>

#include "tests/support/test_util.h"

namespace brandmon::testing {

// A fixed state database, written through the store (store::Store::Write)
// into a temp directory: mentions of acme and globex over four hours from
// 2026-01-01T00:00:00Z, hostile text among them, three alerts and two
// sources' state. Each call builds the same rows.
class QueryFixture {
 public:
  QueryFixture();
  // The database's path.
  const std::string& path() const { return path_; }
  const TempDir& dir() const { return dir_; }

  // Adds what a report shows beyond the rows above: at 03:30 an acme
  // mention of the largest reach (5000) whose title, text, author and URL
  // are hostile markup (<script>, <img onerror>, a javascript: link), and at
  // 03:45 an emerging_terms alert of acme with the terms "outage" and
  // "refund". The other tests' figures stay as they are unless they read
  // 03:00 to 04:00.
  void AddReportRows();

  // 2026-01-01T00:00:00Z + `hours`, in Unix ms.
  static int64_t Hour(int hours) { return 1'767'225'600'000 + hours * int64_t{3'600'000}; }

 private:
  TempDir dir_;
  std::string path_;
};

}  // namespace brandmon::testing
