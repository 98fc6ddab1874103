// Feed parse throughput over a generated corpus, side by side with two
// floors that walk the same bytes and do nothing else: libxml2's streaming
// reader (xmlReader), and libxml2's SAX2 parser with empty callbacks (the
// parser ParseFeed() is built on, so its real floor).
//
// Usage: feed_bench [FEEDS] [ITEMS_PER_FEED] [ROUNDS] [--only reader|sax|parse]
//   --only  runs one of the three alone (for a profiler such as callgrind)

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/feed/feed_corpus.h"
#include "daemon/feedparse/feed_parser.h"

namespace {

using brandmon::feedparse::FeedParseOptions;

class CountingSink final : public brandmon::Sink {
 public:
  void Emit(brandmon::Mention m) override {
    ++items;
    bytes += m.title.size() + m.text.size();
  }
  void Warn(std::string) override { ++warnings; }
  size_t items = 0;
  size_t bytes = 0;
  size_t warnings = 0;
};

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// One pass of xmlReader over every document; returns the node count.
size_t ReaderFloor(const std::vector<std::string>& corpus) {
  size_t nodes = 0;
  for (const auto& doc : corpus) {
    xmlTextReaderPtr reader = xmlReaderForMemory(doc.data(), static_cast<int>(doc.size()), nullptr, nullptr,
                                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    while (xmlTextReaderRead(reader) == 1) ++nodes;
    xmlFreeTextReader(reader);
  }
  return nodes;
}

// The SAX2 callbacks of the SAX floor: the element events count, the rest
// does nothing.
void OnStart(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*, int, const xmlChar**, int, int,
             const xmlChar**) {
  ++*static_cast<size_t*>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
}
void OnEnd(void*, const xmlChar*, const xmlChar*, const xmlChar*) {}
void OnCharacters(void*, const xmlChar*, int) {}
void OnError(void*, xmlErrorPtr) {}

// One pass of the SAX2 parser with empty callbacks over every document, with
// the options ParseFeed() uses; returns the element count.
size_t SaxFloor(const std::vector<std::string>& corpus) {
  size_t elements = 0;
  for (const auto& doc : corpus) {
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(doc.data(), static_cast<int>(doc.size()));
    xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_IGNORE_ENC);
    xmlSAXHandler sax;
    std::memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = OnStart;
    sax.endElementNs = OnEnd;
    sax.characters = OnCharacters;
    sax.cdataBlock = OnCharacters;
    sax.serror = OnError;
    *ctxt->sax = sax;
    ctxt->userData = ctxt;
    ctxt->_private = &elements;
    ctxt->replaceEntities = 0;
    xmlParseDocument(ctxt);
    if (ctxt->myDoc != nullptr) xmlFreeDoc(ctxt->myDoc);
    xmlFreeParserCtxt(ctxt);
  }
  return elements;
}

struct Args {
  int feeds = 2000;
  int items = 50;
  int rounds = 3;
  std::string only;  // "", "reader", "sax" or "parse"
};

bool ParseArgs(int argc, char** argv, Args& args) {
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--only" && i + 1 < argc) {
      args.only = argv[++i];
      if (args.only != "reader" && args.only != "sax" && args.only != "parse") return false;
    } else if (!a.empty() && a[0] != '-' && positional < 3) {
      int v = std::atoi(a.c_str());
      if (v <= 0) return false;
      (positional == 0 ? args.feeds : positional == 1 ? args.items : args.rounds) = v;
      ++positional;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: feed_bench [FEEDS] [ITEMS_PER_FEED] [ROUNDS] [--only reader|sax|parse]\n"
                 "  parses a generated corpus (default 2000 feeds x 50 items, best of 3 rounds) with\n"
                 "  feedparse::ParseFeed and with two libxml2 floors: xmlReader, and SAX2 with empty callbacks\n");
    return 2;
  }
  xmlInitParser();
  auto corpus = brandmon::bench::MakeFeedCorpus(std::string(BRANDMON_SOURCE_DIR) + "/tests/daemon/feedparse",
                                                args.feeds, args.items);
  size_t total = 0;
  for (const auto& d : corpus) total += d.size();
  double mb = static_cast<double>(total) / 1e6;
  std::printf("corpus: %zu feeds x %d items, %.1f MB\n", corpus.size(), args.items, mb);

  auto run = [&args](const char* which) { return args.only.empty() || args.only == which; };
  double best_parse = 1e9, best_reader = 1e9, best_sax = 1e9;
  size_t parsed_items = 0, warnings = 0, nodes = 0, elements = 0;
  for (int r = 0; r < args.rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    if (run("reader")) nodes = ReaderFloor(corpus);
    auto t1 = std::chrono::steady_clock::now();
    if (run("sax")) elements = SaxFloor(corpus);
    auto t2 = std::chrono::steady_clock::now();
    CountingSink sink;
    FeedParseOptions options;
    options.base_url = "https://feeds.example.com/feed.xml";
    if (run("parse")) {
      for (const auto& doc : corpus) {
        if (!brandmon::feedparse::ParseFeed(doc, options, sink).ok()) ++sink.warnings;
      }
    }
    auto t3 = std::chrono::steady_clock::now();
    best_reader = std::min(best_reader, Seconds(t1 - t0));
    best_sax = std::min(best_sax, Seconds(t2 - t1));
    best_parse = std::min(best_parse, Seconds(t3 - t2));
    parsed_items = sink.items;
    warnings = sink.warnings;
  }
  if (run("reader")) std::printf("floor  libxml2 xmlReader loop : %7.1f MB/s  (%zu nodes)\n", mb / best_reader, nodes);
  if (run("sax"))
    std::printf("floor  libxml2 SAX2, empty callbacks : %7.1f MB/s  (%zu elements)\n", mb / best_sax, elements);
  if (run("parse")) {
    std::printf("brandmon feedparse::ParseFeed (full) : %7.1f MB/s  %9.0f items/s  (%zu items, %zu warnings)\n",
                mb / best_parse, static_cast<double>(parsed_items) / best_parse, parsed_items, warnings);
  }
  if (args.only.empty()) {
    std::printf("ratio feedparse::ParseFeed / floor   : %7.2fx the xmlReader floor's time\n", best_parse / best_reader);
    std::printf("ratio feedparse::ParseFeed / SAX     : %7.2fx the SAX2 floor's time\n", best_parse / best_sax);
  }
  return 0;
}
