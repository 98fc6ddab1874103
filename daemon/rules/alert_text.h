#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/mention.h"

namespace brandmon::rules {

// The summaries of every alert the rules raise, built here so that they all
// read alike: "<what> for|of|with <brand>[ on <channel>][ by <author>]...".
// A mention rule's summary ends with `quote`, the sentence that drove its
// decision (QuoteOf), or the start of the text when it is empty.

// `v` with at most `decimals` decimals and no trailing zeros: 0.5, 12, -0.25.
std::string FormatFigure(double v, int decimals = 2);

// The first `max` bytes of `text` on one line, cut at a UTF-8 boundary, with
// "..." when cut.
std::string Snippet(std::string_view text, size_t max = 80);

// " on <channel> by <author>", leaving out what the mention lacks.
std::string Where(const Mention& m);

// "negative mention of acme on reddit by bob (score -0.6, reach 1200): quote"
std::string NegativeMentionText(const std::string& brand, const Mention& m, double score, double reach,
                                std::string_view quote);

// What needs a reply, as its summary starts.
enum class ReplyReason { kQuestion, kComplaint, kLowRating };
// "complaint for acme on reddit by bob: quote"; a low rating reads "1-star review".
std::string NeedsReplyText(const std::string& brand, const Mention& m, ReplyReason reason, double rating,
                           std::string_view quote);

// "praise for acme on reddit by bob (score 0.8, reach 5000): quote"
std::string PraiseText(const std::string& brand, const Mention& m, double score, double reach, std::string_view quote);

// "crisis terms recall, lawsuit with acme on reddit by bob: quote" ("crisis
// term recall with ..." for one term)
std::string KeywordText(const std::string& brand, const Mention& m, const std::vector<TermCount>& terms,
                        std::string_view quote);

// What a spike rule counts: every mention or the negative ones.
enum class SpikeCount { kMentions, kNegative };

// "spike in mentions for acme on reddit: 40 in 15m vs a usual 3 (z 9.1)", or
// "drop in ..." for a dip.
std::string SpikeText(const std::string& brand, const std::string& channel, SpikeCount what, bool dip, double count,
                      Duration bucket, double usual, double z);

// "all clear for acme on reddit: mentions back to normal after 3 x 15m (peak 40, usual 3)";
// a dip storm reads "low" in place of "peak".
std::string AllClearText(const std::string& brand, const std::string& channel, SpikeCount what, bool dip,
                         int64_t buckets, Duration bucket, double peak, double usual);

// "sentiment about acme dropped by 0.5: -0.3 over the last 12 mentions vs 0.2 before"
std::string SentimentShiftText(const std::string& brand, double drop, double recent_avg, int64_t recent_count,
                               double baseline_avg);

// "emerging with acme in the last 15m: recall (12, usually 0.5), ..."
std::string EmergingTermsText(const std::string& brand, Duration bucket, const std::vector<TermCount>& terms);

}  // namespace brandmon::rules
