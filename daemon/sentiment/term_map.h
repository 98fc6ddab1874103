#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace brandmon::sentiment {

// 64-bit FNV-1a; terms are short, so a byte loop is as fast as anything.
// The hash is built in steps so that callers can hash a phrase piece by piece
// (HashBytes over each word, then HashFinish) without joining it first.
constexpr uint64_t kHashSeed = 1469598103934665603ull;
constexpr uint64_t kHashPrime = 1099511628211ull;

inline uint64_t HashBytes(uint64_t state, std::string_view s) {
  for (unsigned char c : s) state = (state ^ c) * kHashPrime;
  return state;
}
inline uint64_t HashByte(uint64_t state, unsigned char c) { return (state ^ c) * kHashPrime; }
constexpr uint64_t HashFinish(uint64_t state) { return state ^ (state >> 29); }
inline uint64_t HashTerm(std::string_view s) { return HashFinish(HashBytes(kHashSeed, s)); }

// SameBytes for keys of more than 8 bytes: out of line, as they are rare.
// REQUIRES: n > 8.
bool SameLongBytes(const char* p, const char* q, size_t n);

// Byte equality inlined for short keys: a libc memcmp call costs more than
// comparing a word or two. Keys of 4 to 8 bytes compare as two overlapping
// 4-byte words, shorter ones by their first, middle and last bytes: no key a
// word of a text spells takes a loop over its bytes.
inline bool SameBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n > 8) return SameLongBytes(p, q, n);
  if (n >= 4) {
    uint32_t p0, q0, p1, q1;
    std::memcpy(&p0, p, 4);
    std::memcpy(&q0, q, 4);
    std::memcpy(&p1, p + n - 4, 4);
    std::memcpy(&q1, q + n - 4, 4);
    return ((p0 ^ q0) | (p1 ^ q1)) == 0;
  }
  return n == 0 || (p[0] == q[0] && p[n / 2] == q[n / 2] && p[n - 1] == q[n - 1]);
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

  // REQUIRES: hash == HashTerm(key).
  const V* FindHashed(std::string_view key, uint64_t hash) const {
    return FindIf(hash, [key](std::string_view stored) { return SameBytes(stored, key); });
  }

  // The value of the entry with `hash` whose key satisfies same(key), for
  // keys the caller holds in pieces. REQUIRES: `hash` is the HashTerm of the
  // key being looked for.
  template <typename Same>
  const V* FindIf(uint64_t hash, Same&& same) const {
    if (size_ == 0) return nullptr;  // e.g. no overrides configured
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (!s.used()) return nullptr;
      if (s.hash == hash && same(KeyAt(s))) return &s.value;
    }
  }

  // The value for `key`, inserted value-initialized when absent.
  V& operator[](std::string_view key) {
    // At most half full, so that a miss (most words of a text) ends after
    // one or two probes.
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    uint64_t hash = HashTerm(key);
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used()) {
        assert(key.size() < UINT32_MAX);
        s.hash = hash;
        s.offset = static_cast<uint32_t>(arena_.size());
        s.length_plus_one = static_cast<uint32_t>(key.size() + 1);
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
      if (s.used()) f(KeyAt(s), s.value);
    }
  }

 private:
  // No separate "used" flag: it would cost a slot eight bytes (40 instead of
  // 32 for a 16-byte value), and the smaller the slots, the more of a map a
  // cache holds.
  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0;
    uint32_t length_plus_one = 0;  // 0: the slot is free
    V value{};
    bool used() const { return length_plus_one != 0; }
  };

  std::string_view KeyAt(const Slot& s) const {
    return std::string_view(arena_.data() + s.offset, s.length_plus_one - 1);
  }

  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.resize(old.size() * 2);
    mask_ = slots_.size() - 1;
    size_t mask = mask_;
    for (Slot& s : old) {
      if (!s.used()) continue;
      size_t i = s.hash & mask;
      while (slots_[i].used()) i = (i + 1) & mask;
      slots_[i] = std::move(s);
    }
  }

  std::string arena_;
  std::vector<Slot> slots_;
  size_t mask_ = 15;  // slots_.size() - 1, kept so that a look-up need not divide by sizeof(Slot)
  size_t size_ = 0;
};

}  // namespace brandmon::sentiment
