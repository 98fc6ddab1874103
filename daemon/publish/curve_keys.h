#pragma once

#include <string>

#include "daemon/base/status.h"

namespace brandmon::publish {

// A CURVE key pair in Z85 (40 characters each).
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

// A fresh key pair from libzmq. Errors: Internal when libzmq was built
// without CURVE.
Result<CurveKeyPair> GenerateCurveKeyPair();

// The public key of a Z85 secret key. Errors: InvalidArgument when `secret`
// is not a 40-character Z85 key (the key itself is never echoed).
Result<std::string> CurvePublicKey(const std::string& secret);

// Reads a key file written by `brandmonctl keygen`: the Z85 key on its first
// line (surrounding whitespace ignored). Errors: NotFound, InvalidArgument.
Result<std::string> ReadKeyFile(const std::string& path);

}  // namespace brandmon::publish
