#include "daemon/notify/receiver_kinds.h"

#include <cctype>

namespace brandmon::notify {

const std::vector<ReceiverKind>& ReceiverKinds() {
  static const std::vector<ReceiverKind> kinds = {WebhookKind(), SlackKind(), TeamsKind(), EmailKind(),
                                                  AlertmanagerKind()};
  return kinds;
}

const ReceiverKind* FindReceiverKind(std::string_view name) {
  for (const auto& kind : ReceiverKinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

bool HeaderNameAllowed(std::string_view name, const std::vector<std::string_view>& reserved) {
  if (name.empty()) return false;
  for (char c : name) {
    bool token = std::isalnum(static_cast<unsigned char>(c)) ||
                 std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  auto same = [name](std::string_view other) {
    if (other.size() != name.size()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(name[i])) != std::tolower(static_cast<unsigned char>(other[i])))
        return false;
    }
    return true;
  };
  for (std::string_view framing : {"host", "content-length", "transfer-encoding", "connection", "expect"}) {
    if (same(framing)) return false;
  }
  for (std::string_view r : reserved) {
    if (same(r)) return false;
  }
  return true;
}

}  // namespace brandmon::notify
