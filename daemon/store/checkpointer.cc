#include "daemon/store/checkpointer.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace brandmon::store {

Checkpointer::Checkpointer(std::string path, Sizes sizes) : path_(std::move(path)), sizes_(sizes) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool Checkpointer::Committed(int log_pages) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A log smaller than what was copied has started over since.
    if (copied_ > log_pages) copied_ = 0;
    if (busy_ || log_pages - copied_ < sizes_.pages) return false;
    if (failed_ || log_pages >= sizes_.limit) {
      copied_ = 0;
      return true;
    }
    busy_ = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  }
  wake_.notify_one();
  return false;
}

int Checkpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoints_;
}

void Checkpointer::Loop() {
  pthread_setname_np(pthread_self(), "checkpoint");
  // Copying competes for the CPU with scoring and committing; it can wait.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
  auto db = Database::Open(path_);
  // A connection learns that the database is in WAL mode on its first read;
  // until then a checkpoint does nothing.
  Status opened = db.ok() ? db->Exec("PRAGMA journal_mode=WAL") : db.status();
  std::unique_lock<std::mutex> lock(mu_);
  if (!opened.ok()) {
    spdlog::warn("checkpoints of '{}' run inside commits: {}", path_, opened.message());
    failed_ = true;
    busy_ = false;
    return;
  }
  db_ = std::move(db).value();
  while (true) {
    wake_.wait(lock, [&] { return busy_ || stopping_; });
    if (stopping_) return;
    lock.unlock();
    int log = 0;
    int copied = 0;
    Status s = db_->CheckpointPassive(&log, &copied);
    // Failing loses nothing: the log keeps the pages until a later
    // checkpoint, or closing the database, copies them.
    if (!s.ok()) spdlog::warn("checkpoint of '{}' failed: {}", path_, s.message());
    lock.lock();
    copied_ = s.ok() ? copied : 0;
    busy_ = false;
    ++checkpoints_;
  }
}

}  // namespace brandmon::store
