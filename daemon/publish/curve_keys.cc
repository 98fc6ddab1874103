#include "daemon/publish/curve_keys.h"

#include <zmq.h>

#include <fstream>

namespace brandmon::publish {

Result<CurveKeyPair> GenerateCurveKeyPair() {
  char pub[41] = {};
  char sec[41] = {};
  if (zmq_curve_keypair(pub, sec) != 0) {
    return Status::Internal(std::string("cannot generate a CURVE key pair: ") + zmq_strerror(zmq_errno()));
  }
  return CurveKeyPair{pub, sec};
}

Result<std::string> CurvePublicKey(const std::string& secret) {
  char pub[41] = {};
  if (secret.size() != 40 || zmq_curve_public(pub, secret.c_str()) != 0) {
    return Status::InvalidArgument("not a 40-character Z85 CURVE secret key");
  }
  return std::string(pub);
}

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read key file " + path);
  std::string line;
  std::getline(in, line);
  size_t b = line.find_first_not_of(" \t\r");
  size_t e = line.find_last_not_of(" \t\r");
  line = b == std::string::npos ? "" : line.substr(b, e - b + 1);
  uint8_t raw[32];
  if (line.size() != 40 || zmq_z85_decode(raw, line.c_str()) == nullptr) {
    return Status::InvalidArgument("key file " + path + " does not hold a 40-character Z85 key");
  }
  return line;
}

}  // namespace brandmon::publish
