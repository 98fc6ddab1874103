#pragma once

// Writing man pages (groff, man(7) macros) from the project's own texts: the
// option tables' docs and brandmonctl's command table, whose markup is a
// small part of Markdown.

#include <string>
#include <string_view>

namespace brandmon {

// `text` as man page text on one line: valid UTF-8 without control characters
// (ReplaceUnsafe: a line break becomes a space), a backslash written \e, every
// '-' written \- (so options and paths render as the ASCII hyphen-minus a
// reader can copy), and a '.' or '\'' at its start guarded with \& so that
// roff does not read the line as a request.
std::string RoffEscape(std::string_view text);

// One line of inline Markdown as man page text: `code` and **strong** in
// bold, *emphasis* in italic, everything escaped as RoffEscape does. A marker
// without its closing pair stays literal text.
std::string RoffInline(std::string_view markdown);

// Markdown blocks as man(7) requests: each paragraph (lines up to a blank
// line) a .PP with its lines joined, each "- " list item an .IP bullet with
// its indented continuation lines. A "# " title line and <!-- --> comment
// lines are dropped: a man page has its own title.
std::string RoffBlocks(std::string_view markdown);

}  // namespace brandmon
