// Accuracy and speed of brandmon's sentiment analyzer on the VADER tweets
// ground truth (Pearson r against the human mean, 3-class macro-F1), plus
// accuracy on the per-language sentence tables. Run by bench/sentiment/run.sh,
// which also measures the npm peers in the same run.
//
//   sentiment_bench [--data DIR] [--groundtruth TSV] [--tables DIR] [--repeat N] [--scores OUT]
//                   [--general 1]   (ASCII texts through the general path too, for comparison)
//                   [--lang CODE]   (every ground-truth tweet scored as CODE, "en" say, not as its
//                                    identified language: what the language choice costs)
//                   [--multi DIR]   (3-class accuracy and macro-F1 on DIR/<lang>.val.tsv, the
//                                    multilingual tweet sets' validation splits)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/sentiment/analyzer.h"

namespace {

using brandmon::sentiment::Analyzer;
using brandmon::sentiment::ScoreRequest;

struct Example {
  double gold = 0;
  std::string text;
};

std::vector<Example> ReadGroundTruth(const std::string& path) {
  std::vector<Example> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find('\t');
    size_t b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out.push_back({std::strtod(line.c_str() + a + 1, nullptr), line.substr(b + 1)});
  }
  return out;
}

double Pearson(const std::vector<double>& x, const std::vector<double>& y) {
  double n = static_cast<double>(x.size()), mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= n, my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

int Class(double v, double band) { return v >= band ? 1 : (v <= -band ? -1 : 0); }

// Macro-F1 over the classes -1, 0, 1; *per_class receives each class's F1.
double MacroF1(const std::vector<int>& gold, const std::vector<int>& pred, double per_class[3]) {
  double sum = 0;
  for (int c = -1; c <= 1; ++c) {
    double tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < gold.size(); ++i) {
      if (pred[i] == c && gold[i] == c) ++tp;
      if (pred[i] == c && gold[i] != c) ++fp;
      if (pred[i] != c && gold[i] == c) ++fn;
    }
    double p = tp + fp > 0 ? tp / (tp + fp) : 0, r = tp + fn > 0 ? tp / (tp + fn) : 0;
    per_class[c + 1] = p + r > 0 ? 2 * p * r / (p + r) : 0;
    sum += per_class[c + 1];
  }
  return sum / 3;
}

// Per-language tables: lang<TAB>expected label<TAB>text.
void RunTables(const Analyzer& analyzer, const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".tsv") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  int all_ok = 0, all_n = 0;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    int ok = 0, n = 0, lang_ok = 0;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ss(line);
      std::string lang, label, text;
      std::getline(ss, lang, '\t');
      std::getline(ss, label, '\t');
      std::getline(ss, text);
      auto score = analyzer.Score(text);
      ++n;
      ok += score.label() == label;
      lang_ok += score.lang == lang;
    }
    all_ok += ok, all_n += n;
    std::printf("  table %-12s accuracy %5.1f%% (%d/%d)  language id %5.1f%%\n", f.stem().c_str(), 100.0 * ok / n, ok,
                n, 100.0 * lang_ok / n);
  }
  if (all_n > 0) std::printf("  tables overall accuracy %.1f%% (%d/%d)\n", 100.0 * all_ok / all_n, all_ok, all_n);
}

// Per language: 3-class accuracy and macro-F1 of `text<TAB>neg|neu|pos` rows
// in DIR/<lang>.val.tsv, scored with the language identified from the text,
// and the share of rows identified as <lang> ("hi" also for "hi-latn").
void RunMulti(const Analyzer& analyzer, const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 8 && name.compare(name.size() - 8, 8, ".val.tsv") == 0) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string name = f.filename().string();
    std::string lang = name.substr(0, name.size() - 8);
    std::ifstream in(f);
    std::string line;
    std::vector<int> gold, pred;
    int lang_ok = 0;
    while (std::getline(in, line)) {
      size_t tab = line.rfind('\t');
      if (tab == std::string::npos) continue;
      std::string label = line.substr(tab + 1);
      auto score = analyzer.Score(std::string_view(line).substr(0, tab));
      gold.push_back(label == "neg" ? -1 : label == "pos" ? 1 : 0);
      pred.push_back(Class(score.compound, 0.05));
      lang_ok += score.lang == lang || (lang == "hi-latn" && score.lang == "hi");
    }
    if (gold.empty()) continue;
    int right = 0;
    for (size_t i = 0; i < gold.size(); ++i) right += gold[i] == pred[i];
    double f1[3];
    double macro = MacroF1(gold, pred, f1);
    std::printf("  val %-8s accuracy %.3f  macro-F1 %.3f  (%zu texts; read as %s: %.3f)\n", lang.c_str(),
                static_cast<double>(right) / gold.size(), macro, gold.size(), lang.c_str(),
                static_cast<double>(lang_ok) / gold.size());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir;
  std::string groundtruth = std::string(BRANDMON_SOURCE_DIR) + "/tests/data/sentiment/tweets_groundtruth.tsv";
  std::string tables = std::string(BRANDMON_SOURCE_DIR) + "/tests/daemon/sentiment/testdata";
  std::string scores_out;
  std::string multi;
  int repeat = 50;
  ScoreRequest request;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--data")
      data_dir = argv[i + 1];
    else if (a == "--groundtruth")
      groundtruth = argv[i + 1];
    else if (a == "--tables")
      tables = argv[i + 1];
    else if (a == "--repeat")
      repeat = std::atoi(argv[i + 1]);
    else if (a == "--scores")
      scores_out = argv[i + 1];
    else if (a == "--multi")
      multi = argv[i + 1];
    else if (a == "--lang")
      request.lang = argv[i + 1];
    else if (a == "--general")
      request.general_path = std::atoi(argv[i + 1]) != 0;
  }
  brandmon::sentiment::SentimentOptions options;
  options.data_dir = data_dir;
  auto t0 = std::chrono::steady_clock::now();
  auto analyzer = Analyzer::Create(options);
  auto t1 = std::chrono::steady_clock::now();
  if (!analyzer.ok()) {
    std::cerr << "sentiment_bench: " << analyzer.status().ToString() << "\n";
    return 1;
  }
  std::printf("brandmon: lexicons from %s loaded in %.1f ms, %.1f MB\n", analyzer->data_dir().c_str(),
              std::chrono::duration<double, std::milli>(t1 - t0).count(), analyzer->MemoryBytes() / 1e6);
  if (!multi.empty()) {
    RunMulti(*analyzer, multi);
    return 0;
  }
  std::vector<Example> examples = ReadGroundTruth(groundtruth);
  if (!examples.empty()) {
    std::vector<double> gold, pred;
    std::vector<int> gold_c, pred_c;
    std::ofstream scores;
    size_t not_english = 0, ascii_path = 0;
    if (!scores_out.empty()) scores.open(scores_out);
    for (const auto& e : examples) {
      auto score = analyzer->Score(e.text, request);
      double c = score.compound;
      not_english += score.lang != "en";
      // ASCII texts read as English are the ones the ASCII path scores (bar
      // a rare emoticon chunk it hands back to the general path).
      bool ascii = std::all_of(e.text.begin(), e.text.end(), [](char ch) { return (ch & 0x80) == 0; });
      ascii_path += ascii && score.lang == "en" && !request.general_path;
      gold.push_back(e.gold);
      pred.push_back(c);
      gold_c.push_back(Class(e.gold, 0.2));
      pred_c.push_back(Class(c, 0.05));
      if (scores) scores << e.gold << "\t" << c << "\t" << score.lang << "\t" << e.text << "\n";
    }
    double f1[3];
    double macro = MacroF1(gold_c, pred_c, f1);
    std::printf(
        "brandmon: tweets (%zu): pearson r %.4f  macro-F1 %.4f (neg %.3f / neu %.3f / pos %.3f)  not read as en: %zu\n",
        examples.size(), Pearson(gold, pred), macro, f1[0], f1[1], f1[2], not_english);
    std::printf("brandmon: ASCII path (ASCII texts read as en): %zu of %zu texts (%.1f%%)\n", ascii_path,
                examples.size(), 100.0 * ascii_path / examples.size());
    if (repeat <= 0) {
      RunTables(*analyzer, tables);
      return 0;
    }
    volatile double sink = 0;
    auto s0 = std::chrono::steady_clock::now();
    for (int r = 0; r < repeat; ++r) {
      for (const auto& e : examples) sink = sink + analyzer->Score(e.text, request).compound;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    std::printf("brandmon: speed %.0f texts/s (one thread, %d x %zu texts)\n", repeat * examples.size() / secs, repeat,
                examples.size());
  } else {
    std::printf("brandmon: no ground truth at %s (skipped)\n", groundtruth.c_str());
  }
  RunTables(*analyzer, tables);
  return 0;
}
