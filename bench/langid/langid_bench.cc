// brandmon's language identification on labelled posts, for bench/langid/run.mjs:
// reads `text<TAB>label` rows on stdin and prints one JSON object with, for
// each way brandmon tells a language, the answer for every row and the rate
// in posts per second of CPU time on one thread.
//
//   langid_bench [--repeat N] < posts.tsv
//
// "identify" is text::IdentifyLanguage, the language identification the
// daemon runs on every mention; "score" is the `lang` that scoring reports
// (Analyzer::Score, the whole sentiment analysis included in the rate).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "daemon/sentiment/analyzer.h"
#include "daemon/sentiment/options.h"
#include "daemon/text/lang_id.h"

namespace {

// CPU time of this thread: on a shared machine the wall clock also counts
// the time other processes held the core.
double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void PrintJsonString(const std::string& s) {
  std::putchar('"');
  for (char c : s) {
    if (c == '"' || c == '\\') std::putchar('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      std::printf("\\u%04x", c);
      continue;
    }
    std::putchar(c);
  }
  std::putchar('"');
}

// Runs `answer` over every text `repeat` times; prints the answers of the
// first round and the rate.
template <typename F>
void Measure(const char* name, const std::vector<std::string>& texts, int repeat, F answer) {
  std::vector<std::string> answers;
  answers.reserve(texts.size());
  for (const auto& t : texts) answers.push_back(answer(t));
  size_t sink = 0;
  double start = ThreadSeconds();
  for (int r = 0; r < repeat; ++r) {
    for (const auto& t : texts) sink += answer(t).size();
  }
  double seconds = ThreadSeconds() - start;
  std::printf("\"%s\":{\"posts_per_s\":%.0f,\"check\":%zu,\"answers\":[", name,
              static_cast<double>(texts.size()) * repeat / seconds, sink % 7);
  for (size_t i = 0; i < answers.size(); ++i) {
    if (i > 0) std::putchar(',');
    PrintJsonString(answers[i]);
  }
  std::printf("]}");
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--repeat") == 0) {
      repeat = std::max(1, std::atoi(argv[i + 1]));
    } else {
      std::fprintf(stderr, "usage: langid_bench [--repeat N] < posts.tsv\n");
      return 2;
    }
  }
  std::vector<std::string> texts;
  std::string line;
  while (std::getline(std::cin, line)) texts.push_back(line.substr(0, line.rfind('\t')));
  auto analyzer = brandmon::sentiment::Analyzer::Create(brandmon::sentiment::SentimentOptions{});
  if (!analyzer.ok()) {
    std::fprintf(stderr, "langid_bench: %s\n", analyzer.status().message().c_str());
    return 1;
  }
  std::putchar('{');
  Measure("identify", texts, repeat, [](const std::string& t) { return brandmon::text::IdentifyLanguage(t).code; });
  std::putchar(',');
  Measure("score", texts, repeat, [&](const std::string& t) { return analyzer->Score(t).lang; });
  std::printf("}\n");
  return 0;
}
