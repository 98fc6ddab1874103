#include "daemon/cli/line_input.h"

namespace brandmon::cli {

bool ReadLine(std::istream& in, std::ostream& out, std::string& line) {
  if (in.rdbuf() == nullptr) return false;
  // in_avail() asks the file (FIONREAD) once the stream's buffer is empty; 0
  // means a read could block.
  if (in.rdbuf()->in_avail() <= 0) out.flush();
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

size_t ReadLines(std::istream& in, std::ostream& out, std::vector<std::string>* lines, size_t max) {
  size_t n = 0;
  while (n < max) {
    if (n > 0 && in.rdbuf()->in_avail() <= 0) break;
    if (lines->size() <= n) lines->emplace_back();
    if (!ReadLine(in, out, (*lines)[n])) break;
    ++n;
  }
  return n;
}

}  // namespace brandmon::cli
