#include "daemon/plugin/mention_limits.h"

namespace brandmon::plugin {

const config::OptionTable<MentionLimits>& MentionLimitsOptionTable() {
  using L = MentionLimits;
  static const config::OptionTable<L> table = {
      config::Size<L>("title", "1KiB", {"64B", "1MiB"}, &L::title, "Most bytes of a mention's title."),
      config::Size<L>("text", "64KiB", {"64B", "16MiB"}, &L::text, "Most bytes of a mention's text."),
      config::Size<L>("author", "512B", {"64B", "1MiB"}, &L::author, "Most bytes of a mention's author."),
      config::Size<L>("url", "8KiB", {"64B", "1MiB"}, &L::url, "Most bytes of a mention's url."),
      config::Size<L>("id", "2KiB", {"64B", "1MiB"}, &L::id,
                      "Most bytes of a mention's id; a longer id keeps its start and a hash of the whole, so it "
                      "stays unique."),
  };
  return table;
}

}  // namespace brandmon::plugin
