#include "bench/feed/feed_corpus.h"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string_view>

namespace brandmon::bench {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A feed cut into the part before the first item, the items, and the rest.
struct Template {
  std::string head;
  std::vector<std::string> items;
  std::string tail;
};

Template Split(std::string doc, std::string_view open, std::string_view close) {
  Template t;
  size_t start = doc.find_first_not_of(" \t\r\n");
  doc.erase(0, start);
  size_t first = doc.find(open);
  t.head = doc.substr(0, first);
  size_t pos = first;
  size_t last_end = first;
  while (pos != std::string::npos) {
    size_t end = doc.find(close, pos);
    if (end == std::string::npos) break;
    end += close.size();
    t.items.push_back(doc.substr(pos, end - pos));
    last_end = end;
    pos = doc.find(open, end);
  }
  t.tail = doc.substr(last_end);
  return t;
}

// Makes an item's id unique by suffixing the text of its first id element.
std::string Uniquify(std::string item, int n) {
  for (std::string_view closer : {"</guid>", "</id>", "</link>"}) {
    size_t pos = item.find(closer);
    if (pos != std::string::npos) {
      item.insert(pos, "-" + std::to_string(n));
      break;
    }
  }
  return item;
}

Template RdfTemplate(const Template& rss) {
  Template t;
  t.head =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
      "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
      "<channel rdf:about=\"https://www.reddit.com/\"><title>reddit</title><link>https://www.reddit.com/</link>"
      "<description>front page</description></channel>\n";
  for (const std::string& item : rss.items) {
    std::string i = item;
    // RSS 1.0 has dc:date instead of pubDate.
    size_t p = i.find("<pubDate>");
    if (p != std::string::npos) {
      i.replace(p, 9, "<dc:date>2015-11-12T21:16:39Z</dc:date><!--");
      size_t e = i.find("</pubDate>");
      if (e != std::string::npos) i.replace(e, 10, "-->");
    }
    t.items.push_back(std::move(i));
  }
  t.tail = "</rdf:RDF>\n";
  return t;
}

}  // namespace

std::vector<std::string> MakeFeedCorpus(const std::string& fixture_dir, int feeds, int items_per_feed) {
  std::vector<Template> templates;
  templates.push_back(Split(Slurp(fixture_dir + "/reddit_frontpage_rss2_2015.xml"), "<item>", "</item>"));
  templates.push_back(Split(Slurp(fixture_dir + "/reddit_frontpage_atom_2016.xml"), "<entry>", "</entry>"));
  templates.push_back(Split(Slurp(fixture_dir + "/youtube_channel_atom.xml"), "<entry>", "</entry>"));
  templates.push_back(Split(Slurp(fixture_dir + "/google_alerts_atom.xml"), "<entry>", "</entry>"));
  templates.push_back(Split(Slurp(fixture_dir + "/rss_guid_dupes.xml"), "<item>", "</item>"));
  templates.push_back(RdfTemplate(templates[0]));
  std::vector<std::string> corpus;
  corpus.reserve(static_cast<size_t>(feeds));
  uint64_t rng = 0x9E3779B97F4A7C15ULL;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(rng >> 33);
  };
  for (int f = 0; f < feeds; ++f) {
    const Template& t = templates[static_cast<size_t>(f) % templates.size()];
    if (t.items.empty()) continue;
    std::string doc = t.head;
    for (int i = 0; i < items_per_feed; ++i) {
      doc += Uniquify(t.items[next() % t.items.size()], i);
      doc += '\n';
    }
    doc += t.tail;
    corpus.push_back(std::move(doc));
  }
  return corpus;
}

}  // namespace brandmon::bench
