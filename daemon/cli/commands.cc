#include <fstream>
#include <iostream>
#include <ostream>

#include "daemon/base/version.h"
#include "daemon/cli/command.h"

namespace brandmon::cli {

// Each subcommand lives in its own <name>_command.cc.
int RunConfigDocs(Invocation& inv);
int RunMatch(Invocation& inv);
int RunPlugins(Invocation& inv);
int RunScore(Invocation& inv);
int RunParse(Invocation& inv);
int RunStatus(Invocation& inv);
int RunReload(Invocation& inv);
int RunPollNow(Invocation& inv);
int RunSources(Invocation& inv);
int RunPause(Invocation& inv);
int RunResume(Invocation& inv);
int RunFetch(Invocation& inv);
int RunTail(Invocation& inv);
int RunKeygen(Invocation& inv);
int RunExport(Invocation& inv);
int RunReport(Invocation& inv);
int RunManPage(Invocation& inv);
int RunCompletion(Invocation& inv);
int RunExplain(Invocation& inv);
int RunReplay(Invocation& inv);

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"plugins", "list the source plugins with their options and defaults", "brandmonctl plugins [--json]",
       RunPlugins},
      {"status", "show the running daemon's health: sources, errors, next polls",
       "brandmonctl status [--json] [--config PATH | --endpoint ENDPOINT] [--timeout DURATION]", RunStatus},
      {"reload",
       "reload the daemon's config now; exits non-zero with the errors when it is rejected, "
       "0 when it is applied, naming the options that need a restart",
       "brandmonctl reload [--config PATH | --endpoint ENDPOINT] [--timeout DURATION]", RunReload},
      {"sources", "list the running daemon's sources: type, interval, channel",
       "brandmonctl sources [--json] [--config PATH | --endpoint ENDPOINT] [--timeout DURATION]", RunSources},
      {"poll-now", "poll one source at once",
       "brandmonctl poll-now SOURCE [--config PATH | --endpoint ENDPOINT] [--timeout DURATION]", RunPollNow},
      {"tail", "follow the daemon's alerts live, filling any gap from the journal",
       "brandmonctl tail [--topic PREFIX] [--since SEQ] [--json] [--endpoint E] [--catchup-endpoint E]\n"
       "  [--curve-key FILE --server-key KEY] [--config PATH] [--count N] [--timeout DURATION]",
       RunTail},
      {"export", "write the stored mentions of brands and a time range as CSV or JSON Lines (docs/export.md)",
       "brandmonctl export [--brand B[,B...]] [--since T] [--until T] [--label L] [--channel C] [--lang L]\n"
       "  [--q TEXT] [--min-reach N] [--format csv|jsonl] [--bom] [--output FILE] [--config PATH | --database FILE]\n"
       "  T: RFC 3339 (2026-01-02T03:04:05Z, 2026-01-02) or a duration back from now (7d, 12h); since defaults to\n"
       "  7 days before until, until to now; times are when the daemon stored each mention. Newest first.\n"
       "  --q: words that must all occur in the title, text or author. CSV: RFC 4180 (CRLF), text cells that\n"
       "  start with = + - @ get a leading ' so that spreadsheets do not run them as formulas",
       RunExport},
      {"report",
       "write the report of brands over a time range (volume, sentiment, share of voice, channels, top "
       "mentions, alerts, sources) as one HTML page, Markdown or JSON (docs/report.md)",
       "brandmonctl report [--brand B[,B...]] [--since T] [--until T] [--step D] [--channel C] [--lang L]\n"
       "  [--format html|md|json] [--output FILE] [--config PATH | --database FILE]\n"
       "  T: as for export; the last 7 days by default. D: the bucket length, a whole number of hours (1h, 6h,\n"
       "  1d); by default 1h up to 2 days, 6h up to 14, 1d up to 180, 7d beyond. Without --brand: the 5 brands\n"
       "  with the most mentions. html (default): one self-contained page (inline SVG charts, no script) to mail\n"
       "  or print to PDF; md: for chat; json: the report's data. Reads the database read-only",
       RunReport},
      {"keygen", "write a CURVE key pair (Z85) for the alert publisher or a subscriber",
       "brandmonctl keygen [--output PREFIX]  (PREFIX.key mode 0600, PREFIX.pub)", RunKeygen},
      {"parse", "parse a feed file (RSS, Atom, RDF, JSON Feed) or a JSON API response and print one mention per line",
       "brandmonctl parse [--format auto|rss|atom|rdf|jsonfeed|json] [--preset NAME] [--base-url URL]\n"
       "                  [--content-type CT] FILE|-\n"
       "  (--preset NAME maps a JSON API response with an http_json preset, e.g. reddit_search;\n"
       "   FEED_URL and FEED_CONTENT_TYPE in the environment stand in for --base-url and --content-type)",
       RunParse},
      {"fetch", "fetch and parse one configured source once and print its mentions (-v: the HTTP exchange)",
       "brandmonctl fetch SOURCE [--config PATH] [-v]", RunFetch},
      {"match", "test a brand query: print which brands match each line of stdin and where",
       "brandmonctl match (--query QUERY | --config PATH) [--diacritic-insensitive | --exact-diacritics]\n"
       "                  [--lang CODE] [--channel NAME]\n"
       "  prints per line {\"match\": true|false, \"brands\": [...], \"spans\": [[start, end], ...]}\n"
       "  (terms match with or without diacritics unless --exact-diacritics, or a brand's\n"
       "   \"diacritic_insensitive\": false with --config, asks for the exact form)\n"
       "  (brands only with --config; spans are code-point offsets of the matched terms;\n"
       "   without --lang, a lang: filter tests the line's language as `score` reads it, which the daemon\n"
       "   tests and stores for a mention whose source gives none)",
       RunMatch},
      {"pause", "stop polling one source until resumed (or the daemon restarts)",
       "brandmonctl pause SOURCE [--config PATH | --endpoint ENDPOINT] [--timeout DURATION]", RunPause},
      {"resume", "poll a paused source again, starting now",
       "brandmonctl resume SOURCE [--config PATH | --endpoint ENDPOINT] [--timeout DURATION]", RunResume},
      {"config-docs",
       "write the config reference generated from the option tables: docs/config.md, or the man page "
       "brandmon.json(5)",
       "brandmonctl config-docs [--format md|man] [--output FILE]", RunConfigDocs},
      {"completion", "write the bash or zsh completion script: commands, options, and the config's sources and brands",
       "brandmonctl completion bash|zsh [--output FILE]\n"
       "  (the scripts run `brandmonctl completion --values sources|brands|presets [--config PATH]` for names)",
       RunCompletion},
      {"man-page", "write this manual page, brandmonctl(1), in groff: its COMMANDS are this list",
       "brandmonctl man-page [--output FILE]", RunManPage},
      {"explain", "show what the rules make of each mention on stdin, brand by brand, and why",
       "brandmonctl explain --config PATH [--source NAME --id ID [--database FILE]]\n"
       "  reads one mention JSON per line (as parse, fetch and JSON Lines sources give them), or with --source and\n"
       "  --id the stored mention of that source and id (from the config's state database), and prints per mention\n"
       "  {\"source\", \"id\", \"kind\", \"brands\": [{\"brand\", \"matched_terms\", \"spans\", \"lang\", "
       "\"sentiment\": {\"compound\",\n"
       "  \"label\", \"target\", \"field\", \"words\": [{\"word\", \"at\", \"valence\", \"weight\", \"targeted\"}]},\n"
       "  \"salience\", \"in_title\", \"named_in_sentences\", \"text_sentences\", \"own_account\", "
       "\"replies_to_brand\",\n"
       "  \"rules\": [{\"rule\", \"alert\", \"why\", \"cooldown\"}]}]}: each mention rule's verdict as the daemon\n"
       "  reaches it, before its cooldown (a mention whose source is configured gets that source's kind and\n"
       "  reply_to); with --source and --id, \"cooldown\": {\"key\", \"until\"} when the cooldown the daemon last\n"
       "  committed holds the rule back now. \"words\": the rated words of the field scored (its text, else its\n"
       "  title; \"at\" in code points), each with its rating, its weight once boosted or negated, and whether the\n"
       "  brand-targeted score counts it (the 50 weightiest). A line that is not a mention prints\n"
       "  {\"error\": ...}, and the exit status is then 1",
       RunExplain},
      {"replay",
       "run the stored mentions of a period through another config's brands and rules, and show the alerts it "
       "would raise next to those that were raised",
       "brandmonctl replay --config NEW.json [--since T] [--until T] [--brand B] [--warm-up D] [--database FILE]\n"
       "  [--format text|json]\n"
       "  T: as for export; the last 7 days by default. Reads the state database of NEW.json (or --database)\n"
       "  read-only, runs its mentions in the order they were stored, each at the time it was stored, through\n"
       "  NEW.json's brands and rules from a fresh state (nothing is published or written), and prints per brand\n"
       "  and rule the alerts raised and replayed, then the alerts of one side only. D: mentions stored this long\n"
       "  before --since are run first to warm up the trend rules, their alerts left out; by default the longest\n"
       "  look-back of NEW.json's trend rules (docs/alerts.md says what cannot be replayed exactly)",
       RunReplay},
      {"score", "score the sentiment of each stdin line as JSON (compound, pos, neu, neg, label, lang)",
       "brandmonctl score [--lang auto|CODE] [--target TERM]... [--data-dir DIR] [--jobs N]\n"
       "  (lang: the language identified as the daemon does, or und; a language without a lexicon,\n"
       "   e.g. th or el, is not scored and its line adds \"scored\": false; with --target, \"target\" is the\n"
       "   score aimed at the TERMs, found as the daemon finds a brand's terms: whole words, case and accents\n"
       "   folded; each line is answered when it is read, so another program can converse through a pipe;\n"
       "   N: threads scoring a long input, in the order read, by default one per usable CPU)",
       RunScore},
  };
  return commands;
}

namespace {

void PrintHelp(std::ostream& out) {
  out << "brandmonctl — work with brandmon: check feeds, score text, test queries, talk to the daemon\n\n"
         "usage: brandmonctl COMMAND [OPTIONS]\n\ncommands:\n";
  for (const auto& c : Commands()) {
    out << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.summary << "\n";
  }
  out << "\nRun 'brandmonctl COMMAND --help' for a command's options.\n";
}

}  // namespace

int WriteOutput(Invocation& inv, std::string_view command, const std::string& output, const std::string& text) {
  if (output.empty()) {
    inv.out << text;
    return 0;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file.flush()) {
    inv.err << "brandmonctl " << command << ": cannot write " << output << "\n";
    return 1;
  }
  inv.err << "wrote " << output << "\n";
  return 0;
}

int RunCtl(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintHelp(args.empty() ? err : out);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    out << "brandmonctl " << BuildVersion() << "\n";
    return 0;
  }
  for (const auto& c : Commands()) {
    if (c.name != args[0]) continue;
    Invocation inv{std::vector<std::string>(args.begin() + 1, args.end()), in, out, err};
    for (const auto& a : inv.args) {
      if (a == "--help" || a == "-h") {
        out << "usage: " << c.usage << "\n\n" << c.summary << "\n";
        return 0;
      }
    }
    return c.run(inv);
  }
  err << "brandmonctl: unknown command '" << args[0] << "' (see 'brandmonctl --help')\n";
  return 2;
}

}  // namespace brandmon::cli
