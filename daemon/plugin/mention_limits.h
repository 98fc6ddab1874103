#pragma once

#include "daemon/base/mention.h"
#include "daemon/config/options.h"

namespace brandmon::plugin {

// The "limits" section: the most bytes each field of a mention keeps
// (NormalizeMention in daemon/base/mention.h applies them to every mention a
// source produces; a cut field is named in the mention's "truncated").
const config::OptionTable<MentionLimits>& MentionLimitsOptionTable();

}  // namespace brandmon::plugin
