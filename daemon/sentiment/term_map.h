#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace brandmon::sentiment {

// 64-bit FNV-1a; terms are short, so a byte loop is as fast as anything.
inline uint64_t HashTerm(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

// An open-addressing hash map from UTF-8 terms to V, with every key stored in
// one arena string. Lookups take a string_view and never allocate; any byte
// string is a valid key, so "constructor" or "__proto__" are just terms.
// Thread-compatible: concurrent Find() calls are safe once loading is done.
template <typename V>
class TermMap {
 public:
  TermMap() { slots_.resize(16); }

  // The value for `key`, or nullptr.
  const V* Find(std::string_view key) const { return FindHashed(key, HashTerm(key)); }

  const V* FindHashed(std::string_view key, uint64_t hash) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.hash == hash && KeyAt(s) == key) return &s.value;
    }
  }

  // The value for `key`, inserted value-initialized when absent.
  V& operator[](std::string_view key) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    uint64_t hash = HashTerm(key);
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used) {
        s.used = true;
        s.hash = hash;
        s.offset = static_cast<uint32_t>(arena_.size());
        s.length = static_cast<uint32_t>(key.size());
        arena_.append(key);
        ++size_;
        return s.value;
      }
      if (s.hash == hash && KeyAt(s) == key) return s.value;
    }
  }

  size_t size() const { return size_; }
  size_t MemoryBytes() const { return arena_.capacity() + slots_.capacity() * sizeof(Slot); }

  // Calls f(key, value) for every entry, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.used) f(KeyAt(s), s.value);
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0;
    uint32_t length = 0;
    bool used = false;
    V value{};
  };

  std::string_view KeyAt(const Slot& s) const { return std::string_view(arena_).substr(s.offset, s.length); }

  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.resize(old.size() * 2);
    size_t mask = slots_.size() - 1;
    for (Slot& s : old) {
      if (!s.used) continue;
      size_t i = s.hash & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = std::move(s);
    }
  }

  std::string arena_;
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace brandmon::sentiment
