#pragma once

#include <string>
#include <vector>

#include "daemon/config/options.h"
#include "daemon/plugin/registry.h"

namespace brandmon::settings {

// The Markdown config reference (docs/config.md), generated from the option
// tables of the settings and of every plugin in `registry`.
std::string GenerateConfigDocs(const plugin::Registry& registry);

// The same reference as the man page brandmon.json(5), in groff
// (docs/man/brandmon.json.5).
std::string GenerateConfigMan(const plugin::Registry& registry);

// The Markdown reference of one option table, as GenerateConfigDocs writes
// each section: a "## `title`" table, then one section per nested object,
// headed "title.key" ("key" under "Top level").
std::string OptionReference(const std::string& title, const std::vector<config::OptionInfo>& options);

// One Markdown table of `options`, without a heading.
std::string OptionTableMarkdown(const std::vector<config::OptionInfo>& options);

// The same two in groff, for a man page's OPTIONS: a ".SS" heading per
// section, a ".TP" paragraph per option.
std::string OptionReferenceMan(const std::string& title, const std::vector<config::OptionInfo>& options);
std::string OptionTableMan(const std::vector<config::OptionInfo>& options);

}  // namespace brandmon::settings
