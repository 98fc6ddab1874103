#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace brandmon::cli {

// The streams and arguments one subcommand runs with; tests pass
// string streams.
struct Invocation {
  std::vector<std::string> args;  // after the subcommand name
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// One brandmonctl subcommand: its name, one-line summary, usage text and
// entry point, which returns the process exit code.
struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;
  int (*run)(Invocation& inv);
};

// Every subcommand, in the order `brandmonctl --help` lists them.
const std::vector<Command>& Commands();

// Runs `brandmonctl <args...>`: dispatches to a subcommand, or prints help.
int RunCtl(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

// Writes `text` to the file `output`, or to inv.out when `output` is empty.
// Returns the exit code: 1, said on inv.err as `brandmonctl <command>`, when
// the file cannot be written.
int WriteOutput(Invocation& inv, std::string_view command, const std::string& output, const std::string& text);

// brandmonctl(1) in groff (docs/man/brandmonctl.1): its COMMANDS section is
// Commands(), with each command's summary and usage.
std::string ManPage();

}  // namespace brandmon::cli
