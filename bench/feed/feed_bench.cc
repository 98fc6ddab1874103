// Feed parse throughput over a generated corpus, side by side with the
// floor: libxml2's streaming reader walking the same bytes and doing nothing
// else. Usage: feed_bench [FEEDS] [ITEMS_PER_FEED] [ROUNDS]

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

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
size_t Floor(const std::vector<std::string>& corpus) {
  size_t nodes = 0;
  for (const auto& doc : corpus) {
    xmlTextReaderPtr reader = xmlReaderForMemory(doc.data(), static_cast<int>(doc.size()), nullptr, nullptr,
                                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    while (xmlTextReaderRead(reader) == 1) ++nodes;
    xmlFreeTextReader(reader);
  }
  return nodes;
}

}  // namespace

int main(int argc, char** argv) {
  int feeds = argc > 1 ? std::atoi(argv[1]) : 2000;
  int items = argc > 2 ? std::atoi(argv[2]) : 50;
  int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  xmlInitParser();
  auto corpus =
      brandmon::bench::MakeFeedCorpus(std::string(BRANDMON_SOURCE_DIR) + "/tests/daemon/feedparse", feeds, items);
  size_t total = 0;
  for (const auto& d : corpus) total += d.size();
  double mb = static_cast<double>(total) / 1e6;
  std::printf("corpus: %zu feeds x %d items, %.1f MB\n", corpus.size(), items, mb);

  double best_parse = 1e9, best_floor = 1e9;
  size_t parsed_items = 0, warnings = 0, nodes = 0;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    nodes = Floor(corpus);
    auto t1 = std::chrono::steady_clock::now();
    CountingSink sink;
    FeedParseOptions options;
    options.base_url = "https://feeds.example.com/feed.xml";
    for (const auto& doc : corpus) {
      if (!brandmon::feedparse::ParseFeed(doc, options, sink).ok()) ++sink.warnings;
    }
    auto t2 = std::chrono::steady_clock::now();
    best_floor = std::min(best_floor, Seconds(t1 - t0));
    best_parse = std::min(best_parse, Seconds(t2 - t1));
    parsed_items = sink.items;
    warnings = sink.warnings;
  }
  std::printf("floor  libxml2 xmlReader loop : %7.1f MB/s  (%zu nodes)\n", mb / best_floor, nodes);
  std::printf("brandmon feedparse::ParseFeed (full) : %7.1f MB/s  %9.0f items/s  (%zu items, %zu warnings)\n",
              mb / best_parse, static_cast<double>(parsed_items) / best_parse, parsed_items, warnings);
  std::printf("ratio feedparse::ParseFeed / floor   : %7.2fx the floor's time\n", best_parse / best_floor);
  return 0;
}
